/**
 * Anti-entropy protocol between the repair job and the nodes (msgpack bodies, behind the store's
 * token). Keys are grouped by owner set (the N members that own them); every owner of a set keeps
 * the same segment tree over (key, version) of that set's keys, so equal trees mean equal data.
 * The job walks the trees of a set's owners top-down and moves only what differs.
 */
import type { RecordTuple } from "../node/storage/record.ts";

export const AE_PREFIX = "/internal/v1/ae";
export const AE_SUMMARY = `${AE_PREFIX}/summary`; // GET  -> TreeSummary (JSON)
export const AE_LEVEL = `${AE_PREFIX}/level`; // POST LevelRequest -> LevelResponse
export const AE_KEYS = `${AE_PREFIX}/keys`; // POST KeysRequest -> KeysResponse
export const AE_RECORDS = `${AE_PREFIX}/records`; // POST RecordsRequest -> RecordsResponse
export const AE_APPLY = `${AE_PREFIX}/apply`; // POST ApplyRequest -> ApplyResponse
export const AE_PURGE = `${AE_PREFIX}/purge`; // POST PurgeRequest -> PurgeResponse
export const AE_LOCK = `${AE_PREFIX}/lock`; // POST LockRequest -> 200 LockResponse | 409 LockResponse
export const AE_UNLOCK = `${AE_PREFIX}/unlock`; // POST UnlockRequest -> 200
export const AE_REPORT = `${AE_PREFIX}/report`; // POST RepairReport -> 200

export interface TreeShape {
  /** Leaf segments per tree (a power of two). */
  segments: number;
  /** Children per inner node. */
  fanout: number;
  /** Level sizes from the leaves (level 0) up to the top level. */
  levelSizes: number[];
}

export interface SetSummary {
  /** Owner ids sorted and joined with ",". */
  id: string;
  owners: string[];
  keys: number;
  /** Hex of the top level's hashes folded together; equal roots mean equal sets (with high probability). */
  root: string;
}

export interface TreeSummary {
  node: string;
  generation: number;
  /**
   * Hash of the whole config in force. The operator can write a different config under the same
   * generation (a failover, a drain), so "same config" is generation and hash together.
   */
  configHash: string;
  /** false while the trees are being (re)built after a start or a membership change. */
  ready: boolean;
  shape: TreeShape;
  sets: SetSummary[];
}

/**
 * Hashes at `level`, 4 bytes each (uint32 LE). With `parents` (indices at level + 1): the children
 * of each parent in turn, `fanout` per parent (fewer for the last parent of a short level), so a
 * walk names only the nodes that differed above. Without `parents`: the whole level.
 */
export interface LevelRequest {
  set: string;
  level: number;
  parents?: number[];
}
export interface LevelResponse {
  hashes: Uint8Array;
}

/** Every key of the set in these leaf segments, with its version only (not its value). */
export interface KeysRequest {
  set: string;
  segments: number[];
}
export interface KeysResponse {
  /** [key, wall, logical, node] */
  entries: Array<[string, number, number, string]>;
}

export interface RecordsRequest {
  keys: string[];
}
export interface RecordsResponse {
  /** The node's stored record for each key, or null; tombstones have a null value. */
  records: Array<[string, RecordTuple | null]>;
}

/** Stores each record if it is newer than the node's copy (last write wins). */
export interface ApplyRequest {
  records: Array<[string, RecordTuple]>;
}
export interface ApplyResponse {
  applied: number;
  /** Records whose version is further ahead of the node's clock than clock.maxOffset. */
  refused: number;
}

/**
 * Purges the set's tombstones older than the node's tombstones.gracePeriod. The job sends it only
 * when every owner of the set was compared and now matches, so all owners agree on each tombstone.
 */
export interface PurgeRequest {
  set: string;
}
export interface PurgeResponse {
  purged: number;
}

export interface LockRequest {
  holder: string;
  ttlMs: number;
}
export interface LockResponse {
  acquired: boolean;
  holder: string;
  sinceMs: number;
}
export interface UnlockRequest {
  holder: string;
}

/** What a finished (or failed) repair run reports to each node it touched, for the node's metrics. */
export interface RepairReport {
  finishedAt: number;
  ok: boolean;
  setsCompared: number;
  setsSkipped: number;
  keysCompared: number;
  keysRepaired: number;
  bytesSent: number;
  durationMs: number;
}
