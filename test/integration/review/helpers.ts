/** Shared by the review page and kubectl plugin tests: a deterministic conflict, and a real Chromium. */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import type { ReviewServer } from "../../../src/review/server.ts";
import { startUpReview } from "../../../src/runtime/review.ts";
import { type Store, type StoreClient, type StoreOptions, startStore } from "../../support/index.ts";

/** What makes a partial write: the test harness's Store, or the kubectl tests' PodStore. */
export interface Nodes {
  client(index: number): StoreClient;
  kill(index: number): Promise<unknown>;
  start(index: number): Promise<void>;
  waitForPeers(): Promise<void>;
}

export interface MadeConflict {
  id: string;
  key: string;
  /** the version the partial write replaced (its value is known: the coordinator held it) */
  replaced: string;
  partial: string;
}

/**
 * A partial write, made as test/integration/conflicts.test.ts makes them: write with w=3 while
 * node 2 is down, so 2 of 3 owners store it and the client gets 503. The record is on node 0 before
 * the 503; node 2 is started again and the record reaches every node.
 */
export async function makePartialWrite(
  store: Nodes,
  key: string,
  before: string,
  partial: string,
): Promise<MadeConflict> {
  const first = await store.client(0).put(key, before, { w: 3 });
  expect(first.status, first.text).toBe(200);
  await store.kill(2);
  const failed = await store.client(0).put(key, partial, { w: 3 });
  expect(failed.status, failed.text).toBe(503);
  await store.start(2);
  await store.waitForPeers();
  const list = await store.client(0).conflicts({ key, status: "pending" });
  expect(list.status, list.text).toBe(200);
  const items = list.body.items as { id: string; versions: { version: string; role: string }[] }[];
  expect(items).toHaveLength(1);
  const rec = items[0]!;
  return {
    id: rec.id,
    key,
    replaced: rec.versions.find((v) => v.role === "replaced")!.version,
    partial: rec.versions.find((v) => v.role === "partial")!.version,
  };
}

/** Debian's chromium; `npm run setup` (run by `npm test`) installs it. */
export const CHROMIUM = process.env.REPLISTORE_CHROMIUM ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set REPLISTORE_CHROMIUM)`);
  }
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
}

/** Keys and values that would run script if the page ever put them into HTML. */
export const HOSTILE_VALUE = `<script>window.__xss = "script"</script><img src=x onerror="window.__xss = 'img'">`;
export const hostileKey = (tag: string) => `review/${tag}/<img src=x onerror="window.__xss='key'">`;

export interface ReviewPageOptions {
  store: StoreOptions;
  /** the store's name on the page */
  name: string;
  /** the partial write made before the page opens (makePartialWrite's arguments) */
  conflict: { key: string; before: string; partial: string };
  /** whether the store asks for tokens, as `replistore up` tells the page */
  auth: boolean;
  /** the admin token file the page names, when there is one */
  tokenFile: string | undefined;
}

export interface ReviewPage {
  store: Store;
  conflict: MadeConflict;
  review: ReviewServer;
  browser: Browser;
  page: Page;
}

/**
 * For the tests of one describe block: a store with one conflict, its review page served as
 * `replistore up` serves it (startUpReview), and a Chromium page; closed and cleaned up after them.
 */
export function useReviewPage(options: ReviewPageOptions): ReviewPage {
  const env = {} as ReviewPage;
  beforeAll(async () => {
    env.store = await startStore(options.store);
    const { key, before, partial } = options.conflict;
    env.conflict = await makePartialWrite(env.store, key, before, partial);
    const started = await startUpReview(
      { host: "127.0.0.1", port: 0, fixed: true },
      {
        name: options.name,
        mode: "Leaderless",
        members: env.store.ids.map((id, i) => ({ id, url: env.store.urls[i]! })),
        auth: options.auth,
        tokenFile: options.tokenFile,
      },
      (line) => {
        throw new Error(line);
      },
    );
    env.review = started!;
    env.browser = await launchChromium();
    env.page = await env.browser.newPage();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.review?.close();
    await env.store?.cleanup();
  });
  return env;
}
