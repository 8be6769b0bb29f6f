import type { Database, RootDatabase, Transaction } from "lmdb";
import type { RecordTuple } from "../storage/record.ts";

/** [key, record, created at ms, size in bytes] */
type HintValue = [string, RecordTuple, number, number];

export interface Hint {
  readonly target: string;
  readonly seq: number;
  readonly key: string;
  readonly record: RecordTuple;
  readonly createdAt: number;
  readonly size: number;
}

export type HintDropReason = "disabled" | "full" | "window" | "expired";

export interface HintLimits {
  enabled: boolean;
  windowMs: number;
  maxBytes: number;
}

/**
 * Durable hints: writes this node coordinated for an owner that did not take them, kept in LMDB
 * until the owner is back. Counts and sizes per target are kept in memory (rebuilt at start) so
 * the size bound and the metrics cost nothing per write.
 */
export class HintStore {
  private readonly db: Database<HintValue, [string, number]>;
  private readonly perTarget = new Map<string, { count: number; bytes: number }>();
  private totalBytes = 0;
  private seq: number;

  constructor(root: RootDatabase) {
    this.db = root.openDB<HintValue, [string, number]>({ name: "hints" });
    let maxSeq = 0;
    for (const { key, value } of this.db.getRange()) {
      this.account(key[0], 1, value[3]);
      maxSeq = Math.max(maxSeq, key[1]);
    }
    this.seq = maxSeq;
  }

  /** Returns why the hint was dropped, or undefined when it was stored. */
  add(
    target: string,
    key: string,
    record: RecordTuple,
    limits: HintLimits,
    targetDownMs: number,
  ): HintDropReason | undefined {
    if (!limits.enabled) return "disabled";
    if (targetDownMs > limits.windowMs) return "window";
    const size = Buffer.byteLength(key) + (record[3]?.byteLength ?? 0) + 32;
    if (this.totalBytes + size > limits.maxBytes) return "full";
    this.seq++;
    this.account(target, 1, size);
    void this.db.put([target, this.seq], [key, record, Date.now(), size]);
    return undefined;
  }

  /** Oldest hints for `target` first, so replay preserves the order they were written in. */
  take(target: string, limit: number): Hint[] {
    const out: Hint[] = [];
    for (const h of this.oldestFirst(target)) {
      if (out.length >= limit) break;
      out.push(h);
    }
    return out;
  }

  /** A target's hints, oldest first, read lazily so a caller can stop early. */
  private *oldestFirst(target: string): Generator<Hint> {
    for (const { key, value } of this.db.getRange({
      start: [target, 0],
      end: [target, Number.MAX_SAFE_INTEGER],
    })) {
      yield { target, seq: key[1], key: value[0], record: value[1], createdAt: value[2], size: value[3] };
    }
  }

  async remove(hints: readonly Hint[]): Promise<void> {
    await Promise.all(hints.map((h) => this.db.remove([h.target, h.seq])));
    for (const h of hints) this.account(h.target, -1, -h.size);
  }

  /**
   * Drops hints older than the window: their owner has been gone too long and repair takes over.
   * Sequence numbers grow with time, so each target's hints are read oldest first and the scan
   * stops at the first one still inside the window.
   */
  async expire(cutoff: number): Promise<number> {
    const old: Hint[] = [];
    for (const target of this.targets()) {
      for (const h of this.oldestFirst(target)) {
        if (h.createdAt >= cutoff) break;
        old.push(h);
      }
    }
    await this.remove(old);
    return old.length;
  }

  /** Every hinted [key, record], any target, within `transaction` (a read snapshot). */
  *records(transaction: Transaction): Generator<[string, RecordTuple]> {
    for (const { value } of this.db.getRange({ transaction })) yield [value[0], value[1]];
  }

  targets(): string[] {
    return [...this.perTarget.entries()].filter(([, t]) => t.count > 0).map(([id]) => id);
  }

  pending(): { count: number; bytes: number } {
    let count = 0;
    for (const t of this.perTarget.values()) count += t.count;
    return { count, bytes: this.totalBytes };
  }

  pendingFor(target: string): number {
    return this.perTarget.get(target)?.count ?? 0;
  }

  private account(target: string, count: number, bytes: number): void {
    const t = this.perTarget.get(target) ?? { count: 0, bytes: 0 };
    t.count += count;
    t.bytes += bytes;
    this.perTarget.set(target, t);
    this.totalBytes += bytes;
  }
}
