import { ConflictDigest, ConflictRecord as ConflictRecordSchema, newestWall } from "../../wire/conflict.ts";
import { checker } from "../../wire/decode.ts";
import type { HybridClock } from "../clock/hlc.ts";
import { checkPeerClock } from "../clock/offset-guard.ts";
import type { ConflictRecord } from "./record.ts";

const recordShape = checker(ConflictRecordSchema);
const digestShape = checker(ConflictDigest);

/** A record a peer sent: taken, or refused with the sentence the log shows. */
export type CheckedRecord =
  | { ok: true; record: ConflictRecord }
  | { ok: false; problem: string; future: boolean };

/**
 * Checks a conflict record from a peer's answer (a gossip fetch) as the batch route checks one
 * pushed to it: the schema (shape and self-consistency), then the max clock offset rule for every
 * version it names, since one far-future version would win every merge of that record.
 */
export function checkPeerRecord(value: unknown, clock: HybridClock, maxOffsetMs: number): CheckedRecord {
  if (!recordShape.check(value)) {
    return { ok: false, problem: `malformed: ${recordShape.explain(value, "record")}`, future: false };
  }
  const wall = newestWall(value);
  const verdict = checkPeerClock(clock, wall, maxOffsetMs);
  if (!verdict.ok) {
    return {
      ok: false,
      problem: `conflict record ${value.id} has version wall ${wall}, ${verdict.offsetMs} ms ahead of this node's clock (clock.maxOffset ${maxOffsetMs} ms)`,
      future: true,
    };
  }
  return { ok: true, record: value };
}

/** A peer's digest answer, or a sentence saying why it is not one. */
export function checkPeerDigest(value: unknown): Array<[string, string]> | string {
  return digestShape.check(value) ? value : `malformed digest: ${digestShape.explain(value, "digest")}`;
}
