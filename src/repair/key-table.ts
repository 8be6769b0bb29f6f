/**
 * The newest version of each compared key and which owners already hold it. Owners are bits of a
 * mask (a set has at most 30 owners), so a million keys cost one small array each, not a map each.
 */
import { compareTimestamps, type Timestamp } from "../wire/version.ts";

/** [wall, logical, node, mask of owners holding exactly this version] */
type Entry = [number, number, string, number];

export class KeyTable {
  private readonly entries = new Map<string, Entry>();
  private readonly allOwners: number;

  constructor(ownerCount: number) {
    this.allOwners = (1 << ownerCount) - 1;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Records that the owners in `mask` hold `key` at this version. */
  add(key: string, wall: number, logical: number, node: string, mask: number): void {
    const cur = this.entries.get(key);
    if (!cur) {
      this.entries.set(key, [wall, logical, node, mask]);
      return;
    }
    const order = compareTimestamps({ wall, logical, node }, { wall: cur[0], logical: cur[1], node: cur[2] });
    if (order > 0) this.entries.set(key, [wall, logical, node, mask]);
    else if (order === 0) cur[3] |= mask;
  }

  /** Keys some owner lacks (absent or older), with the owners that have the newest and those that lack it. */
  *stale(): Generator<{ key: string; version: Timestamp; holders: number; lacking: number }> {
    for (const [key, [wall, logical, node, holders]] of this.entries) {
      const lacking = this.allOwners & ~holders;
      if (lacking !== 0) yield { key, version: { wall, logical, node }, holders, lacking };
    }
  }
}

/** Owner indices whose bit is set in `mask`. */
export function ownersIn(mask: number, ownerCount: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < ownerCount; o++) if (mask & (1 << o)) out.push(o);
  return out;
}
