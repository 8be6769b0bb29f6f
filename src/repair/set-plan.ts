/**
 * Which owner sets to repair, from the members' summaries. A set is known if any reachable member
 * lists it; an owner that lists nothing for it simply holds none of its keys (trees are created on
 * the first write), which is exactly the replica repair must fill.
 */
import type { TreeShape } from "../wire/anti-entropy.ts";
import type { NodeClient } from "./node-client.ts";
import { configOf, type MemberView } from "./summaries.ts";

export interface OwnerView {
  id: string;
  client: NodeClient;
  /** false when the node has no tree for the set: all its hashes are zero and it holds no keys of it. */
  hasTree: boolean;
  root: string;
  keys: number;
  shape: TreeShape;
}

export interface SetTask {
  id: string;
  owners: OwnerView[];
}

export interface SkippedSet {
  set: string;
  owners: string[];
  reason: string;
}

const EMPTY_ROOT = "00000000";

export function planSets(members: readonly MemberView[]): { tasks: SetTask[]; skipped: SkippedSet[] } {
  const byId = new Map(members.map((m) => [m.id, m]));
  const ownersOf = new Map<string, string[]>();
  for (const m of members) {
    for (const set of m.summary?.sets ?? []) {
      if (!ownersOf.has(set.id)) ownersOf.set(set.id, [...set.owners].sort());
    }
  }
  const tasks: SetTask[] = [];
  const skipped: SkippedSet[] = [];
  for (const [id, ownerIds] of [...ownersOf].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const reasons: string[] = [];
    const owners: OwnerView[] = [];
    for (const ownerId of ownerIds) {
      const member = byId.get(ownerId);
      if (!member) {
        reasons.push(`${ownerId} is not a member of the store (ownership from an older config?)`);
        continue;
      }
      const summary = member.summary;
      if (!summary) {
        reasons.push(member.error ?? `${ownerId} is unreachable`);
        continue;
      }
      const listed = summary.sets.find((s) => s.id === id);
      owners.push({
        id: ownerId,
        client: member.client,
        hasTree: listed !== undefined,
        root: listed?.root ?? EMPTY_ROOT,
        keys: listed?.keys ?? 0,
        shape: summary.shape,
      });
    }
    const configs = new Set(
      ownerIds.map((o) => configOf(byId.get(o)?.summary)).filter((c) => c !== undefined),
    );
    if (configs.size > 1) {
      const detail = ownerIds.map((o) => `${o}: ${configOf(byId.get(o)?.summary) ?? "?"}`).join(", ");
      reasons.push(`owners run different configs (${detail})`);
    }
    if (owners.length > 30) reasons.push(`more than 30 owners (${owners.length}) is not supported`);
    if (reasons.length > 0) skipped.push({ set: id, owners: ownerIds, reason: reasons.join("; ") });
    else tasks.push({ id, owners });
  }
  return { tasks, skipped };
}

/** Whether every owner of the set uses the same tree shape (else the trees cannot be compared). */
export function sameShape(owners: readonly OwnerView[]): boolean {
  const first = owners[0]?.shape;
  return owners.every(
    (o) =>
      first !== undefined &&
      o.shape.segments === first.segments &&
      o.shape.fanout === first.fanout &&
      o.shape.levelSizes.length === first.levelSizes.length &&
      o.shape.levelSizes.every((n, i) => n === first.levelSizes[i]),
  );
}
