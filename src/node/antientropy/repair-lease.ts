import type { LockResponse } from "../../wire/anti-entropy.ts";

/**
 * The repair lock, held in memory by one node (the job picks the lowest reachable ordinal). It
 * only keeps two jobs from duplicating work: repair is idempotent, so losing the lease in a node
 * restart costs at most a wasted run, never data.
 */
export class RepairLease {
  private holder: string | undefined;
  private since = 0;
  private expires = 0;

  acquire(holder: string, ttlMs: number, now = Date.now()): LockResponse {
    if (this.holder && this.holder !== holder && now < this.expires) {
      return { acquired: false, holder: this.holder, sinceMs: this.since };
    }
    if (this.holder !== holder || now >= this.expires) this.since = now;
    this.holder = holder;
    this.expires = now + ttlMs;
    return { acquired: true, holder, sinceMs: this.since };
  }

  release(holder: string): boolean {
    if (this.holder !== holder) return false;
    this.holder = undefined;
    this.expires = 0;
    return true;
  }
}
