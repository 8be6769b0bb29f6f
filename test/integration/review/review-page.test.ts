/**
 * The conflict review page in a real headless Chromium, served exactly as `replistore up` serves it
 * (startUpReview) for a real 3-node store with a token: the page asks for the token, lists the
 * pending conflict, shows its versions side by side with every hostile value as inert text, asks
 * for confirmation, resolves it, and the resolution is visible on another node. Then `replistore up`
 * itself is checked to serve the page.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReviewServer } from "../../../src/review/server.ts";
import { startUpReview } from "../../../src/runtime/review.ts";
import {
  eventually,
  freePortRange,
  type Store,
  spawnCli,
  startStore,
  uniqueKey,
} from "../../support/index.ts";
import { HOSTILE_VALUE, hostileKey, launchChromium, type MadeConflict, makePartialWrite } from "./helpers.ts";

const TOKEN = "review-page-token";
const STORE = "orders";

describe("conflict review page (replistore up)", () => {
  let store: Store;
  let review: ReviewServer;
  let browser: Browser;
  let page: Page;
  let conflict: MadeConflict;
  const dialogs: string[] = [];

  beforeAll(async () => {
    store = await startStore({
      nodes: 3,
      factor: 3,
      writeQuorum: 2,
      readQuorum: 2,
      token: TOKEN,
      config: { limits: { requestTimeoutMs: 1_500 } },
    });
    conflict = await makePartialWrite(store, hostileKey(uniqueKey("pw")), "the value before", HOSTILE_VALUE);
    const started = await startUpReview(
      { host: "127.0.0.1", port: 0, fixed: true },
      {
        name: STORE,
        mode: "Leaderless",
        members: store.ids.map((id, i) => ({ id, url: store.urls[i]! })),
        auth: true,
        tokenFile: "/somewhere/token",
      },
      (line) => {
        throw new Error(line);
      },
    );
    review = started!;
    browser = await launchChromium();
    page = await browser.newPage();
    // alert() or confirm() would mean injected script ran, or the page used a native dialog
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  afterAll(async () => {
    await browser?.close();
    await review?.close();
    await store?.cleanup();
  });

  it("asks for the token, keeps it in sessionStorage, and lists the pending conflict", async () => {
    await page.goto(review.url);
    const section = page.locator(`section.store[data-store="${STORE}"]`);
    await expect.poll(() => section.locator(".count").textContent()).toBe("token needed");
    await expect.poll(() => section.locator(".body").textContent()).toContain("/somewhere/token");

    await section.locator("input.token-input").fill(TOKEN);
    await section.locator("button.token-save").click();
    const row = section.locator(`tr.conflict[data-conflict="${conflict.id}"]`);
    await row.waitFor();
    expect(await row.locator("td.key").textContent()).toBe(conflict.key);
    expect(await section.locator(".count").textContent()).toBe("1 pending");
    expect(await page.evaluate((s) => sessionStorage.getItem(`replistore.token:${s}`), STORE)).toBe(TOKEN);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });

  it("opens the conflict with its versions side by side, every value as text", async () => {
    await page.locator(`tr.conflict[data-conflict="${conflict.id}"]`).click();
    const detail = page.locator("#detail");
    await detail.locator("article.version").first().waitFor();
    expect(await detail.locator(".key").textContent()).toBe(conflict.key);

    const partial = detail.locator(`article.version[data-version="${conflict.partial}"]`);
    const replaced = detail.locator(`article.version[data-version="${conflict.replaced}"]`);
    expect(await partial.locator("pre.value").textContent()).toBe(HOSTILE_VALUE);
    expect(await replaced.locator("pre.value").textContent()).toBe("the value before");
    expect(await partial.locator(".badge.applied").count()).toBe(1);
    expect(await partial.locator(".origin").textContent()).toBe(store.id(0));
    expect(await partial.locator(".kind").textContent()).toBe("partial write: partial");
    const wall = Number(conflict.partial.split(":")[0]);
    expect(await partial.locator(".time").textContent()).toContain(new Date(wall).toISOString());
    // side by side: same row, the second to the right of the first
    const [a, b] = [await replaced.boundingBox(), await partial.boundingBox()];
    expect(Math.abs(a!.y - b!.y)).toBeLessThan(2);
    expect(a!.x).not.toBe(b!.x);

    // nothing hostile became markup or ran
    expect(await page.locator("#detail img, #stores img, script:not([src])").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: string }).__xss)).toBeUndefined();
    await page.screenshot({ path: join(tmpdir(), "replistore-review-page.png"), fullPage: true });
  });

  it("resolves only after confirmation, with a note, and the decision is on another node", async () => {
    const detail = page.locator("#detail");
    await page.locator("#who").fill("oncall@example.com");
    await detail.locator(`input.choice-keep[value="keep:${conflict.replaced}"]`).check();
    await detail.locator("textarea.note").fill("the <b>payment</b> never went through");

    // Cancel: nothing is written
    await detail.locator("button.resolve").click();
    const dialog = page.locator("dialog#confirm");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.locator("#confirm-text").textContent()).toContain(conflict.key);
    await dialog.locator("#confirm-cancel").click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    const still = await store.client(1).request("GET", `/v1/conflicts/${conflict.id}`);
    expect(still.body.status).toBe("pending");

    // Confirm: resolved
    await detail.locator("button.resolve").click();
    await dialog.locator("#confirm-ok").click();
    await expect
      .poll(() => detail.locator(".notice").textContent(), { timeout: 15_000 })
      .toContain("Resolved");
    await expect
      .poll(() => page.locator(`section.store[data-store="${STORE}"] .body`).textContent())
      .toContain("No pending conflicts");

    // a second node (not the one that answered the page) has the decision
    const answered = (await detail.locator(".answered-by").textContent()) ?? "";
    expect(store.ids).toContain(answered);
    const other = [0, 1, 2].find((i) => store.id(i) !== answered)!;
    await eventually(
      async () => {
        const rec = await store.client(other).request("GET", `/v1/conflicts/${conflict.id}`);
        expect(rec.body).toMatchObject({
          status: "resolved",
          resolution: {
            by: "oncall@example.com",
            kept: conflict.replaced,
            note: "the <b>payment</b> never went through",
          },
        });
        const pending = await store.client(other).conflicts({ status: "pending", key: conflict.key });
        expect(pending.body.items).toEqual([]);
        const value = await store.client(other).get(conflict.key, { local: true });
        expect(value.text).toBe("the value before");
      },
      { timeoutMs: 15_000, what: `${store.id(other)} shows the resolution` },
    );
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: string }).__xss)).toBeUndefined();
  });
});

describe("replistore up serves the review page", () => {
  it("prints its URL and answers for the store", async () => {
    const dir = await mkdtemp(join(tmpdir(), "replistore-up-review-"));
    const base = await freePortRange(4);
    const manifest = join(dir, "store.yaml");
    await writeFile(
      manifest,
      "apiVersion: replistore.io/v1alpha1\nkind: ReplicatedStore\nmetadata: {name: shop}\nspec: {replicas: 3}\n",
    );
    // port-base + 1: the page takes the port below the nodes' (base)
    const child = spawnCli([
      "up",
      "-f",
      manifest,
      "--data-dir",
      join(dir, "data"),
      "--port-base",
      String(base + 1),
    ]);
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    try {
      const url = await eventually(
        () => {
          const match = /conflict review page: (http:\/\/\S+)/.exec(out);
          if (!match) throw new Error(`no review URL yet:\n${out}`);
          return match[1]!;
        },
        { timeoutMs: 40_000, what: "replistore up prints the review page's URL" },
      );
      expect(url).toBe(`http://127.0.0.1:${base}/`);
      const html = await fetch(url);
      expect(html.status).toBe(200);
      expect(await html.text()).toContain("Conflict review");
      const stores = await fetch(`${url}api/stores`, { headers: { "x-replistore-review": "1" } });
      expect(await stores.json()).toMatchObject({ stores: [{ id: "shop", name: "shop", auth: false }] });
      const list = await fetch(`${url}api/stores/shop/conflicts?status=pending`, {
        headers: { "x-replistore-review": "1" },
      });
      expect(list.status).toBe(200);
      expect(await list.json()).toEqual({ items: [], next: null });
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
