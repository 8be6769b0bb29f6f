import type { Database, RootDatabase, Transaction } from "lmdb";
import { compareTimestamps } from "../clock/hlc.ts";
import { fromTuple, type RecordTuple, toTuple, type VersionedRecord } from "./record.ts";

export interface ApplyResult {
  /** false when the stored version was already as new or newer: LWW kept it. */
  readonly applied: boolean;
  /** The version this node held before, if any. */
  readonly previous: VersionedRecord | undefined;
}

/**
 * The node's copy of its keys, last write wins. Reads are synchronous LMDB reads; writes resolve
 * once durable. Writes to one key that are still committing are tracked in memory so a concurrent
 * older write can never overwrite a newer one that is not yet visible in LMDB.
 */
export class KvStore {
  private readonly db: Database<RecordTuple, string>;
  private readonly pending = new Map<string, VersionedRecord>();

  constructor(root: RootDatabase) {
    this.db = root.openDB<RecordTuple, string>({ name: "kv" });
  }

  get(key: string): VersionedRecord | undefined {
    const p = this.pending.get(key);
    if (p) return p;
    const t = this.db.get(key);
    return t ? fromTuple(t) : undefined;
  }

  /**
   * Stores `rec` if it is newer than the stored version. `alongside` (issued in the same event turn,
   * so in the same LMDB transaction) writes what must commit with it, whether or not it wins.
   */
  async apply(key: string, rec: VersionedRecord, alongside?: () => Promise<unknown>): Promise<ApplyResult> {
    const previous = this.get(key);
    if (previous && compareTimestamps(previous.version, rec.version) >= 0) {
      if (alongside) await alongside();
      return { applied: false, previous };
    }
    this.pending.set(key, rec);
    try {
      const written = this.db.put(key, toTuple(rec));
      const also = alongside?.();
      await written;
      if (also) await also;
    } finally {
      if (this.pending.get(key) === rec) this.pending.delete(key);
    }
    return { applied: true, previous };
  }

  /** Removes a tombstone only if it is still the stored version (a newer write may have landed). */
  async purge(key: string, rec: VersionedRecord): Promise<boolean> {
    if (this.pending.has(key)) return false;
    // Checked inside the write transaction so no write can slip between the check and the removal.
    return this.db.transaction(() => {
      const cur = this.db.get(key);
      if (!cur || cur[3] !== null || compareTimestamps(fromTuple(cur).version, rec.version) !== 0)
        return false;
      this.db.removeSync(key);
      return true;
    });
  }

  /** Removes the key only if `rec` is still its stored version: a handoff never drops a newer write. */
  async removeIfCurrent(key: string, rec: VersionedRecord): Promise<boolean> {
    if (this.pending.has(key)) return false;
    return this.db.transaction(() => {
      const cur = this.db.get(key);
      if (!cur || compareTimestamps(fromTuple(cur).version, rec.version) !== 0) return false;
      this.db.removeSync(key);
      return true;
    });
  }

  /**
   * Puts records as they are, without comparing versions: only inside `root.transaction` (the bulk
   * load of a restore into a store nobody else writes to yet).
   */
  putInTransaction(key: string, rec: VersionedRecord): void {
    this.db.putSync(key, toTuple(rec));
  }

  /** Every key in key order; within `transaction` (a read snapshot) when given. */
  *entries(transaction?: Transaction): Iterable<[string, VersionedRecord]> {
    const range = this.db.getRange(transaction ? { transaction } : {});
    for (const { key, value } of range) yield [key, fromTuple(value)];
  }

  stats(): { keys: number; bytes: number } {
    const s = this.db.getStats() as {
      entryCount: number;
      pageSize: number;
      treeBranchPageCount: number;
      treeLeafPageCount: number;
      overflowPages: number;
    };
    return {
      keys: s.entryCount,
      bytes: s.pageSize * (s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages),
    };
  }
}
