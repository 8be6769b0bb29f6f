/** Polling with a deadline for control-plane readiness; gives up at once if a process has died. */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { ControlPlaneProcess } from "./process.ts";

export interface ClientTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One GET; https URLs use `tls` (the cluster CA and a client certificate). */
export function httpGet(
  url: string,
  tls?: ClientTls,
  headers: Record<string, string> = {},
  timeoutMs = 5_000,
): Promise<HttpAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const options = {
      method: "GET",
      headers,
      timeout: timeoutMs,
      ...(target.protocol === "https:" ? tls : {}),
    };
    const request = (target.protocol === "https:" ? httpsRequest : httpRequest)(target, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    request.on("error", reject);
    request.end();
  });
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `check` until it returns true, every `intervalMs`, for at most `timeoutMs`. Before each try
 * the `processes` must still be running, so a crash reports its log instead of a timeout.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  processes: readonly ControlPlaneProcess[],
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "not checked yet";
  for (;;) {
    for (const process of processes) process.assertRunning();
    try {
      if (await check()) return;
      last = "not yet";
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not ready within ${timeoutMs} ms (last: ${last})`);
    await pause(intervalMs);
  }
}
