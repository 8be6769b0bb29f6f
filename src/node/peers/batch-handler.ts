import type { Logger } from "pino";
import type { ClusterConfig } from "../../config/cluster-config.ts";
import { newestWall } from "../../wire/conflict.ts";
import { compareTimestamps, type HybridClock } from "../clock/hlc.ts";
import { checkPeerClock } from "../clock/offset-guard.ts";
import type { ConflictRecord } from "../conflicts/record.ts";
import type { NodeMetrics } from "../metrics/node-metrics.ts";
import type { ReplicationStrategy } from "../replication/strategy.ts";
import type { ApplyResult } from "../storage/kv-store.ts";
import { fromTriple, fromTuple, toTriple, toTuple, type VersionedRecord } from "../storage/record.ts";
import {
  type BatchRequest,
  type BatchResponse,
  OP_CONFLICT_DIGEST,
  OP_CONFLICT_FETCH,
  OP_CONFLICT_PUT,
  OP_GET,
  OP_GET_NEWER,
  OP_ML_PUSH,
  OP_ML_VECTOR,
  OP_PUT,
  type OpRefusal,
  PEER_PROTOCOL,
  type PeerOp,
  type PeerResult,
} from "./protocol.ts";

/** What serving a peer batch uses: the parts, each through the little it needs. */
export interface BatchTarget {
  readonly clock: HybridClock;
  readonly metrics: NodeMetrics;
  readonly log: Logger;
  config(): ClusterConfig;
  readonly membership: { readonly peers: { recordOffset(peer: string, offsetMs: number): void } };
  readonly storage: {
    read(key: string): VersionedRecord | undefined;
    apply(key: string, rec: VersionedRecord): Promise<ApplyResult>;
  };
  readonly conflicts: {
    receive(rec: ConflictRecord): Promise<boolean>;
    digest(): Array<[string, string]>;
    fetch(ids: readonly string[]): ConflictRecord[];
  };
  /** The replication model's own ops (multi-leader pushes and vectors; empty answers leaderless). */
  readonly replication: Pick<ReplicationStrategy, "receiveUpdates" | "vector">;
}

/** The metric label of a batch from a peer outside the member list (leaving, or on a newer config). */
export const NON_MEMBER = "non-member";

const refusalLogEveryMs = 10_000;
const lastRefusalLog = new Map<string, number>();

/**
 * Serves one batch from a peer, already checked against its schema (src/wire/decode-batch.ts). The
 * sender's clock is checked before anything is applied: a batch from a clock too far ahead is
 * refused whole; then each record's version is checked (futureRecord).
 * All puts of a batch are issued together and so share one LMDB commit.
 */
export async function handleBatch(node: BatchTarget, req: BatchRequest): Promise<BatchResponse> {
  const cfg = node.config();
  const maxOffsetMs = cfg.clock.maxOffsetMs;
  // a metric label only ever names a member: a former member's handoff must not add series
  const peer = cfg.members.some((m) => m.id === req.from) ? req.from : NON_MEMBER;
  const verdict = checkPeerClock(node.clock, req.clock[0], maxOffsetMs);
  if (peer !== NON_MEMBER) node.membership.peers.recordOffset(peer, verdict.offsetMs);
  if (!verdict.ok) {
    node.metrics.clockRefused.inc({ peer, direction: "in" });
    const now = Date.now();
    if (now - (lastRefusalLog.get(peer) ?? 0) > refusalLogEveryMs) {
      lastRefusalLog.set(peer, now);
      node.log.warn(
        { peer: req.from, offsetMs: verdict.offsetMs, maxOffsetMs },
        "refused peer batch: its clock is ahead of ours by more than clock.maxOffset; check NTP on that host",
      );
    }
    const t = node.clock.now();
    return {
      clock: [t.wall, t.logical],
      refused: "clock_offset",
      offsetMs: verdict.offsetMs,
      protocol: PEER_PROTOCOL,
    };
  }
  node.clock.observe(req.clock[0], req.clock[1]);
  node.metrics.peerBatchOps.observe(req.ops.length);

  // Ops that answer at once (reads, digests) take no promise; the writes, which wait for their
  // commit, are awaited together, so a batch's puts still share one LMDB commit.
  const results: PeerResult[] = new Array(req.ops.length);
  const waits: Promise<void>[] = [];
  req.ops.forEach((op, i) => {
    let result: PeerResult | Promise<PeerResult>;
    try {
      result = serveOp(node, peer, req.from, op, maxOffsetMs);
    } catch (err) {
      // awaited with the others, so no write already issued is left with nobody awaiting it
      result = Promise.reject(err);
    }
    if (result instanceof Promise)
      waits.push(
        result.then((r) => {
          results[i] = r;
        }),
      );
    else results[i] = result;
  });
  if (waits.length > 0) await Promise.all(waits);
  const t = node.clock.now();
  return { clock: [t.wall, t.logical], results, protocol: PEER_PROTOCOL };
}

/** One op's answer: at once, or once what it writes is durable. */
function serveOp(
  node: BatchTarget,
  peer: string,
  from: string,
  op: PeerOp,
  maxOffsetMs: number,
): PeerResult | Promise<PeerResult> {
  const refusal = futureRecord(node, peer, op, maxOffsetMs);
  if (refusal) return refusal;
  switch (op[0]) {
    case OP_PUT:
      return node.storage.apply(op[1], fromTuple(op[2])).then((r): PeerResult => {
        const prev = r.previous?.version;
        return [r.applied ? 1 : 0, prev ? toTriple(prev) : null];
      });
    case OP_GET: {
      const rec = node.storage.read(op[1]);
      return rec ? toTuple(rec) : null;
    }
    case OP_GET_NEWER: {
      const rec = node.storage.read(op[1]);
      if (!rec) return [null];
      const known = op[2];
      if (!known || compareTimestamps(rec.version, fromTriple(known)) > 0) return toTuple(rec);
      return [toTriple(rec.version)];
    }
    case OP_CONFLICT_PUT:
      return node.conflicts.receive(op[2]).then((stored): PeerResult => [stored ? 1 : 0]);
    case OP_CONFLICT_DIGEST:
      return node.conflicts.digest();
    case OP_CONFLICT_FETCH:
      return node.conflicts.fetch(op[2]);
    case OP_ML_PUSH:
      return node.replication.receiveUpdates(from, op[2]);
    case OP_ML_VECTOR:
      return node.replication.vector();
  }
}

/**
 * The max clock offset rule applied to each record, as the anti-entropy apply route does: the
 * batch's clock being fine says nothing about the versions it carries, and one stored version from
 * the far future would hide every later write to its key. Refused per op, so the rest of a batch
 * (other clients' writes) still lands; the sender counts the refused op as no ack.
 */
function futureRecord(
  node: BatchTarget,
  from: string,
  op: PeerOp,
  maxOffsetMs: number,
): OpRefusal | undefined {
  let wall: number;
  if (op[0] === OP_PUT) wall = op[2][0];
  else if (op[0] === OP_ML_PUSH) wall = op[2].reduce((max, u) => Math.max(max, u[2]), 0);
  else if (op[0] === OP_CONFLICT_PUT) wall = newestWall(op[2]);
  else return undefined;
  const verdict = checkPeerClock(node.clock, wall, maxOffsetMs);
  if (verdict.ok) return undefined;
  node.metrics.clockRefused.inc({ peer: from, direction: "in" });
  const what =
    op[0] === OP_PUT
      ? `the record for key ${JSON.stringify(op[1])}`
      : op[0] === OP_CONFLICT_PUT
        ? `conflict record ${op[2].id}`
        : "an update";
  return {
    refused: "record_from_future",
    message: `${what} has version wall ${wall}, ${verdict.offsetMs} ms ahead of this node's clock (clock.maxOffset ${maxOffsetMs} ms); not stored`,
    offsetMs: verdict.offsetMs,
  };
}
