/**
 * One backup of a whole store: every reachable node streams a read snapshot, the streams are merged
 * by key (newest version wins, as in the store), cut into checksummed data objects, and the manifest
 * is written last. Nodes that do not answer are allowed only while the backup still holds every
 * acknowledged write without them; otherwise the run fails and writes no manifest.
 */
import pkg from "../../package.json" with { type: "json" };
import type { Member } from "../config/cluster-config.ts";
import { UserError } from "../errors.ts";
import { NodeClient, Traffic } from "../repair/node-client.ts";
import type { RepairWire } from "../repair/wire-credentials.ts";
import { BACKUP_FORMAT, BACKUP_SNAPSHOT } from "../wire/backup.ts";
import { type ConflictRecord, mergeRecords } from "../wire/conflict.ts";
import { compareTimestamps, formatTimestamp, type Timestamp } from "../wire/version.ts";
import { BACKUP_ID_PATTERN, backupIdFor } from "./backup-id.ts";
import { conflictsObject } from "./conflicts-object.ts";
import { type Coverage, coverageProblem } from "./coverage.ts";
import { DataWriter } from "./data-writer.ts";
import { type BackupManifest, type BackupNode, MANIFEST_NAME } from "./manifest.ts";
import { mergeNewest } from "./merge.ts";
import type { ObjectStore } from "./object-store.ts";
import { type NodeSnapshot, readSnapshot } from "./snapshot-reader.ts";

export interface StoreShape {
  name: string;
  namespace: string;
  mode: BackupManifest["spec"]["mode"];
  replication: BackupManifest["spec"]["replication"];
  members: readonly Member[];
  /** MultiLeader: the members that accept writes; unknown: every member counts as one */
  leaders?: readonly string[];
}

export interface BackupProgress {
  records: number;
  objects: number;
  bytes: number;
  elapsedMs: number;
}

export interface CreateBackupOptions {
  store: StoreShape;
  destination: ObjectStore;
  /** the backup's id (a ReplicatedStoreBackup's name); default <store>-<UTC time> */
  id?: string;
  token: string | undefined;
  wire: RepairWire;
  /** size of each data object (default 8 MiB): smaller for slow links, larger for fewer requests */
  objectBytes?: number;
  /**
   * Backup bytes per second at most: the run then reads the nodes' snapshots no faster (TCP holds
   * them back), so a backup leaves the nodes CPU for their writes. Omitted: as fast as it goes.
   */
  maxBytesPerSecond?: number;
  /** per request, and the longest stall of a stream */
  timeoutMs: number;
  onProgress?: (p: BackupProgress) => void;
  /** told which nodes could not be read, before the data is */
  onNote?: (text: string) => void;
  now?: () => Date;
}

/** A backup that could not be made as asked: said as what to do, not as a bug. */
export class BackupError extends UserError {
  /** stable: unreachable_nodes, exists, snapshot, destination */
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = "BackupError";
    this.reason = reason;
  }
}

const PROGRESS_MS = 1_000;

export async function createBackup(opts: CreateBackupOptions): Promise<BackupManifest> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const id = opts.id ?? backupIdFor(opts.store.name, started);
  if (!BACKUP_ID_PATTERN.test(id)) {
    throw new BackupError(
      "invalid_id",
      `"${id}" is not a backup id: lowercase letters, digits and '-', at most 63 (a DNS label)`,
    );
  }
  const folder = `${id}/`;
  if ((await opts.destination.get(folder + MANIFEST_NAME)) !== undefined) {
    throw new BackupError(
      "exists",
      `backup ${id} already exists at ${opts.destination.url}; choose another id`,
    );
  }
  const traffic = new Traffic();
  const clients = opts.store.members.map(
    (m) =>
      new NodeClient(m.id, m.url, opts.token, traffic, opts.timeoutMs, {
        peerUrl: m.peerUrl,
        wire: opts.wire,
      }),
  );
  try {
    const opened = await Promise.allSettled(
      clients.map(async (c) => readSnapshot(c.id, await c.stream(BACKUP_SNAPSHOT, opts.timeoutMs))),
    );
    const snapshots: NodeSnapshot[] = [];
    const unreached = new Map<string, string>();
    opened.forEach((r, i) => {
      if (r.status === "fulfilled") snapshots.push(r.value);
      else unreached.set(clients[i]!.id, r.reason instanceof Error ? r.reason.message : String(r.reason));
    });
    const coverage: Coverage = {
      mode: opts.store.mode,
      writeQuorum: opts.store.replication.writeQuorum,
      members: opts.store.members.map((m) => m.id),
      ...(opts.store.leaders ? { leaders: opts.store.leaders } : {}),
    };
    const problem = coverageProblem(coverage, [...unreached.keys()]);
    if (problem) {
      throw new BackupError(
        "unreachable_nodes",
        `${problem}; no backup written. ${[...unreached.values()].join("; ")}`,
      );
    }
    if (unreached.size > 0) {
      opts.onNote?.(
        `backing up without ${[...unreached.keys()].join(", ")} (unreachable); the backup still holds every acknowledged write`,
      );
    }

    const cut = cutOf(snapshots);
    const writer = new DataWriter(opts.destination, {
      folder,
      ...(opts.objectBytes !== undefined ? { objectBytes: opts.objectBytes } : {}),
    });
    let records = 0;
    let keys = 0;
    let tombstones = 0;
    let stored = { objects: 0, bytes: 0 };
    let lastProgress = Date.now();
    let paced = 0;
    const t0 = Date.now();
    for await (const batch of mergeNewest(snapshots.map((s) => s.records))) {
      for (const entry of batch) {
        const full = writer.add(entry);
        if (full) await full;
        if (entry[1][3] === null) tombstones++;
        else keys++;
      }
      records += batch.length;
      if (opts.maxBytesPerSecond !== undefined) {
        for (const entry of batch) paced += entry[0].length + (entry[1][3]?.byteLength ?? 0) + 24;
        const ahead = (paced / opts.maxBytesPerSecond) * 1000 - (Date.now() - t0);
        if (ahead > 0) await new Promise((resolve) => setTimeout(resolve, ahead));
      }
      if (opts.onProgress && Date.now() - lastProgress >= PROGRESS_MS) {
        lastProgress = Date.now();
        opts.onProgress({ records, ...stored, elapsedMs: lastProgress - t0 });
      }
    }
    const data = await writer.finish();
    stored = { objects: data.length, bytes: data.reduce((n, o) => n + o.bytes, 0) };
    const conflicts = mergeConflicts(snapshots);
    const conflictsObj = await conflictsObject(opts.destination, folder, conflicts);
    const finished = now();
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      id,
      store: { name: opts.store.name, namespace: opts.store.namespace },
      spec: {
        mode: opts.store.mode,
        replicas: opts.store.members.length,
        replication: opts.store.replication,
      },
      cut: formatTimestamp(cut),
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: Math.max(0, finished.getTime() - started.getTime()),
      keys,
      tombstones,
      conflicts: conflicts.length,
      bytes: stored.bytes + (conflictsObj?.bytes ?? 0),
      nodes: opts.store.members.map((m): BackupNode => {
        const snap = snapshots.find((s) => s.node === m.id);
        const error = unreached.get(m.id);
        return {
          id: m.id,
          reached: snap !== undefined,
          records: snap?.count() ?? 0,
          ...(error ? { error } : {}),
        };
      }),
      data,
      conflictsObject: conflictsObj,
      replistoreVersion: pkg.version,
    };
    // Last: only now is the backup complete, and only now is it listed as such.
    await opts.destination.put(folder + MANIFEST_NAME, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    opts.onProgress?.({ records, ...stored, elapsedMs: Date.now() - t0 });
    return manifest;
  } catch (err) {
    // Nothing half-written stays behind where it can be avoided (without a manifest it is never offered anyway).
    await opts.destination.deleteAll(folder).catch(() => 0);
    throw err;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

/** The newest clock any node read after opening its snapshot: no record in the backup is newer. */
function cutOf(snapshots: readonly NodeSnapshot[]): Timestamp {
  let cut: Timestamp = { wall: 0, logical: 0, node: "" };
  for (const s of snapshots) {
    const t = { wall: s.clock[0], logical: s.clock[1], node: s.node };
    if (compareTimestamps(t, cut) > 0) cut = t;
  }
  return cut;
}

/** Every node's conflict records merged by id the way nodes merge them, so the queue comes back whole. */
function mergeConflicts(snapshots: readonly NodeSnapshot[]): ConflictRecord[] {
  const byId = new Map<string, ConflictRecord>();
  for (const s of snapshots) {
    for (const r of s.conflicts) {
      const have = byId.get(r.id);
      byId.set(r.id, have ? mergeRecords(have, r) : r);
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}
