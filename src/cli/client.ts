/** HTTP to a store's nodes with undici; connection failures become one sentence saying what to do. */
import { type Dispatcher, request } from "undici";
import { UserError } from "../errors.ts";
import { apiErrorFrom } from "./api-error.ts";
import type { Target } from "./target.ts";

export interface StoreResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  url: string;
}

export interface CallOptions {
  body?: Buffer;
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for "absent" checks). */
  accept?: readonly number[];
}

/** Failures before the request reached a node: safe to try the next one, even for a write. */
const CONNECT_ERRORS = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function errorCode(err: unknown): string {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ("code" in e && typeof e.code === "string" && e.code !== "") return e.code;
  }
  return "";
}

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  UND_ERR_CONNECT_TIMEOUT: "connect timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

function buildUrl(base: string, path: string, query: CallOptions["query"]): URL {
  const url = new URL(base.replace(/\/+$/, "") + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

export async function callStore(
  target: Target,
  method: Dispatcher.HttpMethod,
  path: string,
  options: CallOptions = {},
): Promise<StoreResponse> {
  const timeout = options.timeoutMs ?? 10_000;
  const failures: string[] = [];
  for (const base of target.urls) {
    const url = buildUrl(base, path, options.query);
    const headers: Record<string, string> = {};
    if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/octet-stream";
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, {
        method,
        headers,
        body: options.body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (err) {
      const code = errorCode(err);
      if (CONNECT_ERRORS.has(code)) {
        failures.push(`${base} (${REASONS[code] ?? code})`);
        continue;
      }
      if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
        throw new UserError(
          `no answer from ${base} within ${timeout / 1000}s: the node may be overloaded or stuck`,
        );
      }
      throw new UserError(`request to ${base} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const body = Buffer.from(await res.body.arrayBuffer());
    const response: StoreResponse = { status: res.statusCode, headers: res.headers, body, url: base };
    if (res.statusCode >= 400 && !options.accept?.includes(res.statusCode)) {
      throw apiErrorFrom(res.statusCode, body, base, target.token !== undefined);
    }
    return response;
  }
  const what = target.store ? `store ${target.store}` : "the store";
  throw new UserError(
    `cannot reach ${what} at ${failures.join(", ")}: is it running? start it with replistore up -f store.yaml`,
  );
}

export function jsonBody(response: StoreResponse): unknown {
  try {
    return JSON.parse(response.body.toString("utf8"));
  } catch {
    throw new UserError(`${response.url} answered HTTP ${response.status} with a body that is not JSON`);
  }
}
