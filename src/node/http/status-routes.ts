import type { FastifyInstance } from "fastify";
import { formatTimestamp } from "../clock/hlc.ts";
import type { NodeParts } from "../parts.ts";

/** GET /v1/status: what an operator or on-call needs to see about this node and its view of the store. */
export async function statusRoutes(
  app: FastifyInstance,
  opts: {
    node: Pick<
      NodeParts,
      | "selfId"
      | "ready"
      | "config"
      | "configHash"
      | "clock"
      | "hints"
      | "storage"
      | "membership"
      | "replication"
    >;
  },
): Promise<void> {
  const { node } = opts;
  app.get("/v1/status", { config: { role: "read" } }, async () => {
    const cfg = node.config();
    const now = Date.now();
    const offsets: Record<string, number> = {};
    for (const p of node.membership.peers.list())
      if (p.health.offsetMs !== undefined) offsets[p.id] = Math.round(p.health.offsetMs);
    const hints = node.hints.pending();
    return {
      node: {
        id: node.selfId,
        mode: cfg.mode,
        // "leaving": the config no longer lists this node; it hands its keys off until stopped.
        role: !cfg.members.some((m) => m.id === node.selfId) ? "leaving" : node.replication.role(),
        ready: node.ready,
      },
      store: cfg.store,
      generation: cfg.generation,
      configHash: node.configHash(),
      members: cfg.members.map((m) => {
        const peer = node.membership.peers.get(m.id);
        const self = m.id === node.selfId;
        return {
          id: m.id,
          url: m.url,
          self,
          healthy: self ? node.ready : (peer?.health.up ?? false),
          lastSeenMsAgo: self || !peer?.health.lastSeen ? null : now - peer.health.lastSeen,
          hintsPending: self ? 0 : node.hints.pendingFor(m.id),
        };
      }),
      replication: cfg.replication,
      clock: { now: formatTimestamp(node.clock.now()), maxOffsetMs: cfg.clock.maxOffsetMs, peers: offsets },
      hints: {
        pending: hints.count,
        bytes: hints.bytes,
        windowMs: cfg.hintedHandoff.windowMs,
        maxBytes: cfg.hintedHandoff.maxBytes,
      },
      storage: node.storage.stats(),
      handoff: node.membership.handoff.status,
      ...node.replication.status(now),
    };
  });
}
