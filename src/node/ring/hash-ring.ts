import { createHash } from "node:crypto";
import { fmix32 } from "../../wire/segment-hash.ts";

/**
 * Consistent hashing with virtual nodes: each member owns many small arcs of a 32-bit ring, so a
 * member joining or leaving moves only about 1/members of the keys, spread over all the others.
 * A key's owners are the first `n` distinct members clockwise from the key's hash.
 */
const NONE: readonly string[] = Object.freeze([]);

export class HashRing {
  private readonly points: Uint32Array;
  private readonly pointOwner: number[];
  readonly members: readonly string[];
  private readonly ownersAt = new Map<number, readonly string[]>();

  constructor(members: readonly string[], vnodes: number) {
    this.members = [...members];
    const entries: Array<[number, number]> = [];
    members.forEach((id, idx) => {
      for (let v = 0; v < vnodes; v++) {
        const digest = createHash("md5").update(`${id}#${v}`).digest();
        entries.push([digest.readUInt32BE(0), idx]);
      }
    });
    // Ties (astronomically rare) are ordered by member index so every node builds the same ring.
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.points = Uint32Array.from(entries, (e) => e[0]);
    this.pointOwner = entries.map((e) => e[1]);
  }

  /**
   * Owners of `key`, primary first; at most `n`, and at most the member count. The list depends
   * only on the ring point the key lands on, so it is built once per point and shared: callers
   * must not change it (every write and every tree update asks).
   */
  owners(key: string, n: number): readonly string[] {
    const want = Math.min(n, this.members.length);
    if (want === 0) return NONE;
    const start = this.search(hashKey(key));
    const slot = start * (this.members.length + 1) + want;
    let out = this.ownersAt.get(slot);
    if (!out) {
      out = this.walk(start, want);
      this.ownersAt.set(slot, out);
    }
    return out;
  }

  private walk(start: number, want: number): readonly string[] {
    const out: string[] = [];
    const seen = new Set<number>();
    for (let step = 0, i = start; step < this.points.length && out.length < want; step++, i++) {
      const owner = this.pointOwner[i % this.points.length]!;
      if (!seen.has(owner)) {
        seen.add(owner);
        out.push(this.members[owner]!);
      }
    }
    return Object.freeze(out);
  }

  /** Index of the first point >= h (wrapping to 0). */
  private search(h: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.points.length ? 0 : lo;
  }
}

/** FNV-1a over UTF-16 code units with a murmur3 finalizer for avalanche: fast and well spread. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}
