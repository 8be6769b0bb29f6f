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
import { beforeAll, describe, expect, it } from "vitest";
import { startCli } from "../../support/cli.ts";
import {
  eventually,
  freePortRange,
  SHORT_REQUEST_TIMEOUT,
  THREE_NODES_MAJORITY,
  uniqueKey,
} from "../../support/index.ts";
import { HOSTILE_VALUE, hostileKey, useReviewPage } from "./helpers.ts";

const TOKEN = "review-page-token";
const STORE = "orders";

describe("conflict review page (replistore up)", () => {
  const env = useReviewPage({
    store: { ...THREE_NODES_MAJORITY, token: TOKEN, config: SHORT_REQUEST_TIMEOUT },
    name: STORE,
    conflict: { key: hostileKey(uniqueKey("pw")), before: "the value before", partial: HOSTILE_VALUE },
    auth: true,
    tokenFile: "/somewhere/token",
  });
  const dialogs: string[] = [];

  beforeAll(() => {
    // alert() or confirm() would mean injected script ran, or the page used a native dialog
    env.page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  it("asks for the token, keeps it in sessionStorage, and lists the pending conflict", async () => {
    await env.page.goto(env.review.url);
    const section = env.page.locator(`section.store[data-store="${STORE}"]`);
    await expect.poll(() => section.locator(".count").textContent()).toBe("token needed");
    await expect.poll(() => section.locator(".body").textContent()).toContain("/somewhere/token");

    await section.locator("input.token-input").fill(TOKEN);
    await section.locator("button.token-save").click();
    const row = section.locator(`tr.conflict[data-conflict="${env.conflict.id}"]`);
    await row.waitFor();
    expect(await row.locator("td.key").textContent()).toBe(env.conflict.key);
    expect(await section.locator(".count").textContent()).toBe("1 pending");
    expect(await env.page.evaluate((s) => sessionStorage.getItem(`replistore.token:${s}`), STORE)).toBe(
      TOKEN,
    );
    expect(await env.page.evaluate(() => localStorage.length)).toBe(0);
  });

  it("opens the conflict with its versions side by side, every value as text", async () => {
    await env.page.locator(`tr.conflict[data-conflict="${env.conflict.id}"]`).click();
    const detail = env.page.locator("#detail");
    await detail.locator("article.version").first().waitFor();
    expect(await detail.locator(".key").textContent()).toBe(env.conflict.key);

    const partial = detail.locator(`article.version[data-version="${env.conflict.partial}"]`);
    const replaced = detail.locator(`article.version[data-version="${env.conflict.replaced}"]`);
    expect(await partial.locator("pre.value").textContent()).toBe(HOSTILE_VALUE);
    expect(await replaced.locator("pre.value").textContent()).toBe("the value before");
    expect(await partial.locator(".badge.applied").count()).toBe(1);
    expect(await partial.locator(".origin").textContent()).toBe(env.store.id(0));
    expect(await partial.locator(".kind").textContent()).toBe("partial write: partial");
    const wall = Number(env.conflict.partial.split(":")[0]);
    expect(await partial.locator(".time").textContent()).toContain(new Date(wall).toISOString());
    // side by side: same row, the second to the right of the first
    const [a, b] = [await replaced.boundingBox(), await partial.boundingBox()];
    expect(Math.abs(a!.y - b!.y)).toBeLessThan(2);
    expect(a!.x).not.toBe(b!.x);

    // nothing hostile became markup or ran
    expect(await env.page.locator("#detail img, #stores img, script:not([src])").count()).toBe(0);
    expect(
      await env.page.evaluate(() => (globalThis as unknown as { __xss?: string }).__xss),
    ).toBeUndefined();
    await env.page.screenshot({ path: join(tmpdir(), "replistore-review-page.png"), fullPage: true });
  });

  it("resolves only after confirmation, with a note, and the decision is on another node", async () => {
    const detail = env.page.locator("#detail");
    await env.page.locator("#who").fill("oncall@example.com");
    await detail.locator(`input.choice-keep[value="keep:${env.conflict.replaced}"]`).check();
    await detail.locator("textarea.note").fill("the <b>payment</b> never went through");

    // Cancel: nothing is written
    await detail.locator("button.resolve").click();
    const dialog = env.page.locator("dialog#confirm");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.locator("#confirm-text").textContent()).toContain(env.conflict.key);
    await dialog.locator("#confirm-cancel").click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    const still = await env.store.client(1).request("GET", `/v1/conflicts/${env.conflict.id}`);
    expect(still.body.status).toBe("pending");

    // Confirm: resolved
    await detail.locator("button.resolve").click();
    await dialog.locator("#confirm-ok").click();
    await expect
      .poll(() => detail.locator(".notice").textContent(), { timeout: 15_000 })
      .toContain("Resolved");
    await expect
      .poll(() => env.page.locator(`section.store[data-store="${STORE}"] .body`).textContent())
      .toContain("No pending conflicts");

    // a second node (not the one that answered the page) has the decision
    const answered = (await detail.locator(".answered-by").textContent()) ?? "";
    expect(env.store.ids).toContain(answered);
    const other = [0, 1, 2].find((i) => env.store.id(i) !== answered)!;
    await eventually(
      async () => {
        const rec = await env.store.client(other).request("GET", `/v1/conflicts/${env.conflict.id}`);
        expect(rec.body).toMatchObject({
          status: "resolved",
          resolution: {
            by: "oncall@example.com",
            kept: env.conflict.replaced,
            note: "the <b>payment</b> never went through",
          },
        });
        const pending = await env.store.client(other).conflicts({ status: "pending", key: env.conflict.key });
        expect(pending.body.items).toEqual([]);
        const value = await env.store.client(other).get(env.conflict.key, { local: true });
        expect(value.text).toBe("the value before");
      },
      { timeoutMs: 15_000, what: `${env.store.id(other)} shows the resolution` },
    );
    expect(dialogs).toEqual([]);
    expect(
      await env.page.evaluate(() => (globalThis as unknown as { __xss?: string }).__xss),
    ).toBeUndefined();
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
    const up = startCli([
      "up",
      "-f",
      manifest,
      "--data-dir",
      join(dir, "data"),
      "--port-base",
      String(base + 1),
    ]);
    try {
      const url = await eventually(
        () => {
          const match = /conflict review page: (http:\/\/\S+)/.exec(up.stdout());
          if (!match) throw new Error(`no review URL yet:\n${up.stdout()}`);
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
      up.child.kill("SIGTERM");
      await up.exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
