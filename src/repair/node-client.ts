/**
 * The repair job's HTTP client for one node: a keep-alive pool, msgpack bodies, a timeout on every
 * call, and byte counting shared by the whole run (the figures the job reports and the bench checks).
 */
import { pack, unpack } from "msgpackr";
import { Pool } from "undici";
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

  async getJson<T>(path: string, options: CallOptions = {}): Promise<Answer<T>> {
    return this.decoded<T>("GET", path, await this.call("GET", path, undefined, options));
  }

  async post<T>(path: string, body: unknown, options: CallOptions = {}): Promise<Answer<T>> {
    return this.decoded<T>("POST", path, await this.call("POST", path, pack(body), options));
  }

  /** By content type: accepted error statuses come back as the node's JSON error. */
  private decoded<T>(method: string, path: string, answer: Raw): Answer<T> {
    try {
      const body = answer.type.includes("json")
        ? JSON.parse(answer.raw.toString("utf8"))
        : unpack(answer.raw);
      return { status: answer.status, body: body as T };
    } catch {
      throw new NodeCallError(
        this.id,
        `${method} ${path} answered a body that is not ${answer.type || "decodable"}`,
        {
          status: answer.status,
        },
      );
    }
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
