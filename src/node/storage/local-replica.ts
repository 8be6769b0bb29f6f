import type { RootDatabase, Transaction } from "lmdb";
import type { Timestamp } from "../clock/hlc.ts";
import { type ApplyResult, KvStore } from "./kv-store.ts";
import type { VersionedRecord } from "./record.ts";
import { TombstoneIndex } from "./tombstones.ts";

/** Told after a version was stored, so ownership (the trees, the handoff) can follow it. */
export type OnStored = (key: string, previous: Timestamp | undefined, version: Timestamp) => void;

/**
 * This node's copy of the data: the LMDB environment, the last-write-wins store and its tombstone
 * index. Every replication model reads and writes through it.
 */
export class LocalReplica {
  readonly root: RootDatabase;
  private readonly store: KvStore;
  private readonly tombstones: TombstoneIndex;
  private readonly onStored: OnStored;

  constructor(root: RootDatabase, onStored: OnStored) {
    this.root = root;
    this.store = new KvStore(root);
    this.tombstones = new TombstoneIndex(root, this.store);
    this.onStored = onStored;
  }

  read(key: string): VersionedRecord | undefined {
    return this.store.get(key);
  }

  /** Stores `rec` if newer; `alongside`: writes that must commit in the same transaction (see KvStore.apply). */
  async apply(key: string, rec: VersionedRecord, alongside?: () => Promise<unknown>): Promise<ApplyResult> {
    const r = await this.store.apply(key, rec, alongside);
    if (r.applied) {
      if (rec.value === null) await this.tombstones.note(key, rec);
      this.onStored(key, r.previous?.version, rec.version);
    }
    return r;
  }

  /**
   * Stores records in one transaction, as they are: a restore's bulk load, before the node serves
   * (so nothing else writes, and the trees are built from storage afterwards). Resolves once durable.
   */
  async load(records: ReadonlyArray<readonly [string, VersionedRecord]>): Promise<void> {
    await this.root.transaction(() => {
      for (const [key, rec] of records) {
        this.store.putInTransaction(key, rec);
        this.tombstones.noteInTransaction(key, rec);
      }
    });
  }

  /** Every key in key order; within `transaction` (a read snapshot) when given. */
  entries(transaction?: Transaction): Iterable<[string, VersionedRecord]> {
    return this.store.entries(transaction);
  }

  removeIfCurrent(key: string, rec: VersionedRecord): Promise<boolean> {
    return this.store.removeIfCurrent(key, rec);
  }

  /** Tombstones older than `cutoffWall` whose key `include` accepts, purged; returns them. */
  purgeTombstones(
    cutoffWall: number,
    include: (key: string) => boolean,
  ): Promise<Array<[string, VersionedRecord]>> {
    return this.tombstones.purgeBefore(cutoffWall, include);
  }

  stats(): { keys: number; bytes: number } {
    return this.store.stats();
  }

  /** Closes storage, which flushes. */
  close(): Promise<void> {
    return this.root.close();
  }
}
