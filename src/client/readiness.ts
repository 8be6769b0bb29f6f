/** Waits for a node's /readyz by polling until a deadline: a readiness wait, not a fixed sleep. */
import { setTimeout as delay } from "node:timers/promises";
import { httpEndpoint, type TlsOptions } from "./http-endpoint.ts";

const POLL_MS = 100;
const PROBE_TIMEOUT_MS = 1_000;

/** True once GET <url>/readyz answers 200; false if `deadline` (epoch ms) passes or `signal` aborts. */
export async function waitUntilReady(
  url: string,
  deadline: number,
  signal?: AbortSignal,
  tls: TlsOptions = {},
): Promise<boolean> {
  const node = httpEndpoint(url, url, tls);
  while (!signal?.aborted) {
    // Any failure (not up yet, refused, slow) is "not ready yet": the deadline decides.
    const res = await node
      .call({ method: "GET", path: "/readyz", timeoutMs: PROBE_TIMEOUT_MS })
      .catch(() => undefined);
    if (res?.status === 200) return true;
    if (Date.now() + POLL_MS > deadline) return false;
    await delay(POLL_MS, undefined, { ref: false }).catch(() => undefined);
  }
  return false;
}
