import { Agent, type Dispatcher, request } from "undici";
import { parseMetrics, type Sample } from "./metrics.ts";

/** One keep-alive agent for every test request; timeouts so a hung node fails a test instead of hanging it. */
const agent = new Agent({
  keepAliveTimeout: 2_000,
  headersTimeout: 30_000,
  bodyTimeout: 30_000,
  connect: { timeout: 5_000 },
});

export type Json = Record<string, unknown>;

export interface Reply {
  status: number;
  headers: Record<string, string>;
  bytes: Buffer;
  text: string;
  /** the parsed JSON object when the reply is JSON, otherwise {} */
  body: Json;
  /** true when the reply declared and parsed as JSON */
  isJson: boolean;
  /** X-Replistore-Version, when present */
  version: string | undefined;
}

/** One agent per CA (and client certificate), for stores started with TLS. */
const tlsAgents = new Map<string, Agent>();

function agentFor(ca: string | undefined, peer: PeerCertificate | undefined): Agent {
  if (ca === undefined) return agent;
  const key = `${ca}|${peer?.cert ?? ""}`;
  let a = tlsAgents.get(key);
  if (!a) {
    a = new Agent({
      keepAliveTimeout: 2_000,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
      connect: { timeout: 5_000, ca, ...(peer ? { cert: peer.cert, key: peer.key } : {}) },
    });
    tlsAgents.set(key, a);
  }
  return a;
}

/** The store's certificate, which makes a caller its peer on the peer routes (mutual TLS). */
export interface PeerCertificate {
  cert: string;
  key: string;
}

export interface RequestOptions {
  /** the CA that signed the node's certificate (https URLs) */
  ca?: string;
  /** with `ca`: present this certificate (a peer route of a TLS store) */
  peer?: PeerCertificate;
  body?: string | Buffer | Dispatcher.DispatchOptions["body"];
  headers?: Record<string, string>;
  token?: string | null;
  /** per-request timeout for headers and body, ms */
  timeoutMs?: number;
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Sends one HTTP request to `baseUrl + path` and reads the whole reply. */
export async function send(
  baseUrl: string,
  method: Dispatcher.HttpMethod,
  path: string,
  options: RequestOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await request(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body ?? null,
    dispatcher: agentFor(options.ca, options.peer),
    ...(options.timeoutMs ? { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs } : {}),
  });
  const bytes = Buffer.from(await response.body.arrayBuffer());
  const flat = flatten(response.headers);
  const text = bytes.toString("utf8");
  let body: Json = {};
  let isJson = false;
  if ((flat["content-type"] ?? "").includes("json")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null) {
        body = parsed as Json;
        isJson = true;
      }
    } catch {
      // leave body empty: the test will see isJson === false
    }
  }
  return {
    status: response.statusCode,
    headers: flat,
    bytes,
    text,
    body,
    isJson,
    version: flat["x-replistore-version"],
  };
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "";
  return `?${entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&")}`;
}

export const keyPath = (key: string) => `/v1/kv/${encodeURIComponent(key)}`;

export interface KvOptions {
  w?: number | string;
  r?: number | string;
  local?: boolean;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** A client of one node's public API. `token` is sent as a Bearer token when set. */
export class StoreClient {
  readonly url: string;
  readonly token: string | undefined;
  readonly ca: string | undefined;

  constructor(url: string, token?: string, ca?: string) {
    this.url = url;
    this.token = token;
    this.ca = ca;
  }

  request(method: Dispatcher.HttpMethod, path: string, options: RequestOptions = {}): Promise<Reply> {
    return send(this.url, method, path, {
      token: this.token,
      ...(this.ca !== undefined ? { ca: this.ca } : {}),
      ...options,
    });
  }

  put(key: string, value: string | Buffer, options: KvOptions = {}): Promise<Reply> {
    return this.request("PUT", keyPath(key) + query({ w: options.w }), {
      body: value,
      headers: { "content-type": "application/octet-stream", ...options.headers },
      timeoutMs: options.timeoutMs,
    });
  }

  get(key: string, options: KvOptions = {}): Promise<Reply> {
    const params = { r: options.r, local: options.local ? "true" : undefined };
    return this.request("GET", keyPath(key) + query(params), {
      headers: options.headers,
      timeoutMs: options.timeoutMs,
    });
  }

  del(key: string, options: KvOptions = {}): Promise<Reply> {
    return this.request("DELETE", keyPath(key) + query({ w: options.w }), {
      headers: options.headers,
      timeoutMs: options.timeoutMs,
    });
  }

  status(): Promise<Reply> {
    return this.request("GET", "/v1/status", { timeoutMs: 5_000 });
  }

  async metrics(): Promise<Sample[]> {
    const reply = await this.request("GET", "/metrics", { timeoutMs: 5_000 });
    if (reply.status !== 200) throw new Error(`GET /metrics: ${reply.status} ${reply.text}`);
    return parseMetrics(reply.text);
  }

  /** GET /v1/conflicts with query parameters, e.g. {kind: "partial_write"}. */
  conflicts(query: Record<string, string> = {}): Promise<Reply> {
    const qs = new URLSearchParams(query).toString();
    return this.request("GET", `/v1/conflicts${qs ? `?${qs}` : ""}`, { timeoutMs: 5_000 });
  }

  resolve(id: string, body: Record<string, unknown>): Promise<Reply> {
    return this.request("POST", `/v1/conflicts/${id}/resolve`, {
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
      timeoutMs: 10_000,
    });
  }
}

/** Closes the shared agent (only for scripts that want to exit promptly). */
export function closeClients(): Promise<void> {
  return agent.close();
}
