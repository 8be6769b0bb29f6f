import type { TreeShape } from "../../wire/anti-entropy.ts";

/**
 * A Tictac-style hash tree: leaves are segments holding the XOR of their keys' version hashes,
 * and each inner node is the XOR of its children. XOR makes every update O(levels) and order-free:
 * a write XORs out the old version and XORs in the new one along one path; nothing is rescanned.
 */
export class SegmentTree {
  readonly shape: TreeShape;
  private readonly levels: Uint32Array[];

  constructor(shape: TreeShape) {
    this.shape = shape;
    this.levels = shape.levelSizes.map((n) => new Uint32Array(n));
  }

  /** XORs `hash` into the path from `segment` to the top. */
  toggle(segment: number, hash: number): void {
    let index = segment;
    for (const level of this.levels) {
      level[index] = (level[index]! ^ hash) >>> 0;
      index = Math.floor(index / this.shape.fanout);
    }
  }

  /** The top level folded into one value; equal roots mean equal trees, with high probability. */
  root(): number {
    const top = this.levels[this.levels.length - 1]!;
    let r = 0;
    for (const h of top) r ^= h;
    return r >>> 0;
  }

  /** The whole level, or the children of `parents` (indices at level + 1), as uint32 LE bytes. */
  hashes(level: number, parents?: readonly number[]): Uint8Array {
    const values = this.levels[level];
    if (!values) throw new RangeError(`level ${level} does not exist (0..${this.levels.length - 1})`);
    if (!parents) return new Uint8Array(values.slice().buffer);
    const { fanout } = this.shape;
    const out: number[] = [];
    for (const p of parents) {
      const end = Math.min(values.length, (p + 1) * fanout);
      for (let i = p * fanout; i < end; i++) out.push(values[i]!);
    }
    return new Uint8Array(Uint32Array.from(out).buffer);
  }

  clear(): void {
    for (const level of this.levels) level.fill(0);
  }

  bytes(): number {
    let n = 0;
    for (const level of this.levels) n += level.byteLength;
    return n;
  }
}

/** Level sizes from `segments` leaves up, dividing by `fanout` until a level fits in one node. */
export function treeShape(segments: number, fanout: number): TreeShape {
  if (!Number.isInteger(Math.log2(segments)))
    throw new RangeError(`segments must be a power of two, got ${segments}`);
  if (fanout < 2) throw new RangeError(`fanout must be at least 2, got ${fanout}`);
  const levelSizes = [segments];
  while (levelSizes[levelSizes.length - 1]! > fanout) {
    levelSizes.push(Math.ceil(levelSizes[levelSizes.length - 1]! / fanout));
  }
  return { segments, fanout, levelSizes };
}
