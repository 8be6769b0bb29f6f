/**
 * How the operator itself talks to a store's nodes (conflict counts, drains), the way its review
 * page does (docs/review.md): the store's node pods are listed through the apiserver when needed
 * (the operator has no pod informer for leaderless stores, so its memory does not grow with their
 * pods), and each is reached at its pod IP and port 7070, which the store's NetworkPolicy
 * admits from the operator's pods, or, with `--review-via apiserver`, through the pod proxy.
 * The token, when the store has `auth`, comes from its Secret (read when needed, kept a minute).
 */
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { listStorePods, type PodRoute, podEndpoints, type StorePod } from "../review/store-pods.ts";
import { type NodeEndpoint, UnreachableError, type UpstreamResponse } from "../review/upstream.ts";
import { isNotFound } from "./api-errors.ts";
import { type ApiStats, countRead } from "./api-stats.ts";

const TOKEN_CACHE_MS = 60_000;
/** A node that does not answer in this long is treated as unreachable for this round. */
export const NODE_TIMEOUT_MS = 5_000;

export interface NodeAnswer {
  status: number;
  body: unknown;
  text: string;
}

export class NodeAccess {
  private readonly core: CoreV1Api;
  private readonly kubeConfig: KubeConfig;
  private readonly route: PodRoute;
  private readonly stats: ApiStats;
  private readonly tokens = new Map<string, { at: number; token: string | undefined }>();

  constructor(kubeConfig: KubeConfig, stats: ApiStats, route: PodRoute = "pod-ip") {
    this.kubeConfig = kubeConfig;
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.route = route;
    this.stats = stats;
  }

  /**
   * The store's node pods, ready ones first, listed afresh: callers ask rarely (a conflict count
   * once per resync period, a drain every few seconds while it lasts), and an IP seen a moment ago
   * may already belong to no pod.
   */
  storePods(namespace: string, store: string): Promise<StorePod[]> {
    countRead(this.stats);
    return listStorePods(this.core, namespace, store);
  }

  /** Endpoints of the pods that have an IP, in the order given. */
  endpoints(namespace: string, pods: readonly StorePod[]): NodeEndpoint[] {
    return podEndpoints(pods, this.route, this.kubeConfig, namespace);
  }

  /** The store's token from its auth Secret (key `token`); undefined without auth or Secret. */
  async token(namespace: string, secretName: string | undefined): Promise<string | undefined> {
    if (secretName === undefined) return undefined;
    const key = `${namespace}/${secretName}`;
    const cached = this.tokens.get(key);
    if (cached && Date.now() - cached.at < TOKEN_CACHE_MS) return cached.token;
    countRead(this.stats);
    let token: string | undefined;
    try {
      const secret = await this.core.readNamespacedSecret({ namespace, name: secretName });
      const data = secret.data?.token;
      token = data === undefined ? undefined : Buffer.from(data, "base64").toString("utf8").trim();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (this.tokens.size >= 1_000) this.tokens.clear();
    this.tokens.set(key, { at: Date.now(), token });
    return token;
  }
}

/** One request to one node; an unreachable node or a timeout is an UnreachableError. */
export async function askNode(
  endpoint: NodeEndpoint,
  method: "GET" | "POST",
  path: string,
  options: { token?: string | undefined; body?: unknown; timeoutMs?: number } = {},
): Promise<NodeAnswer> {
  let res: UpstreamResponse;
  try {
    res = await endpoint.call({
      method,
      path,
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.body !== undefined ? { body: Buffer.from(JSON.stringify(options.body)) } : {}),
      timeoutMs: options.timeoutMs ?? NODE_TIMEOUT_MS,
    });
  } catch (error) {
    if (error instanceof UnreachableError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new UnreachableError(endpoint.name, message);
  }
  const text = res.body.toString("utf8");
  let body: unknown;
  if (res.contentType.includes("json")) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: res.status, body, text };
}

/** `{"error", "message"}` from a node, or the status line, for messages. */
export function nodeError(answer: NodeAnswer): string {
  const body = answer.body as { error?: unknown; message?: unknown } | undefined;
  if (body && typeof body.message === "string")
    return `${String(body.error ?? answer.status)}: ${body.message}`;
  return `HTTP ${answer.status}${answer.text ? `: ${answer.text.slice(0, 200)}` : ""}`;
}
