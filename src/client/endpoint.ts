/**
 * A way to one node of a store: directly at its URL (http-endpoint.ts) or through the Kubernetes
 * apiserver's pod proxy (pod-proxy.ts). Each carries the store's token the way its route needs.
 */
export type NodeMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface NodeRequest {
  method: NodeMethod;
  /** path and query, e.g. /v1/conflicts?status=pending */
  path: string;
  body?: Buffer;
  /** the body's type; application/json when unset */
  contentType?: string;
  /** the store's token, when the caller has one */
  token?: string;
  timeoutMs?: number;
}

export interface NodeResponse {
  status: number;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** which endpoint answered */
  node: string;
}

export interface NodeEndpoint {
  /** a member id, pod name or URL, for messages */
  readonly name: string;
  /**
   * Any HTTP answer of the node resolves; a failure to get one rejects with an UnreachableError
   * (errors.ts) when the connection-error list knows it.
   */
  call(req: NodeRequest): Promise<NodeResponse>;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** The path with a query appended; undefined values are left out. */
export function withQuery(
  path: string,
  query: Readonly<Record<string, string | number | boolean | undefined>> | undefined,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text === "" ? path : `${path}${path.includes("?") ? "&" : "?"}${text}`;
}
