/**
 * A node's part of a backup: one LMDB read snapshot of its keys, its hints and its conflict queue,
 * streamed as msgpack frames (src/wire/backup.ts). The snapshot is a single read transaction, so the
 * three agree with each other and writes that land meanwhile are not in it.
 */
import type { RootDatabase } from "lmdb";
import { pack } from "msgpackr";
import { compareKeys, encodeFrame, type KeyRecord, type SnapshotFrame } from "../../wire/backup.ts";
import type { RecordTuple } from "../../wire/record.ts";
import { compareTimestamps, type HybridClock } from "../clock/hlc.ts";
import type { ConflictStore } from "../conflicts/conflict-store.ts";
import type { HintStore } from "../hints/hint-store.ts";
import type { LocalReplica } from "../storage/local-replica.ts";
import { fromTuple, toTuple } from "../storage/record.ts";

export interface SnapshotSources {
  readonly selfId: string;
  readonly root: RootDatabase;
  readonly storage: Pick<LocalReplica, "entries">;
  readonly hints: Pick<HintStore, "records">;
  readonly conflicts: Pick<ConflictStore, "all">;
  readonly clock: Pick<HybridClock, "now" | "physicalNow">;
  /** Tombstones older than this are left out: every node purges them anyway. */
  readonly tombstoneGraceMs: number;
}

/** Records per frame: large enough that framing costs nothing, small enough to stream smoothly. */
const FRAME_RECORDS = 512;

/** The snapshot as encoded frames: header, records in key order, conflicts, end. */
export async function* snapshotFrames(src: SnapshotSources): AsyncGenerator<Buffer> {
  const txn = src.root.useReadTransaction();
  try {
    // The clock is read after the transaction opened: nothing in the snapshot is newer.
    const now = src.clock.now();
    yield frame({ kind: "header", node: src.selfId, clock: [now.wall, now.logical] });
    const oldestTombstone = src.clock.physicalNow() - src.tombstoneGraceMs;
    let batch: KeyRecord[] = [];
    let records = 0;
    for (const [key, tuple] of withHints(src, txn)) {
      if (tuple[3] === null && tuple[0] < oldestTombstone) continue;
      batch.push([key, tuple]);
      records++;
      if (batch.length === FRAME_RECORDS) {
        yield frame({ kind: "records", entries: batch });
        batch = [];
      }
    }
    if (batch.length > 0) yield frame({ kind: "records", entries: batch });
    const conflicts = src.conflicts.all(txn);
    for (let i = 0; i < conflicts.length; i += FRAME_RECORDS) {
      yield frame({ kind: "conflicts", records: conflicts.slice(i, i + FRAME_RECORDS) });
    }
    yield frame({ kind: "end", records, conflicts: conflicts.length });
  } finally {
    txn.done();
  }
}

function frame(f: SnapshotFrame): Buffer {
  return encodeFrame(pack(f));
}

/**
 * The stored keys merged with the hints this node keeps for other owners (a write acknowledged
 * while an owner was down may live only there), newest version per key, in key order.
 */
function* withHints(src: SnapshotSources, txn: ReturnType<RootDatabase["useReadTransaction"]>) {
  const hinted = new Map<string, RecordTuple>();
  for (const [key, rec] of src.hints.records(txn)) {
    const have = hinted.get(key);
    if (!have || compareTimestamps(fromTuple(have).version, fromTuple(rec).version) < 0) hinted.set(key, rec);
  }
  const extra = [...hinted.keys()].sort(compareKeys);
  let i = 0;
  let last: string | undefined;
  for (const [key, rec] of src.storage.entries(txn)) {
    // The merge below, and the backup run's merge of every node, rely on this order.
    if (last !== undefined && compareKeys(last, key) >= 0) {
      throw new Error(`storage returned key ${JSON.stringify(key)} after ${JSON.stringify(last)}`);
    }
    last = key;
    for (; i < extra.length && compareKeys(extra[i]!, key) < 0; i++) yield entry(extra[i]!, hinted);
    let tuple = toTuple(rec);
    if (i < extra.length && extra[i] === key) {
      const hint = hinted.get(key)!;
      if (compareTimestamps(rec.version, fromTuple(hint).version) < 0) tuple = hint;
      i++;
    }
    yield [key, tuple] as KeyRecord;
  }
  for (; i < extra.length; i++) yield entry(extra[i]!, hinted);
}

function entry(key: string, hinted: Map<string, RecordTuple>): KeyRecord {
  return [key, hinted.get(key)!];
}
