/**
 * A KubeConfig whose API clients share one connection pool. client-node 2.x gives every request a
 * new undici Agent, so each request opens (and leaves behind) its own TLS connection, with a fresh
 * OpenSSL context for the CA and client certificate: at a few thousand requests that was hundreds
 * of MiB of native memory and a TLS handshake per request. Here the first Agent made for a given
 * cluster and user is kept and reused; headers (tokens, which may rotate) are still applied to every
 * request. Certificates are read when the pool is made, so rotating a client certificate file needs
 * a restart (in-cluster service accounts authenticate by token and are not affected).
 */
import { KubeConfig, type RequestContext } from "@kubernetes/client-node";

type Dispatcher = NonNullable<ReturnType<RequestContext["getDispatcher"]>>;

export class PooledKubeConfig extends KubeConfig {
  private readonly pools = new Map<string, Dispatcher>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (!fresh) return;
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    const key = JSON.stringify([cluster?.name, cluster?.server, user?.name]);
    const pooled = this.pools.get(key);
    if (pooled) {
      context.setDispatcher(pooled);
    } else {
      this.pools.set(key, fresh);
    }
  }

  /** Closes the pooled connections (when the operator stops). */
  async closePools(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close().catch(() => {})));
  }
}

/** The same clusters, users and contexts as `config`, with pooled connections. */
export function pooled(config: KubeConfig): PooledKubeConfig {
  if (config instanceof PooledKubeConfig) return config;
  const copy = new PooledKubeConfig();
  copy.loadFromOptions({
    clusters: config.getClusters(),
    users: config.getUsers(),
    contexts: config.getContexts(),
    currentContext: config.getCurrentContext(),
  });
  return copy;
}
