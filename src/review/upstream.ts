/**
 * How the review page's server and `kubectl replistore` reach a store's nodes: an ordered list of
 * endpoints, tried in turn while a node cannot be reached. Two kinds:
 *
 * - `httpEndpoint`: a node's URL (replistore up's members; a pod IP from inside the cluster). The
 *   token goes in `Authorization: Bearer`.
 * - `podProxyEndpoint`: the Kubernetes apiserver's pod proxy subresource
 *   (`/api/v1/namespaces/NS/pods/POD:PORT/proxy/...`), authenticated with the kubeconfig's own
 *   credentials. The apiserver removes the Authorization header of every request it authenticates
 *   before proxying, so the store's token travels in `X-Replistore-Token`, which nodes accept too.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { request } from "undici";

export interface UpstreamRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** path and query, e.g. /v1/conflicts?status=pending */
  path: string;
  body?: Buffer;
  /** the store's token, when the caller has one */
  token?: string;
  timeoutMs?: number;
}

export interface UpstreamResponse {
  status: number;
  contentType: string;
  body: Buffer;
  /** which endpoint answered */
  node: string;
}

export interface NodeEndpoint {
  /** a member id or pod name, for messages */
  name: string;
  call(req: UpstreamRequest): Promise<UpstreamResponse>;
}

/** The endpoint could not be reached (nothing was processed): the next one may be tried. */
export class UnreachableError extends Error {
  readonly node: string;
  constructor(node: string, reason: string) {
    super(`${node}: ${reason}`);
    this.node = node;
    this.name = "UnreachableError";
  }
}

/** Every endpoint failed before a node answered. */
export class NoNodeReachableError extends Error {
  readonly failures: string[];
  constructor(failures: string[]) {
    super(failures.length ? `no node answered: ${failures.join("; ")}` : "the store has no nodes to ask");
    this.failures = failures;
    this.name = "NoNodeReachableError";
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;

const CONNECT_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

function errorCode(err: unknown): string {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ("code" in e && typeof e.code === "string" && e.code !== "") return e.code;
  }
  return "";
}

function reason(err: unknown): string {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** A node reached directly at `baseUrl` (http://host:port). */
export function httpEndpoint(name: string, baseUrl: string): NodeEndpoint {
  const base = baseUrl.replace(/\/+$/, "");
  return {
    name,
    async call(req) {
      const headers: Record<string, string> = {};
      if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
      if (req.body !== undefined) headers["content-type"] = "application/json";
      const timeout = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      try {
        const res = await request(base + req.path, {
          method: req.method,
          headers,
          body: req.body,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
        const body = Buffer.from(await res.body.arrayBuffer());
        return {
          status: res.statusCode,
          contentType: String(res.headers["content-type"] ?? ""),
          body,
          node: name,
        };
      } catch (err) {
        if (CONNECT_ERRORS.has(errorCode(err))) throw new UnreachableError(name, reason(err));
        throw err;
      }
    },
  };
}

/** A Kubernetes Status object, which is how the apiserver (not the node) answers. */
function apiserverStatus(res: UpstreamResponse): { message: string; code: number } | undefined {
  if (!res.contentType.includes("json")) return undefined;
  try {
    const parsed = JSON.parse(res.body.toString("utf8")) as {
      kind?: unknown;
      message?: unknown;
      code?: unknown;
    };
    if (parsed.kind !== "Status") return undefined;
    return { message: String(parsed.message ?? ""), code: Number(parsed.code ?? res.status) };
  } catch {
    return undefined;
  }
}

/** Refused by the apiserver itself (RBAC, authentication): no other pod will do better. */
export class ApiserverRefusedError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.name = "ApiserverRefusedError";
  }
}

/** Pod `pod` in `namespace`, port `port`, through the apiserver's pod proxy. */
export function podProxyEndpoint(kc: KubeConfig, namespace: string, pod: string, port: number): NodeEndpoint {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error("the kubeconfig names no cluster server");
  const prefix = `${server.replace(/\/+$/, "")}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}:${port}/proxy`;
  return {
    name: pod,
    async call(req) {
      const url = new URL(prefix + req.path);
      const options: RequestOptions = { method: req.method, headers: {} };
      await kc.applyToHTTPSOptions(options);
      const headers = options.headers as Record<string, string>;
      if (req.token !== undefined) headers["x-replistore-token"] = req.token;
      if (req.body !== undefined) {
        headers["content-type"] = "application/json";
        headers["content-length"] = String(req.body.byteLength);
      }
      const res = await send(url, options, req.body, req.timeoutMs ?? DEFAULT_TIMEOUT_MS).catch((err) => {
        if (CONNECT_ERRORS.has(errorCode(err))) {
          throw new UnreachableError(pod, `apiserver ${url.host}: ${reason(err)}`);
        }
        throw err;
      });
      const answer = { ...res, node: pod };
      const status = apiserverStatus(answer);
      if (status) {
        // A node never answers with a Kubernetes Status: this is the apiserver speaking.
        if (answer.status === 401 || answer.status === 403) {
          throw new ApiserverRefusedError(
            answer.status,
            `the Kubernetes apiserver refused: ${status.message} (this needs get and create on pods/proxy, and list on pods)`,
          );
        }
        // It could not proxy to this pod (connection refused, no route, an address it will not
        // proxy to, the pod gone): another pod may do.
        throw new UnreachableError(pod, status.message || `HTTP ${answer.status} from the apiserver`);
      }
      return answer;
    },
  };
}

function send(
  url: URL,
  options: RequestOptions,
  body: Buffer | undefined,
  timeoutMs: number,
): Promise<Omit<UpstreamResponse, "node">> {
  return new Promise((resolve, reject) => {
    const make = url.protocol === "http:" ? httpRequest : httpsRequest;
    const req = make(url, { ...options, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"] ?? ""),
          body: Buffer.concat(chunks),
        }),
      );
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end(body);
  });
}

/** Asks each endpoint in turn until one answers (any HTTP status from a node counts as an answer). */
export async function callFirst(
  endpoints: readonly NodeEndpoint[],
  req: UpstreamRequest,
): Promise<UpstreamResponse> {
  const failures: string[] = [];
  for (const endpoint of endpoints) {
    try {
      return await endpoint.call(req);
    } catch (err) {
      if (err instanceof UnreachableError) {
        failures.push(err.message);
        continue;
      }
      throw err;
    }
  }
  throw new NoNodeReachableError(failures);
}
