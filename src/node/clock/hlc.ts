/**
 * Hybrid logical clock. A version is (wall ms, logical counter, node id): the wall part keeps
 * versions close to real time so last-write-wins picks the write a person would call newest, the
 * counter orders events within one millisecond or behind a peer's clock, and the node id breaks
 * the remaining ties identically on every node.
 */
export { compareTimestamps, formatTimestamp, parseTimestamp, type Timestamp } from "../../wire/version.ts";

import type { Timestamp } from "../../wire/version.ts";

export type PhysicalClock = () => number;

/**
 * The largest logical counter a version may carry (src/wire/record.ts's Logical: whole and exact).
 * A peer may send one at that limit; a counter past it would make versions this node's peers
 * refuse, so the clock carries into the wall part instead (found by the API fuzz run).
 */
export const MAX_LOGICAL = Number.MAX_SAFE_INTEGER;

export class HybridClock {
  private wall = 0;
  private logical = 0;
  readonly node: string;
  private readonly physical: PhysicalClock;

  constructor(node: string, physical: PhysicalClock = Date.now) {
    this.node = node;
    this.physical = physical;
  }

  /** This node's wall clock in ms, skew included; what offsets are measured against. */
  physicalNow(): number {
    return this.physical();
  }

  /** A fresh timestamp for a local event, strictly greater than every timestamp seen so far. */
  now(): Timestamp {
    const pt = this.physical();
    if (pt > this.wall) {
      this.wall = pt;
      this.logical = 0;
    } else {
      this.logical += 1;
    }
    this.carry();
    return { wall: this.wall, logical: this.logical, node: this.node };
  }

  /**
   * Merges a timestamp received from a peer so later local events order after it. Callers must
   * have checked the offset first: observing a far-future wall would drag this clock along.
   */
  observe(remoteWall: number, remoteLogical: number): void {
    const pt = this.physical();
    const wall = Math.max(this.wall, remoteWall, pt);
    if (wall === this.wall && wall === remoteWall) {
      this.logical = Math.max(this.logical, remoteLogical) + 1;
    } else if (wall === this.wall) {
      this.logical += 1;
    } else if (wall === remoteWall) {
      this.logical = remoteLogical + 1;
    } else {
      this.logical = 0;
    }
    this.wall = wall;
    this.carry();
  }

  /** (wall, MAX_LOGICAL + 1) becomes (wall + 1, 0): still greater than everything seen, and exact. */
  private carry(): void {
    if (this.logical <= MAX_LOGICAL) return;
    this.wall += 1;
    this.logical = 0;
  }
}
