/**
 * A new store's first start from a backup: before the node serves, it loads the keys it owns under
 * the new store's ring (any mode, any replica count) and the whole conflict queue. Every owner loads
 * the same versions, so the trees agree once built. A marker in LMDB makes this run once: a node
 * that crashed half-way loads again (the same records, harmlessly), one that finished skips it, and
 * a data directory that already held data before any restore is refused, never overwritten.
 */
import type { Logger } from "pino";
import { findBackup } from "../../backup/catalog.ts";
import { openDestination } from "../../backup/destination.ts";
import { backupConflicts, backupRecords } from "../../backup/restore-reader.ts";
import type { ClusterConfig } from "../../config/cluster-config.ts";
import { UserError } from "../../errors.ts";
import { ConflictStore } from "../conflicts/conflict-store.ts";
import { modelFor } from "../replication/model-for.ts";
import { HashRing } from "../ring/hash-ring.ts";
import { openDatabase } from "../storage/database.ts";
import { LocalReplica } from "../storage/local-replica.ts";
import { fromTuple, type VersionedRecord } from "../storage/record.ts";

interface RestoreMarker {
  backupId: string;
  destination: string;
  state: "running" | "done";
  keys: number;
  at: string;
}

export interface RestoreOutcome {
  /** "skipped": this data directory was already restored from this backup */
  result: "restored" | "skipped";
  records: number;
  conflicts: number;
  ms: number;
}

const MARKER = "restore";
const PROGRESS_MS = 5_000;

export async function restoreNode(opts: {
  selfId: string;
  dataDir: string;
  config: ClusterConfig;
  env?: NodeJS.ProcessEnv;
  log: Logger;
}): Promise<RestoreOutcome | undefined> {
  const plan = opts.config.bootstrap;
  const started = Date.now();
  const root = openDatabase(opts.dataDir);
  try {
    const meta = root.openDB<RestoreMarker, string>({ name: "meta" });
    if (!plan) {
      // The config dropped its bootstrap while this node was half-way through loading it.
      const half = meta.get(MARKER);
      if (half?.state === "running") {
        throw new UserError(
          `${opts.dataDir} holds a half-done restore of backup ${half.backupId} and the config no longer names it: start this node on an empty volume (it catches up from its peers)`,
        );
      }
      return undefined;
    }
    const storage = new LocalReplica(root, () => undefined);
    const conflictStore = new ConflictStore(root);
    const marker = meta.get(MARKER);
    if (marker?.state === "done") {
      if (marker.backupId !== plan.backupId) {
        opts.log.warn(
          { restoredFrom: marker.backupId, bootstrap: plan.backupId },
          "this node was restored from another backup earlier; bootstrap applies to a new store only, so it is ignored",
        );
      }
      return { result: "skipped", records: 0, conflicts: 0, ms: Date.now() - started };
    }
    if (marker && marker.backupId !== plan.backupId) {
      throw new UserError(
        `${opts.dataDir} holds a half-done restore of backup ${marker.backupId}, not ${plan.backupId}: bootstrap from ${marker.backupId} again, or start this node on an empty volume`,
      );
    }
    if (!marker) {
      const held = countUpTo(storage.entries(), 1) + conflictStore.all().length;
      if (held > 0) {
        const { keys } = storage.stats();
        throw new UserError(
          `refusing to restore backup ${plan.backupId}: ${opts.dataDir} already holds data (${keys} keys). A store is bootstrapped from a backup only when it is new; restore into a new store, or remove spec.bootstrap`,
        );
      }
    }
    const destination = openDestination(plan.destination, opts.env);
    try {
      const manifest = await findBackup(destination, plan.backupId);
      await meta.put(
        MARKER,
        marker ?? {
          backupId: plan.backupId,
          destination: destination.url,
          state: "running",
          keys: 0,
          at: new Date().toISOString(),
        },
      );
      const cfg = opts.config;
      const ring = new HashRing(
        cfg.members.map((m) => m.id),
        cfg.ring.vnodes,
      );
      const owners = modelFor(cfg.mode).ownersPerKey(cfg.replication.factor, cfg.members.length);
      let records = 0;
      let seen = 0;
      let lastLog = Date.now();
      opts.log.info(
        { backup: manifest.id, keys: manifest.keys, from: destination.url },
        "restoring from backup",
      );
      for await (const frame of backupRecords(destination, manifest)) {
        const mine: Array<[string, VersionedRecord]> = [];
        for (const [key, tuple] of frame) {
          if (ring.owners(key, owners).includes(opts.selfId)) mine.push([key, fromTuple(tuple)]);
        }
        seen += frame.length;
        if (mine.length > 0) await storage.load(mine);
        records += mine.length;
        if (Date.now() - lastLog >= PROGRESS_MS) {
          lastLog = Date.now();
          opts.log.info(
            { backup: manifest.id, read: seen, of: manifest.keys + manifest.tombstones, loaded: records },
            "restoring",
          );
        }
      }
      const conflicts = await backupConflicts(destination, manifest);
      for (const c of conflicts) await conflictStore.upsert(c);
      await meta.put(MARKER, {
        backupId: plan.backupId,
        destination: destination.url,
        state: "done",
        keys: records,
        at: new Date().toISOString(),
      });
      const ms = Date.now() - started;
      opts.log.info(
        { backup: manifest.id, records, conflicts: conflicts.length, ms },
        "restored from backup",
      );
      return { result: "restored", records, conflicts: conflicts.length, ms };
    } finally {
      destination.close();
    }
  } finally {
    await root.close();
  }
}

function countUpTo(it: Iterable<unknown>, limit: number): number {
  let n = 0;
  for (const _ of it) if (++n >= limit) break;
  return n;
}
