/**
 * Version vectors for multi-leader replication. An origin is one incarnation of a leader
 * (`<node id>@<incarnation>`): a node whose disk was wiped starts a new origin instead of reusing
 * sequence numbers its peers already hold, which they would drop as duplicates.
 *
 * Each origin numbers its updates 1, 2, 3, ...; a vector maps every origin to the highest
 * sequence applied in order, with that update's HLC (wall, logical) so a vector also says which
 * versions of a key it has seen (see concurrency.ts).
 */
import type { VectorEntry } from "../../../wire/multi-leader.ts";
import { compareTimestamps, type Timestamp } from "../../clock/hlc.ts";

/** [origin, seq, wall, logical]: one vector entry on the wire and on disk. */
export type { VectorEntry };

export interface OriginState {
  seq: number;
  wall: number;
  logical: number;
}

export function originId(nodeId: string, incarnation: string): string {
  return `${nodeId}@${incarnation}`;
}

/** The node id of an origin: what HLC versions carry. Node ids never contain '@'. */
export function nodeOf(origin: string): string {
  const at = origin.lastIndexOf("@");
  return at < 0 ? origin : origin.slice(0, at);
}

export class VersionVector {
  private readonly entries = new Map<string, OriginState>();

  static from(list: readonly VectorEntry[]): VersionVector {
    const v = new VersionVector();
    for (const [origin, seq, wall, logical] of list) v.entries.set(origin, { seq, wall, logical });
    return v;
  }

  seq(origin: string): number {
    return this.entries.get(origin)?.seq ?? 0;
  }

  get(origin: string): OriginState | undefined {
    return this.entries.get(origin);
  }

  /** Records that `origin`'s update `seq` (with HLC `version`) is applied. */
  advance(origin: string, seq: number, version: Timestamp): void {
    this.entries.set(origin, { seq, wall: version.wall, logical: version.logical });
  }

  covers(origin: string, seq: number): boolean {
    return this.seq(origin) >= seq;
  }

  /** True when every entry of `deps` is applied here: the update depending on them may apply. */
  satisfies(deps: readonly VectorEntry[]): boolean {
    for (const [origin, seq] of deps) if (this.seq(origin) < seq) return false;
    return true;
  }

  /**
   * Whether this vector has seen the version `v` of some key: some origin of v's node has
   * applied an update at least as new. Updates of one origin apply in order and their HLCs only
   * grow, so having applied a later one means having applied v.
   */
  hasSeen(v: Timestamp): boolean {
    for (const [origin, s] of this.entries) {
      if (nodeOf(origin) !== v.node) continue;
      if (compareTimestamps({ wall: s.wall, logical: s.logical, node: v.node }, v) >= 0) return true;
    }
    return false;
  }

  /** Entry-wise the further of this vector and `other`. */
  merged(other: VersionVector): VersionVector {
    const out = new VersionVector();
    for (const [origin, s] of this.entries) out.entries.set(origin, s);
    for (const [origin, s] of other.entries) {
      if (s.seq > out.seq(origin)) out.entries.set(origin, s);
    }
    return out;
  }

  origins(): IterableIterator<string> {
    return this.entries.keys();
  }

  toList(except?: string): VectorEntry[] {
    const out: VectorEntry[] = [];
    for (const [origin, s] of this.entries) {
      if (origin !== except) out.push([origin, s.seq, s.wall, s.logical]);
    }
    return out;
  }

  /** Updates `other` lacks that this vector has, over the origins `include` accepts. */
  aheadOf(other: VersionVector, include: (origin: string) => boolean = () => true): number {
    let n = 0;
    for (const [origin, s] of this.entries) if (include(origin)) n += Math.max(0, s.seq - other.seq(origin));
    return n;
  }
}

/** The entry-wise minimum over several vectors: what all of them have applied. */
export function minimum(vectors: readonly VersionVector[]): VersionVector {
  const out = new VersionVector();
  if (vectors.length === 0) return out;
  const [first, ...rest] = vectors;
  for (const origin of first!.origins()) {
    let seq = first!.seq(origin);
    for (const v of rest) seq = Math.min(seq, v.seq(origin));
    if (seq > 0) out.advance(origin, seq, { wall: 0, logical: 0, node: nodeOf(origin) });
  }
  return out;
}
