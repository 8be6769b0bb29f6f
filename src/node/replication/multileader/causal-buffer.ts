import type { Update } from "./update.ts";
import type { VersionVector } from "./version-vector.ts";

/** Updates held past this many are dropped; their senders see them unacknowledged and resend. */
const MAX_BUFFERED = 100_000;

/**
 * Updates that arrived before something they depend on: the next update of their own origin,
 * or an update of another origin their writer had already applied (the notes' A-writes-x,
 * B-reads-x-writes-y, C-gets-y-first case). They wait here, in memory, and leave in causal order.
 */
export class CausalBuffer {
  private readonly byOrigin = new Map<string, Map<number, Update>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(origin: string, seq: number): boolean {
    return this.byOrigin.get(origin)?.has(seq) ?? false;
  }

  /** False when the buffer is full and the update was not kept. */
  add(u: Update): boolean {
    if (this.count >= MAX_BUFFERED) return false;
    let m = this.byOrigin.get(u.origin);
    if (!m) {
      m = new Map();
      this.byOrigin.set(u.origin, m);
    }
    if (!m.has(u.seq)) {
      m.set(u.seq, u);
      this.count++;
    }
    return true;
  }

  /**
   * Removes and returns one update that `applied` now allows (the next of its origin, with all
   * its dependencies applied), or undefined when none is ready. Every update enters through
   * add() and leaves through here, so nothing at or below `applied` lingers.
   */
  takeReady(applied: VersionVector): Update | undefined {
    for (const [origin, m] of this.byOrigin) {
      const next = m.get(applied.seq(origin) + 1);
      if (next && applied.satisfies(next.deps)) {
        m.delete(next.seq);
        this.count--;
        if (m.size === 0) this.byOrigin.delete(origin);
        return next;
      }
    }
    return undefined;
  }
}
