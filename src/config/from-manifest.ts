/**
 * Manifest -> cluster config: the one translation both the operator (into a ConfigMap) and
 * `replistore up` (onto disk) use, so the nodes cannot tell them apart.
 */
import type { BackupDestination } from "../api/backup-types.ts";
import { parseDuration } from "../api/duration.ts";
import { parseQuantity } from "../api/quantity.ts";
import { effectiveReplication } from "../api/quorum.ts";
import type { ReplicatedStore } from "../api/replicated-store.ts";
import type { ClusterConfig, Member } from "./cluster-config.ts";

/** Enough virtual nodes per member for an even spread at the member counts we run. */
export const DEFAULT_VNODES = 128;

const ms = (duration: string) => Math.round(parseDuration(duration));

function namespaceOf(manifest: ReplicatedStore): string {
  // The schema types only metadata.name (all a CRD may constrain); namespace passes through untyped.
  const metadata: Record<string, unknown> = { ...manifest.metadata };
  return typeof metadata.namespace === "string" && metadata.namespace !== "" ? metadata.namespace : "default";
}

/**
 * `manifest` must have passed `validateManifest` (defaults applied, rules hold). `failover` is what
 * the operator decided from pod readiness: the hub and the Circle ring (ordinals) now in force.
 */
/** A new store's backup, as the operator or `replistore up` resolved spec.bootstrap.fromBackup. */
export interface ResolvedBootstrap {
  backupId: string;
  destination: BackupDestination;
}

export function fromManifest(
  manifest: ReplicatedStore,
  members: Member[],
  generation: number,
  failover: { hub?: number; ring?: number[] } = {},
  /** spec.bootstrap.fromBackup resolved by the caller (which backup, where): chosen once */
  bootstrap?: ResolvedBootstrap,
): ClusterConfig {
  const { spec } = manifest;
  const replication = effectiveReplication(spec);
  const config: ClusterConfig = {
    version: 1,
    store: { name: manifest.metadata.name, namespace: namespaceOf(manifest) },
    generation,
    mode: spec.mode,
    members: members.map(({ id, url, peerUrl }) =>
      peerUrl === undefined ? { id, url } : { id, url, peerUrl },
    ),
    replication,
    conflicts: { policy: spec.conflicts.policy, retentionMs: ms(spec.conflicts.retention) },
    clock: { maxOffsetMs: ms(spec.clock.maxOffset) },
    tombstones: { gracePeriodMs: ms(spec.tombstones.gracePeriod) },
    hintedHandoff: {
      enabled: spec.hintedHandoff.enabled,
      windowMs: ms(spec.hintedHandoff.window),
      maxBytes: parseQuantity(spec.hintedHandoff.maxSize),
    },
    limits: {
      maxValueBytes: parseQuantity(spec.limits.maxValueSize),
      requestTimeoutMs: ms(spec.limits.requestTimeout),
    },
    ring: { vnodes: DEFAULT_VNODES },
  };
  if (bootstrap) {
    const { path, endpoint, region } = bootstrap.destination;
    config.bootstrap = {
      backupId: bootstrap.backupId,
      destination: {
        path,
        ...(endpoint !== undefined ? { endpoint } : {}),
        ...(region !== undefined ? { region } : {}),
      },
    };
  }
  if (spec.mode === "MultiLeader" && spec.multiLeader) {
    const { leaders, topology, hub, failoverAfter } = spec.multiLeader;
    config.multiLeader = { leaders, topology, hub: failover.hub ?? hub, failoverAfterMs: ms(failoverAfter) };
    const ring = failover.ring?.map((o) => members[o]?.id).filter((id): id is string => id !== undefined);
    if (topology === "Circle" && ring && ring.length > 0) config.multiLeader.ring = ring;
  }
  return config;
}
