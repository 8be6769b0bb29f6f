/**
 * Node-to-node batch protocol, msgpack-encoded on POST /internal/v1/batch. Ops are tuples rather
 * than objects because a busy coordinator sends thousands per second and encoding is the cost.
 * Every message carries the sender's HLC so the receiver can refuse a clock too far ahead.
 */
import type { ConflictRecord } from "../conflicts/record.ts";
import type { UpdateTuple } from "../replication/multileader/update.ts";
import type { VectorEntry } from "../replication/multileader/version-vector.ts";
import type { RecordTuple } from "../storage/record.ts";

export const BATCH_PATH = "/internal/v1/batch";
export const PING_PATH = "/internal/v1/ping";
export const MSGPACK = "application/msgpack";

export const OP_PUT = 0;
export const OP_GET = 1;
export const OP_CONFLICT_PUT = 2;
export const OP_CONFLICT_DIGEST = 3;
export const OP_CONFLICT_FETCH = 4;
export const OP_ML_PUSH = 5;
export const OP_ML_VECTOR = 6;

/**
 * [OP_PUT, key, record] stores if newer; [OP_GET, key] reads the local copy. The conflict ops
 * replicate the conflict queue: push a record, list [id, revision] pairs, fetch records by id.
 * Multi-leader: push updates (answered with the receiver's applied vector), or ask for the vector.
 */
export type PeerOp =
  | [typeof OP_PUT, string, RecordTuple]
  | [typeof OP_GET, string]
  | [typeof OP_CONFLICT_PUT, string, ConflictRecord]
  | [typeof OP_CONFLICT_DIGEST, string]
  | [typeof OP_CONFLICT_FETCH, string, string[]]
  | [typeof OP_ML_PUSH, string, UpdateTuple[]]
  | [typeof OP_ML_VECTOR, string];

/** For a put: [applied 0|1, previous version [wall, logical, node] or null]. For a get: the record or null. */
export type PutResult = [0 | 1, [number, number, string] | null];
export type PeerResult =
  | PutResult
  | RecordTuple
  | null
  | Array<[string, string]>
  | ConflictRecord[]
  | VectorEntry[]
  | [0 | 1];

export interface BatchRequest {
  from: string;
  /** Sender's HLC [wall, logical] at send time. */
  clock: [number, number];
  ops: PeerOp[];
}

export interface BatchResponse {
  clock: [number, number];
  results?: PeerResult[];
  /** Set when the receiver refused the whole batch; results is then absent. */
  refused?: "clock_offset";
  offsetMs?: number;
}
