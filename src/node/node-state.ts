import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { ClusterConfig } from "../config/cluster-config.ts";
import type { ClientTokens } from "./client-tokens.ts";

/** Who this node is, whether it serves, and the config in force: what every part reads. */
export interface NodeIdentity {
  readonly selfId: string;
  readonly log: Logger;
  readonly token: string | undefined;
  /** The client tokens by role (the HTTP auth hook checks them); `token` is the all-roles one. */
  readonly clientTokens: ClientTokens;
  /** Storage open, config loaded, not shutting down (/readyz, the peer routes). */
  readonly ready: boolean;
  config(): ClusterConfig;
  /** Identifies the config in force beyond its generation (see TreeSummary.configHash). */
  configHash(): string;
}

/**
 * NodeIdentity kept: the assembly (replica-node.ts) is one, replaces the config on a reload and
 * flips readiness at start and shutdown; no part owns these.
 */
export class NodeState implements NodeIdentity {
  readonly selfId: string;
  readonly log: Logger;
  readonly token: string | undefined;
  readonly clientTokens: ClientTokens;
  ready = false;
  private cfg: ClusterConfig;
  private cfgHash: string;

  constructor(
    selfId: string,
    log: Logger,
    token: string | undefined,
    config: ClusterConfig,
    roleTokens: Omit<ClientTokens, "all"> = {},
  ) {
    this.selfId = selfId;
    this.log = log;
    this.token = token;
    this.clientTokens = { ...roleTokens, ...(token ? { all: token } : {}) };
    this.cfg = config;
    this.cfgHash = hashConfig(config);
  }

  config(): ClusterConfig {
    return this.cfg;
  }

  configHash(): string {
    return this.cfgHash;
  }

  replaceConfig(next: ClusterConfig): void {
    this.cfg = next;
    this.cfgHash = hashConfig(next);
  }
}

function hashConfig(cfg: ClusterConfig): string {
  return createHash("sha256").update(JSON.stringify(cfg)).digest("hex").slice(0, 12);
}
