/**
 * PUT, GET and DELETE of a plainly named key, served from Node's request event without fastify's
 * router, content-type parser, hooks, schema validation and serializer. On the client's hot path
 * that machinery cost a quarter of a request's CPU: an HTTPS server answering a 1 KiB PUT with the
 * write's JSON took 113 µs of CPU per request written against Node's API and 151 µs as a fastify
 * route (a 2-core AMD EPYC VM, Go load generator, 64 clients; docs/node.md).
 *
 * Only requests fastify would serve in exactly this way take the fast path: the key in plain
 * characters (nothing to percent-decode), no query but w, r and local with plain values, a body
 * of a declared length within the value limit (PUT) or none (GET, DELETE), a token that has the
 * route's role where the store has tokens, for a write a node that does not forward writes to a
 * leader, and a server that is not closing.
 * Everything else goes to fastify unread, whose routes stay the API's definition: its schemas,
 * docs and every refusal. Both serve through kv-operations.ts, and test/integration/kv-fast-path
 * checks that the two answer alike.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { type ClientTokens, hasClientTokens, type Role } from "../client-tokens.ts";
import { presentedToken, roleCovers, roleOf } from "./auth.ts";
import { errorResponse, INTERNAL_ERROR } from "./error-response.ts";
import type { ApiError } from "./errors.ts";
import {
  type KvNode,
  type KvQuery,
  observed,
  readKey,
  VERSION_HEADER,
  writeKey,
  writeQuorum,
} from "./kv-operations.ts";
import { validateKey } from "./validate.ts";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** A request the fast path takes: what it asks for, read from its head alone. */
export interface FastRequest {
  readonly op: "put" | "get" | "delete";
  readonly key: string;
  readonly query: KvQuery;
  /** PUT: the body's declared length */
  readonly length: number;
}

const PREFIX = "/v1/kv/";
/** Characters a path may carry that no router or decoder changes. */
const PLAIN_KEY = /^[A-Za-z0-9._~:/-]+$/;
const PLAIN_VALUE = /^[A-Za-z0-9]*$/;
const QUERY_NAMES = new Set(["w", "r", "local"]);
const OPS: Readonly<Record<string, FastRequest["op"]>> = { PUT: "put", GET: "get", DELETE: "delete" };
const NEEDS: Readonly<Record<FastRequest["op"], Role>> = { put: "write", get: "read", delete: "write" };

const JSON_TYPE = "application/json; charset=utf-8";

/** The query when every parameter is a known one, once, with a plain value; undefined otherwise. */
function plainQuery(text: string): KvQuery | undefined {
  const query: Record<string, string> = {};
  for (const pair of text.split("&")) {
    const eq = pair.indexOf("=");
    if (eq < 0) return undefined;
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (!QUERY_NAMES.has(name) || name in query || !PLAIN_VALUE.test(value)) return undefined;
    query[name] = value;
  }
  return query;
}

/**
 * What `req` asks for when the fast path may serve it; undefined when fastify must. Reads only the
 * request's head, so a request handed on to fastify is untouched.
 */
export function fastRequest(
  req: Pick<IncomingMessage, "method" | "url" | "headers">,
  maxValueBytes: number,
  tokens: ClientTokens | undefined,
): FastRequest | undefined {
  const op = OPS[req.method ?? ""];
  const url = req.url ?? "";
  if (!op || !url.startsWith(PREFIX)) return undefined;
  const q = url.indexOf("?");
  const key = url.slice(PREFIX.length, q < 0 ? undefined : q);
  if (!PLAIN_KEY.test(key)) return undefined;
  const query = q < 0 ? {} : plainQuery(url.slice(q + 1));
  if (!query) return undefined;
  const { headers } = req;
  if (headers["transfer-encoding"] !== undefined) return undefined;
  const declared = headers["content-length"];
  const length = declared === undefined ? 0 : /^\d+$/.test(declared) ? Number(declared) : -1;
  if (length < 0 || (op === "put" ? length > maxValueBytes : length > 0)) return undefined;
  if (hasClientTokens(tokens) && !roleCovers(roleOf(tokens, presentedToken(headers)), NEEDS[op])) {
    return undefined;
  }
  return { op, key, query, length };
}

/** What the fast path needs of the node. */
export type FastPathNode = KvNode & { readonly log: Logger; readonly clientTokens: ClientTokens | undefined };

/**
 * Puts the fast path in front of the server's request listener (fastify's), which gets every
 * request the fast path does not take. `closing`: true once the server began to close, when
 * fastify answers new requests with its 503.
 */
export function installKvFastPath(server: Server, node: FastPathNode, closing: () => boolean): void {
  const listeners = server.listeners("request") as Listener[];
  const [fastify] = listeners;
  if (listeners.length !== 1 || !fastify) {
    throw new Error(`expected fastify's one request listener on the server, found ${listeners.length}`);
  }
  server.removeListener("request", fastify);
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const fast = closing()
      ? undefined
      : fastRequest(req, node.config().limits.maxValueBytes, node.clientTokens);
    // Reads are served wherever they land; only writes go to a leader.
    if (!fast || (fast.op !== "get" && node.replication.forwardTo())) {
      fastify(req, res);
      return;
    }
    if (fast.op !== "put") {
      serve(node, fast, null, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => serve(node, fast, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), res));
    // A client gone mid-body: nothing was stored and nobody is left to answer.
    req.on("error", () => undefined);
  });
}

function serve(node: FastPathNode, fast: FastRequest, value: Uint8Array | null, res: ServerResponse): void {
  const { metrics } = node;
  const done =
    fast.op === "get"
      ? observed(
          metrics,
          "get",
          () => readKey(node, validateKey(fast.key), fast.query),
          (a) => (a.found ? "ok" : "not_found"),
        ).then((got) => {
          const version: Record<string, string> = got.version ? { [VERSION_HEADER]: got.version } : {};
          if (got.found)
            send(res, 200, { ...version, "content-type": "application/octet-stream" }, got.value);
          else sendJson(res, 404, got.error, version);
        })
      : observed(
          metrics,
          fast.op,
          () => writeKey(node, validateKey(fast.key), value, writeQuorum(node, fast.query)),
          () => "ok",
        ).then((answer) => send(res, 200, { "content-type": JSON_TYPE }, JSON.stringify(answer)));
  done.catch((err: unknown) => {
    const mapped = errorResponse(err);
    if (!mapped) node.log.error({ err, url: `${PREFIX}${fast.key}`, method: fast.op }, "request failed");
    const { status, body } = mapped ?? INTERNAL_ERROR;
    sendJson(res, status, body);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: ApiError,
  headers: Record<string, string> = {},
): void {
  send(res, status, { ...headers, "content-type": JSON_TYPE }, JSON.stringify(body));
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Uint8Array,
): void {
  if (res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    "content-length": typeof body === "string" ? Buffer.byteLength(body) : body.byteLength,
  });
  res.end(body);
}
