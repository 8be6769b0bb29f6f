import { rename, writeFile } from "node:fs/promises";
import type { ClusterConfig, Member } from "../../src/config/cluster-config.ts";

export type DeepPartial<T> = T extends readonly (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export interface QuorumSettings {
  factor: number;
  writeQuorum: number;
  readQuorum: number;
}

/** A test cluster config: short timeouts so failure tests are quick, everything else as in production. */
export function buildClusterConfig(
  members: Member[],
  quorum: QuorumSettings,
  overrides: DeepPartial<ClusterConfig> = {},
): ClusterConfig {
  const base: ClusterConfig = {
    version: 1,
    store: { name: "test", namespace: "default" },
    generation: 1,
    mode: "Leaderless",
    members,
    replication: {
      factor: quorum.factor,
      writeQuorum: quorum.writeQuorum,
      readQuorum: quorum.readQuorum,
      consistency: quorum.writeQuorum + quorum.readQuorum > quorum.factor ? "Strong" : "Eventual",
    },
    conflicts: { policy: "Review", retentionMs: 720 * 3_600_000 },
    clock: { maxOffsetMs: 500 },
    tombstones: { gracePeriodMs: 24 * 3_600_000 },
    hintedHandoff: { enabled: true, windowMs: 3_600_000, maxBytes: 64 * 1024 * 1024 },
    limits: { maxValueBytes: 1024 * 1024, requestTimeoutMs: 2_000 },
    ring: { vnodes: 64 },
  };
  return merge(base, overrides);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep merge for plain objects; arrays and scalars in `patch` replace. */
export function merge<T>(base: T, patch: DeepPartial<T> | undefined): T {
  if (patch === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    out[key] = isPlainObject(out[key]) && isPlainObject(value) ? merge(out[key], value) : value;
  }
  return out as T;
}

/** Writes the file atomically (temp file in the same directory + rename), as the node expects. */
export async function writeClusterFile(path: string, config: ClusterConfig): Promise<void> {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`);
  await rename(temp, path);
}
