/**
 * Repairs one owner set: equal roots end it at once; otherwise the trees are walked down to the
 * differing leaf segments, one keys request per owner lists those segments' versions, the newest
 * records go to the owners that lack them, and the owners then purge the tombstones they agree on.
 */

import {
  AE_KEYS,
  AE_LEVEL,
  AE_PURGE,
  type KeysRequest,
  KeysResponse,
  type LevelRequest,
  LevelResponse,
  PurgeResponse,
} from "../wire/anti-entropy.ts";
import { segmentOf } from "../wire/segment-hash.ts";
import { KeyTable } from "./key-table.ts";
import { NodeCallError } from "./node-client.ts";
import { type OwnerView, type SetTask, sameShape } from "./set-plan.ts";
import { transfer } from "./transfer.ts";
import { decodeHashes, type Reps, WalkError, walkTrees } from "./tree-walk.ts";

export interface SetResult {
  set: string;
  owners: string[];
  outcome: "clean" | "repaired" | "skipped";
  reason?: string;
  /** The node that failed, when it failed for being unreachable: later sets skip it at once. */
  unreachable?: string;
  nodesCompared: number;
  segmentsCompared: number;
  keysCompared: number;
  keysRepaired: number;
  recordsSent: number;
  recordsApplied: number;
  tombstonesPurged: number;
  durationMs: number;
}

export interface SetRunOptions {
  naive: boolean;
  /** What the set is doing now, for the terminal's status line. */
  progress: (text: string) => void;
  /**
   * Non-empty when the run must stop (lock lost, signal): checked before the set starts, so a set
   * once started is finished (and its owners purge only after a complete comparison).
   */
  stopReason: () => string | undefined;
}

class Stopped extends Error {}

function emptyResult(task: SetTask): SetResult {
  return {
    set: task.id,
    owners: task.owners.map((o) => o.id),
    outcome: "clean",
    nodesCompared: 0,
    segmentsCompared: 0,
    keysCompared: 0,
    keysRepaired: 0,
    recordsSent: 0,
    recordsApplied: 0,
    tombstonesPurged: 0,
    durationMs: 0,
  };
}

export async function repairSet(task: SetTask, options: SetRunOptions): Promise<SetResult> {
  const started = Date.now();
  const result = emptyResult(task);
  try {
    const stop = options.stopReason();
    if (stop) throw new Stopped(stop);
    const owners = task.owners;
    const rootsEqual = owners.every((o) => o.root === owners[0]?.root);
    if (!(rootsEqual && !options.naive)) {
      const table = new KeyTable(owners.length);
      if (!options.naive && sameShape(owners)) {
        await compareByTrees(task, table, result, options);
      } else {
        await compareEverything(task, table, result, options);
      }
      result.keysCompared = table.size;
      const moved = await transfer(owners, table, (done, total) =>
        options.progress(`copying records ${done}/${total}`),
      );
      result.keysRepaired = moved.keysRepaired;
      result.recordsSent = moved.recordsSent;
      result.recordsApplied = moved.recordsApplied;
      if (moved.keysRepaired > 0) result.outcome = "repaired";
    }
    options.progress("purging agreed tombstones");
    result.tombstonesPurged = await purge(task);
  } catch (err) {
    result.outcome = "skipped";
    if (err instanceof Stopped) {
      result.reason = err.message;
    } else if (err instanceof NodeCallError) {
      result.reason = err.message;
      if (err.unreachable) result.unreachable = err.node;
    } else if (err instanceof WalkError) {
      result.reason = `${task.owners[err.owner]?.id ?? "an owner"} ${err.message}`;
    } else {
      throw err;
    }
  }
  result.durationMs = Date.now() - started;
  return result;
}

async function compareByTrees(task: SetTask, table: KeyTable, result: SetResult, options: SetRunOptions) {
  const owners = task.owners;
  const shape = owners[0]!.shape;
  const walk = await walkTrees(owners.length, shape, async (o, level, parents) => {
    options.progress(`comparing tree level ${level}`);
    return fetchLevel(owners[o]!, task.id, level, parents);
  });
  result.nodesCompared = walk.nodesCompared;
  result.segmentsCompared = walk.segments.size;
  if (walk.segments.size === 0) return;
  options.progress(`listing keys of ${walk.segments.size} segments`);
  const sorted = [...walk.segments.keys()].sort((a, b) => a - b);
  await Promise.all(
    owners.map(async (owner, o) => {
      if (!owner.hasTree) return; // holds none of the set's keys
      const segments = sorted.filter((s) => walk.segments.get(s)![o] === o);
      if (segments.length === 0) return;
      const entries = await fetchKeys(owner, task.id, segments);
      for (const [key, wall, logical, node] of entries) {
        const reps = walk.segments.get(segmentOf(key, shape.segments));
        if (!reps || reps[o] !== o) continue; // not asked for: a node answering loosely
        table.add(key, wall, logical, node, classMask(reps, o));
      }
    }),
  );
}

/** Owners whose hash at the segment equals representative `rep`'s. */
function classMask(reps: Reps, rep: number): number {
  let mask = 0;
  for (let o = 0; o < reps.length; o++) if (reps[o] === rep) mask |= 1 << o;
  return mask;
}

/** Every key of the set from every owner: the naive mode, and the fallback when tree shapes differ. */
async function compareEverything(task: SetTask, table: KeyTable, result: SetResult, options: SetRunOptions) {
  // One owner at a time: each answer holds the whole set's key list.
  for (const [o, owner] of task.owners.entries()) {
    if (!owner.hasTree) continue;
    options.progress(`listing every key on ${owner.id}`);
    const all = Array.from({ length: owner.shape.segments }, (_, s) => s);
    result.segmentsCompared += all.length;
    const entries = await fetchKeys(owner, task.id, all);
    for (const [key, wall, logical, node] of entries) table.add(key, wall, logical, node, 1 << o);
  }
}

async function fetchLevel(
  owner: OwnerView,
  set: string,
  level: number,
  parents: number[] | undefined,
): Promise<Uint32Array> {
  if (!owner.hasTree) {
    // An absent tree is all zeros: answer locally instead of asking for it.
    const { fanout, levelSizes } = owner.shape;
    const size = levelSizes[level] ?? 0;
    const count = parents
      ? parents.reduce((sum, p) => sum + Math.min(size, (p + 1) * fanout) - p * fanout, 0)
      : size;
    return new Uint32Array(count);
  }
  const request: LevelRequest = parents ? { set, level, parents } : { set, level };
  const answer = await owner.client.post(AE_LEVEL, request, LevelResponse);
  return decodeHashes(answer.body.hashes);
}

async function fetchKeys(
  owner: OwnerView,
  set: string,
  segments: number[],
): Promise<KeysResponse["entries"]> {
  const request: KeysRequest = { set, segments };
  const answer = await owner.client.post(AE_KEYS, request, KeysResponse);
  return answer.body.entries;
}

/** Every owner drops the set's tombstones past its grace period; an owner without the set has none. */
async function purge(task: SetTask): Promise<number> {
  const counts = await Promise.all(
    task.owners.map(async (owner) => {
      const answer = await owner.client.post(AE_PURGE, { set: task.id }, PurgeResponse, { accept: [404] });
      return answer.status === 404 ? 0 : answer.body.purged;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
