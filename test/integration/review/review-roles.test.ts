/**
 * The review page against a store with role tokens, in a real headless Chromium: a read token lists
 * and opens conflicts, but resolving with it is refused and the page says the admin role is missing
 * and asks for the admin token; with that token the same decision goes through.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReviewServer } from "../../../src/review/server.ts";
import { startUpReview } from "../../../src/runtime/review.ts";
import { eventually, type Store, startStore, uniqueKey } from "../../support/index.ts";
import { launchChromium, type MadeConflict, makePartialWrite } from "./helpers.ts";

const READ = "review-read-token";
const ADMIN = "review-admin-token";
const STORE = "orders";

describe("conflict review page with read and admin tokens", () => {
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
      clientToken: ADMIN,
      nodeEnv: () => ({ REPLISTORE_READ_TOKEN: READ, REPLISTORE_ADMIN_TOKEN: ADMIN }),
      config: { limits: { requestTimeoutMs: 1_500 } },
    });
    conflict = await makePartialWrite(store, uniqueKey("pw-roles"), "before", "partial");
    review = (await startUpReview(
      { host: "127.0.0.1", port: 0, fixed: true },
      {
        name: STORE,
        mode: "Leaderless",
        members: store.ids.map((id, i) => ({ id, url: store.urls[i]! })),
        auth: true,
        tokenFile: "/somewhere/admin-token",
      },
      (line) => {
        throw new Error(line);
      },
    ))!;
    browser = await launchChromium();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await review?.close();
    await store?.cleanup();
  });

  it("a read token lists the conflict; resolving with it says the admin role is needed, and nothing is written", async () => {
    await page.goto(review.url);
    const section = page.locator(`section.store[data-store="${STORE}"]`);
    await expect.poll(() => section.locator(".body").textContent()).toContain("/somewhere/admin-token");
    await section.locator("input.token-input").fill(READ);
    await section.locator("button.token-save").click();
    await section.locator(`tr.conflict[data-conflict="${conflict.id}"]`).click();
    const detail = page.locator("#detail");
    await page.locator("#who").fill("oncall@example.com");
    await detail.locator(`input.choice-keep[value="keep:${conflict.replaced}"]`).check();
    await detail.locator("button.resolve").click();
    await page.locator("dialog#confirm #confirm-ok").click();

    await expect
      .poll(() => detail.locator("p.error").textContent(), { timeout: 15_000 })
      .toContain("lacks the admin role");
    expect(await detail.locator("p.error").textContent()).toContain("needs the admin role");
    await expect
      .poll(() => section.locator(".token-form").textContent())
      .toContain("Paste the store's admin token");
    const still = await store.client(1).request("GET", `/v1/conflicts/${conflict.id}`);
    expect(still.body.status).toBe("pending");
  });

  it("with the admin token the same decision is made", async () => {
    const section = page.locator(`section.store[data-store="${STORE}"]`);
    await section.locator("input.token-input").fill(ADMIN);
    await section.locator("button.token-save").click();
    const detail = page.locator("#detail");
    await detail.locator("button.resolve").click();
    await page.locator("dialog#confirm #confirm-ok").click();
    await expect
      .poll(() => detail.locator(".notice").textContent(), { timeout: 15_000 })
      .toContain("Resolved");
    await eventually(
      async () => {
        const rec = await store.client(1).request("GET", `/v1/conflicts/${conflict.id}`);
        expect(rec.body).toMatchObject({ status: "resolved", resolution: { by: "oncall@example.com" } });
      },
      { timeoutMs: 10_000, what: "the resolution replicated to node-1" },
    );
  });
});
