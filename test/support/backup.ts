/** Helpers for backup tests: the real CLI makes backups, src/backup reads them back. */
import { findBackup } from "../../src/backup/catalog.ts";
import { openDestination } from "../../src/backup/destination.ts";
import type { BackupManifest } from "../../src/backup/manifest.ts";
import { backupRecords } from "../../src/backup/restore-reader.ts";
import { AE_SUMMARY, type TreeSummary } from "../../src/wire/anti-entropy.ts";
import { type CliResult, runCli } from "./cli.ts";
import { send } from "./client.ts";
import type { Expected } from "./convergence.ts";
import { eventually } from "./eventually.ts";
import type { Store } from "./store.ts";

export interface BackupRun extends CliResult {
  manifest: BackupManifest | undefined;
}

/** `replistore backup create --config <store> --destination <dest> -o json`, as the store's peer. */
export async function runBackup(
  store: Store,
  destination: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<BackupRun> {
  const peerEnv: Record<string, string> = store.tls ? { REPLISTORE_TLS_DIR: store.tls.dir } : {};
  const result = await runCli(
    ["backup", "create", "--config", store.configPath, "--destination", destination, "-o", "json", ...args],
    {
      env: { ...peerEnv, ...(store.token ? { REPLISTORE_TOKEN: store.token } : {}), ...env },
      timeoutMs: 120_000,
    },
  );
  let manifest: BackupManifest | undefined;
  if (result.code === 0) manifest = (JSON.parse(result.stdout) as { manifest: BackupManifest }).manifest;
  return { ...result, manifest };
}

/** What a backup holds, read back the way a restore reads it (checksums verified). */
export async function backupContents(
  destination: string,
  id?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ manifest: BackupManifest; data: Map<string, Expected> }> {
  const store = openDestination({ path: destination }, env);
  try {
    const manifest = await findBackup(store, id);
    const data = new Map<string, Expected>();
    for await (const frame of backupRecords(store, manifest)) {
      for (const [key, t] of frame) {
        data.set(
          key,
          t[3] === null
            ? { deleted: true }
            : { version: `${t[0]}:${t[1]}:${t[2]}`, value: Buffer.from(t[3]).toString() },
        );
      }
    }
    return { manifest, data };
  } finally {
    store.close();
  }
}

/** Every node's trees are built and every owner set has one root on all its owners. */
export async function expectRootsAgree(store: Store): Promise<number> {
  let sets = 0;
  await eventually(async () => {
    const roots = new Map<string, Set<string>>();
    for (let i = 0; i < store.size; i++) {
      const reply = await send(store.urls[i]!, "GET", AE_SUMMARY, {
        token: store.token,
        ...(store.tls ? { ca: store.tls.caPem } : {}),
      });
      if (reply.status !== 200) throw new Error(`${store.id(i)}: ${AE_SUMMARY} answered ${reply.status}`);
      const summary = reply.body as unknown as TreeSummary;
      if (!summary.ready) throw new Error(`${store.id(i)}: trees not built yet`);
      for (const s of summary.sets) {
        const set = roots.get(s.id) ?? new Set<string>();
        set.add(s.root);
        roots.set(s.id, set);
      }
    }
    const differing = [...roots].filter(([, r]) => r.size !== 1).map(([id]) => id);
    if (differing.length > 0) throw new Error(`owner sets whose roots differ: ${differing.join(" ")}`);
    sets = roots.size;
  });
  return sets;
}
