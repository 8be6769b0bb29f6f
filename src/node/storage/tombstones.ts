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

  note(key: string, rec: VersionedRecord): void {
    if (rec.value === null) void this.index.put([rec.version.wall, key], key);
  }

  /** Purges tombstones whose version is older than `cutoffWall`; returns how many went. */
  async purgeBefore(cutoffWall: number, limit = 10_000): Promise<number> {
    let purged = 0;
    for (const { key: indexKey } of this.index.getRange({ end: [cutoffWall], limit })) {
      const [wall, key] = indexKey;
      const cur = this.kv.get(key);
      if (cur && cur.value === null && cur.version.wall === wall && (await this.kv.purge(key, cur))) purged++;
      await this.index.remove(indexKey);
    }
    return purged;
  }
}
