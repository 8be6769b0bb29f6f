/**
 * A version on the wire: (wall ms, logical counter, node id), as the hybrid logical clock stamps it.
 * Its order is part of the protocol: every node and the repair Job must pick the same newest version.
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
