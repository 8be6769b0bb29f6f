import type { Membership } from "../membership/membership.ts";
import { OP_GET } from "../peers/protocol.ts";

/** What the probe uses: who we are, the ring, and a client per peer. */
export interface ReachabilityParts {
  readonly selfId: string;
  readonly membership: Pick<Membership, "ring" | "ownersPerKey" | "peers">;
}

/** The key's owners split by whether they answered just now; `down` says why each did not. */
export interface OwnerReachability {
  readonly owners: readonly string[];
  readonly up: readonly string[];
  readonly down: ReadonlyArray<{ readonly node: string; readonly reason: string }>;
}

/**
 * Asks every owner of `key` for its copy (a read through the peer protocol, so it proves the same
 * path a write takes, clock check included) and reports which answered. A resolution runs this
 * before writing: when fewer than W would answer, it refuses with nothing written instead of
 * leaving its value on the few owners it reached.
 */
export async function probeOwners(parts: ReachabilityParts, key: string): Promise<OwnerReachability> {
  const { membership, selfId } = parts;
  const owners = membership.ring().owners(key, membership.ownersPerKey());
  const results = await Promise.all(
    owners.map(async (node): Promise<{ node: string; reason?: string }> => {
      if (node === selfId) return { node };
      const peer = membership.peers.get(node);
      if (!peer) return { node, reason: "not a configured member" };
      try {
        await peer.send([OP_GET, key]);
        return { node };
      } catch (err) {
        return { node, reason: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  return {
    owners,
    up: results.filter((r) => r.reason === undefined).map((r) => r.node),
    down: results.flatMap((r) => (r.reason === undefined ? [] : [{ node: r.node, reason: r.reason }])),
  };
}
