/**
 * `replistore kv|status|conflicts` to a store's nodes through src/client: the target's URLs are
 * asked in turn, and every failure becomes one sentence saying what to do (a UserError or, for a
 * node's own error answer, an ApiError; both exit 1).
 */
import { apiErrorFrom } from "../client/api-error.ts";
import { callFirst } from "../client/call-first.ts";
import { jsonOf } from "../client/decode-answer.ts";
import {
  DEFAULT_TIMEOUT_MS,
  type NodeEndpoint,
  type NodeMethod,
  type NodeResponse,
  withQuery,
} from "../client/endpoint.ts";
import { NoNodeReachableError, UnreachableError } from "../client/errors.ts";
import { httpEndpoint } from "../client/http-endpoint.ts";
import { UserError } from "../errors.ts";
import type { Target } from "./target.ts";

export interface StoreResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** the URL of the node that answered */
  url: string;
}

export interface CallOptions {
  body?: Buffer;
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for "absent" checks). */
  accept?: readonly number[];
}

/** What a failure to get any answer says at a terminal. */
function unreachableMessage(err: unknown, target: Target, timeoutMs: number): UserError | undefined {
  if (err instanceof NoNodeReachableError) {
    const what = target.store ? `store ${target.store}` : "the store";
    const failures = err.unreachable.map((e) => `${e.node} (${e.reason})`).join(", ");
    // A refused certificate is not a stopped store: say what the handshake said.
    const tls = err.unreachable.find((e) => e.advice?.includes("certificate") || e.advice?.includes("TLS"));
    return new UserError(
      tls
        ? `cannot reach ${what} at ${failures}: ${tls.advice}`
        : `cannot reach ${what} at ${failures}: is it running? start it with replistore up -f store.yaml`,
    );
  }
  if (!(err instanceof UnreachableError)) return undefined;
  if (err.stage === "timeout") {
    return new UserError(`no answer from ${err.node} within ${timeoutMs / 1000}s: ${err.advice ?? ""}`);
  }
  // The connection broke after a write may have reached the node: not sent anywhere else.
  const cause = err.cause instanceof Error ? err.cause.message : err.reason;
  return new UserError(`request to ${err.node} failed: ${cause}`);
}

/** The node at `url`; a failure the connection-error list does not know names the node it hit. */
function nodeAt(url: string, ca: string | undefined): NodeEndpoint {
  const node = httpEndpoint(url, url, ca !== undefined ? { ca } : {});
  return {
    name: url,
    call: (req) =>
      node.call(req).catch((err: unknown) => {
        if (err instanceof UnreachableError) throw err;
        throw new UserError(`request to ${url} failed: ${err instanceof Error ? err.message : String(err)}`);
      }),
  };
}

export async function callStore(
  target: Target,
  method: NodeMethod,
  path: string,
  options: CallOptions = {},
): Promise<StoreResponse> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let res: NodeResponse;
  try {
    res = await callFirst(
      target.urls.map((url) => nodeAt(url, target.ca)),
      {
        method,
        path: withQuery(path, options.query),
        timeoutMs,
        ...(options.body !== undefined
          ? { body: options.body, contentType: "application/octet-stream" }
          : {}),
        ...(target.token !== undefined ? { token: target.token } : {}),
      },
    );
  } catch (err) {
    throw unreachableMessage(err, target, timeoutMs) ?? err;
  }
  if (res.status >= 400 && !options.accept?.includes(res.status)) {
    const error = apiErrorFrom(res, res.node);
    if (res.status === 401 && target.token === undefined) {
      error.message += " (no token was sent: pass --token or set REPLISTORE_TOKEN)";
    }
    if (res.status === 403 && target.role !== undefined) {
      error.message += ` (pass --token with a token that has the ${target.role} role, or set REPLISTORE_TOKEN to one)`;
    }
    throw error;
  }
  return { status: res.status, headers: res.headers, body: res.body, url: res.node };
}

export function jsonBody(response: StoreResponse): unknown {
  return jsonOf(response, response.url);
}
