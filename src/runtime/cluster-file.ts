/** `<dataDir>/<name>/cluster.json`: rewritten only when its content changes, with the generation bumped. */
import { readFileSync } from "node:fs";
import type { ReplicatedStore } from "../api/replicated-store.ts";
import type { ClusterConfig, Member } from "../config/cluster-config.ts";
import { fromManifest, type ResolvedBootstrap } from "../config/from-manifest.ts";
import { writeFileAtomic } from "./atomic-write.ts";

/** Key order must not count as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function readPrevious(path: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface ClusterFileResult {
  config: ClusterConfig;
  changed: boolean;
}

export function writeClusterFile(
  path: string,
  manifest: ReplicatedStore,
  members: Member[],
  bootstrap?: ResolvedBootstrap,
): ClusterFileResult {
  const previous = readPrevious(path);
  const previousGeneration =
    typeof previous?.generation === "number" && Number.isInteger(previous.generation)
      ? previous.generation
      : 0;
  const same = fromManifest(manifest, members, previousGeneration, {}, bootstrap);
  if (previous !== undefined && canonical(previous) === canonical(same)) {
    return { config: same, changed: false };
  }
  const config = fromManifest(manifest, members, previousGeneration + 1, {}, bootstrap);
  writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`);
  return { config, changed: true };
}
