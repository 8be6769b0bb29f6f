/**
 * The review page when a resolution is refused because the store lost its write quorum: the page
 * says nothing was written, which nodes are down and what to do, the conflict stays open and
 * pending (test/integration/resolve-quorum-loss.test.ts resolves it again once the nodes are back).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReviewServer } from "../../../src/review/server.ts";
import { startUpReview } from "../../../src/runtime/review.ts";
import { type Store, startStore, uniqueKey } from "../../support/index.ts";
import { launchChromium, type MadeConflict, makePartialWrite } from "./helpers.ts";

const STORE = "orders";

describe("review page: resolving during a quorum loss", () => {
  let store: Store;
  let review: ReviewServer;
  let browser: Browser;
  let page: Page;
  let conflict: MadeConflict;

  beforeAll(async () => {
    store = await startStore({
      nodes: 3,
      factor: 3,
      writeQuorum: 2,
      readQuorum: 2,
      config: { limits: { requestTimeoutMs: 1_500 } },
    });
    conflict = await makePartialWrite(store, uniqueKey("refused"), "the value before", "the stray value");
    const started = await startUpReview(
      { host: "127.0.0.1", port: 0, fixed: true },
      {
        name: STORE,
        mode: "Leaderless",
        members: store.ids.map((id, i) => ({ id, url: store.urls[i]! })),
        auth: false,
        tokenFile: undefined,
      },
      (line) => {
        throw new Error(line);
      },
    );
    review = started!;
    browser = await launchChromium();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await review?.close();
    await store?.cleanup();
  });

  it("says nothing was written, names the down nodes and what to do; the conflict stays pending", async () => {
    await page.goto(review.url);
    await page.locator(`tr.conflict[data-conflict="${conflict.id}"]`).click();
    const detail = page.locator("#detail");
    await detail.locator("article.version").first().waitFor();
    await page.locator("#who").fill("oncall@example.com");
    await detail.locator(`input.choice-keep[value="keep:${conflict.replaced}"]`).check();

    await Promise.all([store.kill(1), store.kill(2)]);
    await detail.locator("button.resolve").click();
    await page.locator("dialog#confirm #confirm-ok").click();

    const error = detail.locator("p.error");
    await expect.poll(() => error.textContent(), { timeout: 15_000 }).toContain("Not resolved");
    const text = (await error.textContent()) ?? "";
    expect(text).toContain("nothing was written");
    expect(text).toContain(store.id(1));
    expect(text).toContain(store.id(2));
    expect(text).toContain("still pending");
    expect(text).toContain("then resolve it again");
    expect(text).not.toContain("?w=");

    const rec = await store.client(0).request("GET", `/v1/conflicts/${conflict.id}`);
    expect(rec.body.status).toBe("pending");
    const pending = await store.client(0).conflicts({ key: conflict.key, status: "pending" });
    expect((pending.body.items as Array<{ id: string }>).map((c) => c.id)).toEqual([conflict.id]);
    expect((await store.client(0).get(conflict.key, { local: true })).text).toBe("the stray value");
  });
});
