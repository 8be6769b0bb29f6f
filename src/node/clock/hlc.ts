/**
 * Hybrid logical clock. A version is (wall ms, logical counter, node id): the wall part keeps
 * versions close to real time so last-write-wins picks the write a person would call newest, the
 * counter orders events within one millisecond or behind a peer's clock, and the node id breaks
 * the remaining ties identically on every node.
 */
export interface Timestamp {
  readonly wall: number;
  readonly logical: number;
  readonly node: string;
}

/** Negative, zero or positive, like a sort comparator. Total order: ties fall to the node id. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  if (a.wall !== b.wall) return a.wall - b.wall;
  if (a.logical !== b.logical) return a.logical - b.logical;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

export function formatTimestamp(ts: Timestamp): string {
  return `${ts.wall}:${ts.logical}:${ts.node}`;
}

/** Parses `wall:logical:node`; the node id may itself contain colons. */
export function parseTimestamp(text: string): Timestamp | undefined {
  const first = text.indexOf(":");
  const second = first < 0 ? -1 : text.indexOf(":", first + 1);
  if (second < 0) return undefined;
  const wall = Number(text.slice(0, first));
  const logical = Number(text.slice(first + 1, second));
  const node = text.slice(second + 1);
  if (!Number.isSafeInteger(wall) || !Number.isSafeInteger(logical) || wall < 0 || logical < 0 || !node) {
    return undefined;
  }
  return { wall, logical, node };
}

export type PhysicalClock = () => number;

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
  }
}
