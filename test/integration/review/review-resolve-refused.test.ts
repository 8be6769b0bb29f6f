/**
 * The review page when a resolution is refused because the store lost its write quorum: the page
 * says nothing was written, which nodes are down and what to do, the conflict stays open and
 * pending (test/integration/resolve-quorum-loss.test.ts resolves it again once the nodes are back).
 */
import { describe, expect, it } from "vitest";
import { SHORT_REQUEST_TIMEOUT, THREE_NODES_MAJORITY, uniqueKey } from "../../support/index.ts";
import { useReviewPage } from "./helpers.ts";

const STORE = "orders";

describe("review page: resolving during a quorum loss", () => {
  const env = useReviewPage({
    store: { ...THREE_NODES_MAJORITY, config: SHORT_REQUEST_TIMEOUT },
    name: STORE,
    conflict: { key: uniqueKey("refused"), before: "the value before", partial: "the stray value" },
    auth: false,
    tokenFile: undefined,
  });

  it("says nothing was written, names the down nodes and what to do; the conflict stays pending", async () => {
    await env.page.goto(env.review.url);
    await env.page.locator(`tr.conflict[data-conflict="${env.conflict.id}"]`).click();
    const detail = env.page.locator("#detail");
    await detail.locator("article.version").first().waitFor();
    await env.page.locator("#who").fill("oncall@example.com");
    await detail.locator(`input.choice-keep[value="keep:${env.conflict.replaced}"]`).check();

    await Promise.all([env.store.kill(1), env.store.kill(2)]);
    await detail.locator("button.resolve").click();
    await env.page.locator("dialog#confirm #confirm-ok").click();

    const error = detail.locator("p.error");
    await expect.poll(() => error.textContent(), { timeout: 15_000 }).toContain("Not resolved");
    const text = (await error.textContent()) ?? "";
    expect(text).toContain("nothing was written");
    expect(text).toContain(env.store.id(1));
    expect(text).toContain(env.store.id(2));
    expect(text).toContain("still pending");
    expect(text).toContain("then resolve it again");
    expect(text).not.toContain("?w=");

    const rec = await env.store.client(0).request("GET", `/v1/conflicts/${env.conflict.id}`);
    expect(rec.body.status).toBe("pending");
    const pending = await env.store.client(0).conflicts({ key: env.conflict.key, status: "pending" });
    expect((pending.body.items as Array<{ id: string }>).map((c) => c.id)).toEqual([env.conflict.id]);
    expect((await env.store.client(0).get(env.conflict.key, { local: true })).text).toBe("the stray value");
  });
});
