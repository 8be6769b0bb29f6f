/**
 * The repair job's HTTP client for one node: a keep-alive pool, msgpack bodies, a timeout on every
 * call, and byte counting shared by the whole run (the figures the job reports and the bench checks).
 */
import { pack, unpack } from "msgpackr";
import type { Static, TSchema } from "typebox";
import Type from "typebox";
import { Pool } from "undici";
import { type Checker, checker } from "../wire/decode.ts";
import { MSGPACK } from "../wire/peer-batch.ts";
import { connectOptions, type RepairWire } from "./wire-credentials.ts";

/** Peer routes: on the member's peer URL, with peer credentials rather than the client token. */
const PEER_PREFIX = "/internal/";
const PEER_SECRET_HEADER = "x-replistore-peer-secret";

export interface PathTraffic {
  bytesSent: number;
  bytesReceived: number;
  requests: number;
}

/** Bytes of request and response bodies, and requests made, over the whole run and per endpoint. */
export class Traffic {
  bytesSent = 0;
  bytesReceived = 0;
  requests = 0;
  /** Keyed by the path's last segment (summary, level, keys, records, apply, ...). */
  readonly byEndpoint: Record<string, PathTraffic> = {};

  count(path: string, sent: number, received: number): void {
    const name = path.slice(path.lastIndexOf("/") + 1);
    const entry = this.byEndpoint[name] ?? { bytesSent: 0, bytesReceived: 0, requests: 0 };
    this.byEndpoint[name] = entry;
    entry.bytesSent += sent;
    entry.bytesReceived += received;
    entry.requests++;
    this.bytesSent += sent;
    this.bytesReceived += received;
    this.requests++;
  }
}

/** A call to a node that failed; `unreachable` when it never got an answer (connect, reset, timeout). */
export class NodeCallError extends Error {
  readonly node: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly unreachable: boolean;

  constructor(
    node: string,
    message: string,
    details: { status?: number; code?: string; unreachable?: boolean },
  ) {
    super(`${node}: ${message}`);
    this.name = "NodeCallError";
    this.node = node;
    this.status = details.status;
    this.code = details.code;
    this.unreachable = details.unreachable ?? false;
  }
}

export interface CallOptions {
  timeoutMs?: number;
  /** Statuses handed back instead of thrown (e.g. 409 from the lock). */
  accept?: readonly number[];
  /**
   * Statuses among `accept` whose body is the answer's schema too (the lock's 409 names the
   * holder); the bodies of other accepted statuses are the node's JSON error and are not read.
   */
  sameShape?: readonly number[];
}

/** For calls whose answer nothing reads (a report, an unlock): any body will do. */
export const ANY_ANSWER = Type.Unknown();

/** Compiled once per schema: the job checks thousands of answers with the same few schemas. */
const checkers = new WeakMap<TSchema, Checker<TSchema>>();
function checkerFor<S extends TSchema>(schema: S): Checker<S> {
  let c = checkers.get(schema);
  if (!c) {
    c = checker(schema);
    checkers.set(schema, c);
  }
  return c as Checker<S>;
}

interface Raw {
  status: number;
  raw: Buffer;
  type: string;
}

export interface Answer<T> {
  status: number;
  body: T;
}

/** Statuses worth one more try: the node is starting, shutting down or overloaded. */
const RETRY_STATUSES = new Set([502, 503, 504]);
/** Failures before or while the request reached the node. Timeouts are not retried: a slow scan would only repeat. */
const RETRY_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const RETRY_DELAYS_MS = [200, 1_000];

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  EHOSTUNREACH: "host unreachable",
  UND_ERR_CONNECT_TIMEOUT: "connect timed out",
  UND_ERR_HEADERS_TIMEOUT: "no answer in time",
  UND_ERR_BODY_TIMEOUT: "answer stalled",
  UND_ERR_SOCKET: "connection closed",
};

function errorCode(err: unknown): string {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ("code" in e && typeof e.code === "string" && e.code !== "") return e.code;
  }
  return "";
}

function errorMessage(status: number, raw: Buffer): string {
  try {
    const parsed: unknown = JSON.parse(raw.toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && "message" in parsed) {
      const message = (parsed as { message: unknown }).message;
      if (typeof message === "string") return `${message} (HTTP ${status})`;
    }
  } catch {
    // not the node's JSON error: show the start of whatever came back
  }
  const text = raw.toString("utf8").trim().slice(0, 200);
  return `HTTP ${status}${text ? `: ${text}` : ""}`;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class NodeClient {
  readonly id: string;
  readonly url: string;
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly peerPool: Pool;
  private readonly peerPrefix: string;
  private readonly peerSecret: string | undefined;
  private readonly token: string | undefined;
  private readonly traffic: Traffic;
  private readonly defaultTimeoutMs: number;

  constructor(
    id: string,
    url: string,
    token: string | undefined,
    traffic: Traffic,
    timeoutMs: number,
    peer: { peerUrl?: string | undefined; wire?: RepairWire } = {},
  ) {
    this.id = id;
    this.url = url;
    const wire = peer.wire ?? {};
    const pool = (base: string) =>
      new Pool(new URL(base).origin, {
        connections: 4,
        keepAliveTimeout: 30_000,
        connect: { timeout: Math.min(timeoutMs, 5_000), ...connectOptions(wire) },
      });
    this.prefix = new URL(url).pathname.replace(/\/+$/, "");
    this.pool = pool(url);
    const peerUrl = peer.peerUrl ?? url;
    this.peerPrefix = new URL(peerUrl).pathname.replace(/\/+$/, "");
    this.peerPool = peerUrl === url ? this.pool : pool(peerUrl);
    this.peerSecret = wire.peerSecret;
    this.token = token;
    this.traffic = traffic;
    this.defaultTimeoutMs = timeoutMs;
  }

  /** GET, with the answer checked against `schema` (src/wire) before anyone reads it. */
  async getJson<S extends TSchema>(
    path: string,
    schema: S,
    options: CallOptions = {},
  ): Promise<Answer<Static<S>>> {
    return this.decoded("GET", path, schema, await this.call("GET", path, undefined, options), options);
  }

  /** POST a msgpack body, with the answer checked against `schema` (src/wire) before anyone reads it. */
  async post<S extends TSchema>(
    path: string,
    body: unknown,
    schema: S,
    options: CallOptions = {},
  ): Promise<Answer<Static<S>>> {
    return this.decoded("POST", path, schema, await this.call("POST", path, pack(body), options), options);
  }

  /**
   * Decodes by content type, then checks a success (or a `sameShape` status) against the schema:
   * a node that answers something else (a bug, a different version, a proxy) fails this call with
   * an error naming the node and the field, instead of feeding the repair garbage.
   */
  private decoded<S extends TSchema>(
    method: string,
    path: string,
    schema: S,
    answer: Raw,
    options: CallOptions,
  ): Answer<Static<S>> {
    let body: unknown;
    try {
      body = answer.type.includes("json") ? JSON.parse(answer.raw.toString("utf8")) : unpack(answer.raw);
    } catch {
      throw new NodeCallError(
        this.id,
        `${method} ${path} answered a body that is not ${answer.type || "decodable"}`,
        { status: answer.status, code: "malformed_answer" },
      );
    }
    const shaped = answer.status < 300 || (options.sameShape?.includes(answer.status) ?? false);
    const check = checkerFor(schema);
    if (shaped && !check.check(body)) {
      throw new NodeCallError(
        this.id,
        `${method} ${path} answered a malformed body (HTTP ${answer.status}): ${check.explain(body, "answer")}; ` +
          "is this node running the same replistore version as the repair job?",
        { status: answer.status, code: "malformed_answer" },
      );
    }
    // Unchecked only for an accepted error status, whose body the caller does not read.
    return { status: answer.status, body: body as Static<S> };
  }

  /**
   * GET a peer route whose answer is a stream (a backup snapshot): the body's chunks as they come.
   * Not retried: a stream cut half-way is the caller's to restart. `idleMs` bounds a stall between
   * chunks, not the whole stream.
   */
  async stream(path: string, idleMs: number): Promise<AsyncIterable<Uint8Array>> {
    const headers: Record<string, string> = { accept: MSGPACK };
    if (this.peerSecret !== undefined) headers[PEER_SECRET_HEADER] = this.peerSecret;
    let res: Awaited<ReturnType<Pool["request"]>>;
    try {
      res = await this.peerPool.request({
        method: "GET",
        path: this.peerPrefix + path,
        headers,
        headersTimeout: this.defaultTimeoutMs,
        bodyTimeout: idleMs,
      });
    } catch (err) {
      const code = errorCode(err);
      const reason = REASONS[code] ?? (err instanceof Error ? err.message : String(err));
      throw new NodeCallError(this.id, `unreachable at ${this.url} (${reason}; GET ${path})`, {
        code,
        unreachable: true,
      });
    }
    if (res.statusCode >= 300) {
      const raw = Buffer.from(await res.body.arrayBuffer());
      throw new NodeCallError(this.id, `GET ${path}: ${errorMessage(res.statusCode, raw)}`, {
        status: res.statusCode,
        unreachable: RETRY_STATUSES.has(res.statusCode),
      });
    }
    const traffic = this.traffic;
    const body = res.body;
    return {
      async *[Symbol.asyncIterator]() {
        let received = 0;
        try {
          for await (const chunk of body) {
            received += (chunk as Buffer).byteLength;
            yield chunk as Buffer;
          }
        } finally {
          traffic.count(path, 0, received);
        }
      },
    };
  }

  async close(): Promise<void> {
    await this.pool.close();
    if (this.peerPool !== this.pool) await this.peerPool.close();
  }

  private async call(
    method: "GET" | "POST",
    path: string,
    body: Buffer | undefined,
    options: CallOptions,
  ): Promise<Raw> {
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await this.once(method, path, body, options);
        if (RETRY_STATUSES.has(answer.status) && attempt < RETRY_DELAYS_MS.length) {
          await pause(RETRY_DELAYS_MS[attempt]!);
          continue;
        }
        if (answer.status >= 400 && !options.accept?.includes(answer.status)) {
          throw new NodeCallError(this.id, `${method} ${path}: ${errorMessage(answer.status, answer.raw)}`, {
            status: answer.status,
            unreachable: RETRY_STATUSES.has(answer.status),
          });
        }
        return answer;
      } catch (err) {
        if (err instanceof NodeCallError) throw err;
        const code = errorCode(err);
        if (RETRY_CODES.has(code) && attempt < RETRY_DELAYS_MS.length) {
          await pause(RETRY_DELAYS_MS[attempt]!);
          continue;
        }
        const reason = REASONS[code] ?? (err instanceof Error ? err.message : String(err));
        throw new NodeCallError(this.id, `unreachable at ${this.url} (${reason}; ${method} ${path})`, {
          code,
          unreachable: true,
        });
      }
    }
  }

  private async once(
    method: "GET" | "POST",
    path: string,
    body: Buffer | undefined,
    options: CallOptions,
  ): Promise<Raw> {
    const timeout = options.timeoutMs ?? this.defaultTimeoutMs;
    const headers: Record<string, string> = { accept: body ? MSGPACK : "application/json" };
    if (body) headers["content-type"] = MSGPACK;
    const peerRoute = path.startsWith(PEER_PREFIX);
    if (peerRoute) {
      if (this.peerSecret !== undefined) headers[PEER_SECRET_HEADER] = this.peerSecret;
    } else if (this.token !== undefined) {
      headers.authorization = `Bearer ${this.token}`;
    }
    const res = await (peerRoute ? this.peerPool : this.pool).request({
      method,
      path: (peerRoute ? this.peerPrefix : this.prefix) + path,
      headers,
      body: body ?? null,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const raw = Buffer.from(await res.body.arrayBuffer());
    // Counted once answered: a request that never got through moved no bytes worth reporting.
    this.traffic.count(path, body?.byteLength ?? 0, raw.byteLength);
    const type = res.headers["content-type"];
    return { status: res.statusCode, raw, type: (Array.isArray(type) ? type[0] : type) ?? "" };
  }
}
