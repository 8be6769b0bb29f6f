import type { SetSummary, TreeShape } from "../../wire/anti-entropy.ts";
import { segmentOf, versionHash } from "../../wire/segment-hash.ts";
import type { Timestamp } from "../clock/hlc.ts";
import type { HashRing } from "../ring/hash-ring.ts";
import type { VersionedRecord } from "../storage/record.ts";
import { SegmentTree } from "./segment-tree.ts";

/** The owner lists a ring hands out are shared and frozen, so each one's id is computed once. */
const setIds = new WeakMap<readonly string[], string>();

/** The owner set a key belongs to, as the id every node computes the same way. */
export function ownerSetId(owners: readonly string[]): string {
  let id = setIds.get(owners);
  if (id === undefined) {
    id = [...owners].sort().join(",");
    if (Object.isFrozen(owners)) setIds.set(owners, id);
  }
  return id;
}

interface OwnedSet {
  owners: string[];
  tree: SegmentTree;
  keys: number;
}

/**
 * One segment tree per owner set this node belongs to. Keys this node stores but does not own
 * (left over after a membership change) are outside every tree until rebalancing moves them.
 */
export class TreeRegistry {
  readonly shape: TreeShape;
  private readonly selfId: string;
  private sets = new Map<string, OwnedSet>();
  private ring: HashRing;
  private factor: number;

  constructor(shape: TreeShape, selfId: string, ring: HashRing, factor: number) {
    this.shape = shape;
    this.selfId = selfId;
    this.ring = ring;
    this.factor = factor;
  }

  /**
   * Rebuilds every tree from storage; used at start and when ownership changes. Returns how many
   * stored keys this node does not own (they are for the handoff to move).
   */
  rebuild(entries: Iterable<[string, VersionedRecord]>, ring: HashRing, factor: number): number {
    this.ring = ring;
    this.factor = factor;
    this.sets = new Map();
    let notOwned = 0;
    for (const [key, rec] of entries) if (!this.onWrite(key, undefined, rec.version)) notOwned++;
    return notOwned;
  }

  /** Moves a key's contribution from `prev` to `next` (either may be absent); false if not owned here. */
  onWrite(key: string, prev: Timestamp | undefined, next: Timestamp | undefined): boolean {
    const set = this.setOf(key);
    if (!set) return false;
    const segment = segmentOf(key, this.shape.segments);
    if (prev) set.tree.toggle(segment, versionHash(key, prev));
    if (next) set.tree.toggle(segment, versionHash(key, next));
    set.keys += (next ? 1 : 0) - (prev ? 1 : 0);
    return true;
  }

  tree(id: string): SegmentTree | undefined {
    return this.sets.get(id)?.tree;
  }

  /** Whether `key` belongs to set `id` (the set's owners own the key under the current ring). */
  belongsTo(key: string, id: string): boolean {
    return ownerSetId(this.ring.owners(key, this.factor)) === id;
  }

  summaries(): SetSummary[] {
    return [...this.sets].map(([id, s]) => ({
      id,
      owners: s.owners,
      keys: s.keys,
      root: s.tree.root().toString(16).padStart(8, "0"),
    }));
  }

  bytes(): number {
    let n = 0;
    for (const s of this.sets.values()) n += s.tree.bytes();
    return n;
  }

  private setOf(key: string): OwnedSet | undefined {
    const owners = this.ring.owners(key, this.factor);
    if (!owners.includes(this.selfId)) return undefined;
    const id = ownerSetId(owners);
    let set = this.sets.get(id);
    if (!set) {
      set = { owners: [...owners].sort(), tree: new SegmentTree(this.shape), keys: 0 };
      this.sets.set(id, set);
    }
    return set;
  }
}
