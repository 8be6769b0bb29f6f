import type { Database, RootDatabase } from "lmdb";
import type { KvStore } from "./kv-store.ts";
import type { VersionedRecord } from "./record.ts";

/**
 * An index of tombstones by their HLC wall time, so purging past the grace period reads only
 * the expired entries instead of scanning every key.
 */
export class TombstoneIndex {
  private readonly index: Database<string, [number, string]>;
  private readonly kv: KvStore;

  constructor(root: RootDatabase, kv: KvStore) {
    this.index = root.openDB<string, [number, string]>({ name: "tombstones" });
    this.kv = kv;
  }

  /** Indexes a tombstone; resolves once durable, so a purge that follows sees it. */
  async note(key: string, rec: VersionedRecord): Promise<void> {
    if (rec.value === null) await this.index.put([rec.version.wall, key], key);
  }

  /** Indexes a tombstone inside the caller's write transaction (a restore's bulk load). */
  noteInTransaction(key: string, rec: VersionedRecord): void {
    if (rec.value === null) this.index.putSync([rec.version.wall, key], key);
  }

  /**
   * Purges tombstones older than `cutoffWall` for which `include(key)` holds, and returns them so
   * the caller can take them out of its hash trees. Index entries of other keys stay for later.
   */
  async purgeBefore(
    cutoffWall: number,
    include: (key: string) => boolean = () => true,
    limit = 100_000,
  ): Promise<Array<[string, VersionedRecord]>> {
    const purged: Array<[string, VersionedRecord]> = [];
    for (const { key: indexKey } of this.index.getRange({ end: [cutoffWall], limit })) {
      const [wall, key] = indexKey;
      if (!include(key)) continue;
      const cur = this.kv.get(key);
      if (cur && cur.value === null && cur.version.wall === wall && (await this.kv.purge(key, cur))) {
        purged.push([key, cur]);
      }
      await this.index.remove(indexKey);
    }
    return purged;
  }
}
