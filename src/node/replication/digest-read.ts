/**
 * Digest reads: a coordinator that holds a copy of the key sends its version with OP_GET_NEWER, and
 * the peer sends its value back only when its own copy is newer. Most reads find the owners in
 * agreement, so most peer answers carry a version instead of a value.
 */
import { checker } from "../../wire/decode.ts";
import { VersionResult } from "../../wire/peer-batch.ts";
import { RecordTuple, type VersionTriple } from "../../wire/record.ts";
import { compareTimestamps } from "../clock/hlc.ts";
import { fromTriple, fromTuple, toTriple, type VersionedRecord } from "../storage/record.ts";

const wholeRecord = checker(RecordTuple);
const versionOnly = checker(VersionResult);

/** The version field of OP_GET_NEWER: our copy's version, or null when we hold none. */
export function knownVersion(mine: VersionedRecord | undefined): VersionTriple | null {
  return mine ? toTriple(mine.version) : null;
}

/**
 * What a peer's get-newer answer says of its copy, given the coordinator's own (`mine`, whose version
 * was sent). A copy no newer than ours comes back as a stand-in that carries the peer's version and
 * no value: it can never be the newest, so only its version is ever read (to repair the peer). An
 * answer that breaks the protocol (not a record nor a version, or a version newer than ours without
 * its value) is an Error: the read counts that peer as failed and asks another owner.
 */
export function peerCopy(
  answer: unknown,
  mine: VersionedRecord | undefined,
): VersionedRecord | undefined | Error {
  if (wholeRecord.check(answer)) return fromTuple(answer);
  if (!versionOnly.check(answer)) {
    return new Error(`malformed get-newer answer: ${versionOnly.explain(answer, "result")}`);
  }
  const [v] = answer;
  if (v === null) return undefined;
  const theirs = fromTriple(v);
  const order = mine ? compareTimestamps(theirs, mine.version) : 1;
  if (order > 0 || !mine) return new Error("get-newer answer names a newer version without its value");
  return order === 0 ? mine : { version: theirs, value: null };
}
