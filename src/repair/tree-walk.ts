/**
 * The top-down comparison of one set's trees across its owners. At every node the owners fall into
 * classes of equal hash; equal hashes mean equal subtrees, so below a node only one owner per class
 * (its representative) is asked for children. With one stale replica of three, that is two of the
 * three owners asked, and only under the nodes that differ.
 */
import type { TreeShape } from "../wire/anti-entropy.ts";

/** `reps[o]` is the first owner whose hash equals owner o's (o itself when it is the first). */
export type Reps = Uint8Array;

export interface WalkOutcome {
  /** The leaf segments where owners differ, with each segment's classes. */
  segments: Map<number, Reps>;
  /** Tree hashes compared (per position, across all owners). */
  nodesCompared: number;
}

/** Hashes of `level` (the whole level, or the children of `parents` at level + 1) as one owner holds them. */
export type LevelFetch = (
  owner: number,
  level: number,
  parents: number[] | undefined,
) => Promise<Uint32Array>;

export class WalkError extends Error {
  readonly owner: number;
  constructor(owner: number, message: string) {
    super(message);
    this.name = "WalkError";
    this.owner = owner;
  }
}

/** The classes of one position, or undefined when every owner has the same hash. */
export function classify(values: ArrayLike<number>): Reps | undefined {
  const reps = new Uint8Array(values.length);
  let differs = false;
  for (let o = 0; o < values.length; o++) {
    reps[o] = o;
    for (let p = 0; p < o; p++) {
      if (values[p] === values[o]) {
        reps[o] = p;
        break;
      }
    }
    if (reps[o] !== 0) differs = true;
  }
  return differs ? reps : undefined;
}

interface Differing {
  index: number;
  reps: Reps;
}

export async function walkTrees(
  ownerCount: number,
  shape: TreeShape,
  fetch: LevelFetch,
): Promise<WalkOutcome> {
  const { fanout, levelSizes } = shape;
  const top = levelSizes.length - 1;
  const topValues = await Promise.all(
    Array.from({ length: ownerCount }, async (_, o) => {
      const values = await fetch(o, top, undefined);
      if (values.length !== levelSizes[top]) {
        throw new WalkError(o, `answered ${values.length} hashes for level ${top} of ${levelSizes[top]}`);
      }
      return values;
    }),
  );
  let nodesCompared = levelSizes[top] ?? 0;
  let differing: Differing[] = [];
  const values = new Array<number>(ownerCount);
  for (let i = 0; i < (levelSizes[top] ?? 0); i++) {
    for (let o = 0; o < ownerCount; o++) values[o] = topValues[o]![i]!;
    const reps = classify(values);
    if (reps) differing.push({ index: i, reps });
  }

  for (let level = top; level > 0 && differing.length > 0; level--) {
    const childSize = levelSizes[level - 1]!;
    const childCount = (parent: number) => Math.min(childSize, (parent + 1) * fanout) - parent * fanout;
    const parentsOf = Array.from({ length: ownerCount }, (_, o) =>
      differing.filter((d) => d.reps[o] === o).map((d) => d.index),
    );
    const answers = await Promise.all(
      parentsOf.map(async (parents, o) => {
        if (parents.length === 0) return new Uint32Array(0);
        const got = await fetch(o, level - 1, parents);
        const expected = parents.reduce((sum, p) => sum + childCount(p), 0);
        if (got.length !== expected) {
          throw new WalkError(o, `answered ${got.length} hashes at level ${level - 1}, expected ${expected}`);
        }
        return got;
      }),
    );
    const cursor = new Array<number>(ownerCount).fill(0);
    const next: Differing[] = [];
    for (const d of differing) {
      const start = d.index * fanout;
      const count = childCount(d.index);
      for (let c = 0; c < count; c++) {
        for (let o = 0; o < ownerCount; o++) {
          const rep = d.reps[o]!;
          values[o] = answers[rep]![cursor[rep]! + c]!;
        }
        const reps = classify(values);
        if (reps) next.push({ index: start + c, reps });
      }
      for (let o = 0; o < ownerCount; o++) if (d.reps[o] === o) cursor[o]! += count;
      nodesCompared += count;
    }
    differing = next;
  }
  return { segments: new Map(differing.map((d) => [d.index, d.reps])), nodesCompared };
}

/** Reads a level response (uint32 little-endian, any byte alignment) into numbers. */
export function decodeHashes(bytes: Uint8Array): Uint32Array {
  if (bytes.byteLength % 4 !== 0)
    throw new RangeError(`hash bytes not a multiple of 4 (${bytes.byteLength})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}
