/** Waits for a node's /readyz by polling until a deadline: a readiness wait, not a fixed sleep. */
import { setTimeout as delay } from "node:timers/promises";
import { request } from "undici";

const POLL_MS = 100;

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await request(new URL("/readyz", url), {
      method: "GET",
      headersTimeout: 1_000,
      bodyTimeout: 1_000,
    });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

/** True once GET <url>/readyz answers 200; false if `deadline` (epoch ms) passes or `signal` aborts. */
export async function waitUntilReady(url: string, deadline: number, signal?: AbortSignal): Promise<boolean> {
  while (!signal?.aborted) {
    if (await isReady(url)) return true;
    if (Date.now() + POLL_MS > deadline) return false;
    await delay(POLL_MS, undefined, { ref: false }).catch(() => undefined);
  }
  return false;
}
