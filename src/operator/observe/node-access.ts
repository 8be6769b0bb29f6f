/**
 * How the operator itself talks to a store's nodes (conflict counts, drains), the way its review
 * page does (docs/review.md): the store's node pods are listed through the apiserver when needed
 * (the operator has no pod informer for leaderless stores, so its memory does not grow with their
 * pods), and each is reached at its pod IP and port 7070, which the store's NetworkPolicy
 * admits from the operator's pods, or, with `--review-via apiserver`, through the pod proxy.
 * The token, when the store has `auth`, comes from its Secret (read when needed, kept a minute).
 * The CA bundle comes from the operator's ConfigMap cache when it holds it (the operator writes
 * `<store>-ca` and watches it), otherwise from the apiserver, kept a minute.
 */
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { storeServerName } from "../../builders/tls-names.ts";
import {
  listStorePods,
  type PodRoute,
  podEndpoints,
  type StorePod,
} from "../../client/discovery/store-pods.ts";
import type { NodeEndpoint, NodeRequest } from "../../client/endpoint.ts";
import { UnreachableError } from "../../client/errors.ts";
import { httpEndpoint } from "../../client/http-endpoint.ts";
import { isNotFound } from "../controller/api-errors.ts";
import { type ApiStats, countRead } from "../controller/api-stats.ts";

const TOKEN_CACHE_MS = 60_000;
/** A node that does not answer in this long is treated as unreachable for this round. */
export const NODE_TIMEOUT_MS = 5_000;

/** A request to one node with the operator's timeout, a JSON body and the token when there is one. */
export function nodeRequest(
  method: NodeRequest["method"],
  path: string,
  options: { token?: string | undefined; body?: unknown } = {},
): NodeRequest {
  return {
    method,
    path,
    timeoutMs: NODE_TIMEOUT_MS,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.body !== undefined ? { body: Buffer.from(JSON.stringify(options.body)) } : {}),
  };
}

/** A ConfigMap as the operator's informer cache holds it; undefined when the cache has none. */
export type CachedConfigMap = (
  namespace: string,
  name: string,
) => { data?: Record<string, string> } | undefined;

export class NodeAccess {
  private readonly core: CoreV1Api;
  private readonly kubeConfig: KubeConfig;
  private readonly route: PodRoute;
  private readonly stats: ApiStats;
  private readonly tokens = new Map<string, { at: number; token: string | undefined }>();
  private readonly cas = new Map<string, { at: number; ca: string | undefined }>();
  private readonly cachedConfigMap: CachedConfigMap;

  constructor(
    kubeConfig: KubeConfig,
    stats: ApiStats,
    route: PodRoute = "pod-ip",
    cachedConfigMap: CachedConfigMap = () => undefined,
  ) {
    this.kubeConfig = kubeConfig;
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.route = route;
    this.stats = stats;
    this.cachedConfigMap = cachedConfigMap;
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

  /**
   * Endpoints of the store's pods, over https checked against the store's CA bundle when it has
   * one (the `<store>-ca` ConfigMap, published in every TLS mode, removed with TLS Disabled), under
   * the client Service's name, which the store certificate covers. Through the pod proxy, https
   * when the store has a CA bundle (the apiserver dials the pod and checks no certificate).
   */
  async storeEndpoints(namespace: string, store: string, pods: readonly StorePod[]): Promise<NodeEndpoint[]> {
    const ca = await this.caBundle(namespace, store);
    // through the pod proxy the apiserver dials the pod: it needs only the scheme
    if (this.route === "apiserver") {
      return podEndpoints(pods, this.route, this.kubeConfig, namespace, { tls: ca !== undefined });
    }
    if (ca === undefined) return this.endpoints(namespace, pods);
    const servername = storeServerName(store, namespace);
    return pods.flatMap((pod) => {
      if (!pod.ip) return [];
      const host = pod.ip.includes(":") ? `[${pod.ip}]` : pod.ip;
      return [httpEndpoint(pod.name, `https://${host}:${pod.port}`, { ca, servername })];
    });
  }

  /**
   * ca.crt of the store's `<store>-ca` ConfigMap; undefined when there is none. From the cache when
   * it has the ConfigMap (a renewed CA shows at once, and a steady store costs no read), else read
   * and kept a minute (a store with TLS Disabled has none to cache).
   */
  private async caBundle(namespace: string, store: string): Promise<string | undefined> {
    const cached = this.cachedConfigMap(namespace, `${store}-ca`)?.data?.["ca.crt"];
    if (cached) return cached;
    return this.readCaBundle(namespace, store);
  }

  private async readCaBundle(namespace: string, store: string): Promise<string | undefined> {
    const key = `${namespace}/${store}`;
    const cached = this.cas.get(key);
    if (cached && Date.now() - cached.at < TOKEN_CACHE_MS) return cached.ca;
    countRead(this.stats);
    let ca: string | undefined;
    try {
      const map = await this.core.readNamespacedConfigMap({ namespace, name: `${store}-ca` });
      ca = map.data?.["ca.crt"] || undefined;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (this.cas.size >= 1_000) this.cas.clear();
    this.cas.set(key, { at: Date.now(), ca });
    return ca;
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

/** Why `endpoint` gave no answer, naming the node (the client's UnreachableError already does). */
export function failureOf(endpoint: NodeEndpoint, error: unknown): string {
  if (error instanceof UnreachableError) return error.message;
  return `${endpoint.name}: ${error instanceof Error ? error.message : String(error)}`;
}
