/**
 * The review page against a store with role tokens, in a real headless Chromium: a read token lists
 * and opens conflicts, but resolving with it is refused and the page says the admin role is missing
 * and asks for the admin token; with that token the same decision goes through.
 */
import { describe, expect, it } from "vitest";
import { eventually, SHORT_REQUEST_TIMEOUT, THREE_NODES_MAJORITY, uniqueKey } from "../../support/index.ts";
import { useReviewPage } from "./helpers.ts";

const READ = "review-read-token";
const ADMIN = "review-admin-token";
const STORE = "orders";

describe("conflict review page with read and admin tokens", () => {
  const env = useReviewPage({
    store: {
      ...THREE_NODES_MAJORITY,
      clientToken: ADMIN,
      nodeEnv: () => ({ REPLISTORE_READ_TOKEN: READ, REPLISTORE_ADMIN_TOKEN: ADMIN }),
      config: SHORT_REQUEST_TIMEOUT,
    },
    name: STORE,
    conflict: { key: uniqueKey("pw-roles"), before: "before", partial: "partial" },
    auth: true,
    tokenFile: "/somewhere/admin-token",
  });

  it("a read token lists the conflict; resolving with it says the admin role is needed, and nothing is written", async () => {
    await env.page.goto(env.review.url);
    const section = env.page.locator(`section.store[data-store="${STORE}"]`);
    await expect.poll(() => section.locator(".body").textContent()).toContain("/somewhere/admin-token");
    await section.locator("input.token-input").fill(READ);
    await section.locator("button.token-save").click();
    await section.locator(`tr.conflict[data-conflict="${env.conflict.id}"]`).click();
    const detail = env.page.locator("#detail");
    await env.page.locator("#who").fill("oncall@example.com");
    await detail.locator(`input.choice-keep[value="keep:${env.conflict.replaced}"]`).check();
    await detail.locator("button.resolve").click();
    await env.page.locator("dialog#confirm #confirm-ok").click();

    await expect
      .poll(() => detail.locator("p.error").textContent(), { timeout: 15_000 })
      .toContain("lacks the admin role");
    expect(await detail.locator("p.error").textContent()).toContain("needs the admin role");
    await expect
      .poll(() => section.locator(".token-form").textContent())
      .toContain("Paste the store's admin token");
    const still = await env.store.client(1).request("GET", `/v1/conflicts/${env.conflict.id}`);
    expect(still.body.status).toBe("pending");
  });

  it("with the admin token the same decision is made", async () => {
    const section = env.page.locator(`section.store[data-store="${STORE}"]`);
    await section.locator("input.token-input").fill(ADMIN);
    await section.locator("button.token-save").click();
    const detail = env.page.locator("#detail");
    await detail.locator("button.resolve").click();
    await env.page.locator("dialog#confirm #confirm-ok").click();
    await expect
      .poll(() => detail.locator(".notice").textContent(), { timeout: 15_000 })
      .toContain("Resolved");
    await eventually(
      async () => {
        const rec = await env.store.client(1).request("GET", `/v1/conflicts/${env.conflict.id}`);
        expect(rec.body).toMatchObject({ status: "resolved", resolution: { by: "oncall@example.com" } });
      },
      { timeoutMs: 10_000, what: "the resolution replicated to node-1" },
    );
  });
});
