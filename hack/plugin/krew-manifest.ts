/**
 * The krew plugin manifest of `kubectl replistore` (https://krew.sigs.k8s.io/docs/developer-guide/):
 * one platform per archive, the archive's sha256, and the shim in bin/ as the plugin's executable.
 * Pure, so the manifest is unit-tested; package.ts builds the archive and writes it.
 */
import { dump } from "js-yaml";

export interface KrewPlatform {
  os: string;
  arch: string;
  uri: string;
  sha256: string;
}

export interface KrewInput {
  version: string;
  homepage?: string;
  platforms: KrewPlatform[];
}

/** krew's arch names for Node's process.arch. */
export function krewArch(arch: string): string {
  const known: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386" };
  const name = known[arch];
  if (!name) throw new Error(`no krew arch for ${arch}`);
  return name;
}

export const CAVEATS = `This plugin runs on Node.js 24 or newer, which must be on your PATH:
  node --version    # v24.x or later
Install Node.js 24 first (https://nodejs.org/ or your package manager).

The plugin reaches a store's nodes through the apiserver's pod proxy, so it needs
get on replicatedstores, list on pods, get and create on pods/proxy, and get on
the store's auth Secret (or pass --token / set REPLISTORE_TOKEN). restart needs
delete on pods, repair now create on jobs and get on cronjobs, hub --set patch on
replicatedstores, report list on events and get on pods/log.

Shell completion:  source <(kubectl replistore completion bash)
`;

export function krewManifest(input: KrewInput): string {
  if (!/^\d+\.\d+\.\d+/.test(input.version)) throw new Error(`version ${input.version} is not semver`);
  if (input.platforms.length === 0) throw new Error("a krew manifest needs at least one platform");
  for (const p of input.platforms) {
    if (!/^[0-9a-f]{64}$/.test(p.sha256)) throw new Error(`sha256 of ${p.uri} is not 64 hex digits`);
  }
  const manifest = {
    apiVersion: "krew.googlecontainertools.github.com/v1alpha2",
    kind: "Plugin",
    metadata: { name: "replistore" },
    spec: {
      version: `v${input.version}`,
      ...(input.homepage ? { homepage: input.homepage } : {}),
      shortDescription: "Operate replistore key-value stores: status, repair, restart, kv",
      description: [
        "kubectl replistore is what an on-call engineer reaches for with a ReplicatedStore:",
        "status (-A, -o json|yaml), conflicts (list, show, resolve), repair now (a Job from",
        "the store's repair CronJob, followed to its summary), restart (rolling, one pod at a",
        "time, each back Ready and in quorum), hub (show or move a Star hub), kv get|put|delete",
        "through the apiserver's pod proxy, and report (the store, events, logs and every",
        "node's status and metrics in one archive for a bug report).",
        "",
      ].join("\n"),
      caveats: CAVEATS,
      platforms: input.platforms.map((p) => ({
        selector: { matchLabels: { os: p.os, arch: p.arch } },
        uri: p.uri,
        sha256: p.sha256,
        bin: "bin/kubectl-replistore",
      })),
    },
  };
  // double quotes, as biome formats YAML (dist/ is in the tree biome checks)
  return dump(manifest, { noRefs: true, lineWidth: -1, quoteStyle: "double" });
}
