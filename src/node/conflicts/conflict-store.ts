import type { Database, RootDatabase, Transaction } from "lmdb";
import { type ConflictRecord, mergeRecords, revision } from "./record.ts";

export interface ListFilter {
  status?: "pending" | "resolved";
  key?: string;
  kind?: ConflictRecord["kind"];
  limit: number;
  /** Opaque cursor from a previous page. */
  after?: string;
}

/**
 * The node's copy of the conflict queue, in LMDB. Every change goes through `upsert`, which merges
 * with what is stored, so the same record arriving from several nodes, in any order, ends the same.
 */
export class ConflictStore {
  private readonly db: Database<ConflictRecord, string>;

  constructor(root: RootDatabase) {
    this.db = root.openDB<ConflictRecord, string>({ name: "conflicts" });
  }

  get(id: string): ConflictRecord | undefined {
    return this.db.get(id);
  }

  /** Stores the merge of `incoming` and the stored copy; resolves to it when it changed, once durable. */
  async upsert(incoming: ConflictRecord): Promise<ConflictRecord | undefined> {
    const current = this.db.get(incoming.id);
    const merged = current ? mergeRecords(current, incoming) : incoming;
    if (current && revision(merged) === revision(current)) return undefined;
    await this.db.put(merged.id, merged);
    return merged;
  }

  /** Oldest detection first: the queue on-call works through. */
  list(filter: ListFilter): { items: ConflictRecord[]; next: string | null } {
    const all = this.all()
      .filter((r) => (!filter.status || r.status === filter.status) && (!filter.key || r.key === filter.key))
      .filter((r) => !filter.kind || r.kind === filter.kind)
      .sort((a, b) =>
        a.detectedAt < b.detectedAt ? -1 : a.detectedAt > b.detectedAt ? 1 : a.id < b.id ? -1 : 1,
      );
    const start = filter.after ? all.findIndex((r) => cursorOf(r) > filter.after!) : 0;
    const from = start < 0 ? all.length : start;
    const items = all.slice(from, from + filter.limit);
    const last = items[items.length - 1];
    return { items, next: from + filter.limit < all.length && last ? cursorOf(last) : null };
  }

  /** Every record; within `transaction` (a read snapshot) when given. */
  all(transaction?: Transaction): ConflictRecord[] {
    return [...this.db.getRange(transaction ? { transaction } : {}).map(({ value }) => value)];
  }

  /** [id, revision] of every record: what a peer compares to find what it lacks. */
  digest(): Array<[string, string]> {
    return this.all().map((r) => [r.id, revision(r)]);
  }

  /** Drops resolved records older than the retention; pending ones stay until someone decides. */
  async prune(retentionMs: number, now = Date.now()): Promise<number> {
    let n = 0;
    for (const r of this.all()) {
      if (r.status === "resolved" && r.resolution && now - Date.parse(r.resolution.at) > retentionMs) {
        await this.db.remove(r.id);
        n++;
      }
    }
    return n;
  }

  stats(now = Date.now()): { pending: number; oldestPendingSeconds: number } {
    let pending = 0;
    let oldest = now;
    for (const r of this.all()) {
      if (r.status !== "pending") continue;
      pending++;
      oldest = Math.min(oldest, Date.parse(r.detectedAt));
    }
    return { pending, oldestPendingSeconds: pending ? (now - oldest) / 1000 : 0 };
  }
}

function cursorOf(r: ConflictRecord): string {
  return `${r.detectedAt}|${r.id}`;
}
