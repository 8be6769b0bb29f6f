/**
 * Anti-entropy messages between the repair job and the nodes (msgpack bodies). Keys are grouped by
 * owner set (the N members that own them); every owner of a set keeps the same segment tree over
 * (key, version) of that set's keys. Nodes check every body against these schemas; the repair Job is typed
 * with them.
 */
import Type, { type Static } from "typebox";
import { Bytes, Key, Logical, NodeId, RecordTuple, Wall } from "./record.ts";

/** Paths under the store's token; the peer port only once peers authenticate. */
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

const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Index = Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 });
/** An owner set's id: owner ids sorted and joined with ",". */
const SetId = Type.String({ minLength: 1 });

export const TreeShape = Type.Object({
  /** Leaf segments per tree (a power of two). */
  segments: Count,
  /** Children per inner node. */
  fanout: Count,
  /** Level sizes from the leaves (level 0) up to the top level. */
  levelSizes: Type.Array(Count),
});
export type TreeShape = Static<typeof TreeShape>;

export const SetSummary = Type.Object({
  id: SetId,
  owners: Type.Array(NodeId),
  keys: Count,
  /** Hex of the top level's hashes folded together; equal roots mean equal sets (with high probability). */
  root: Type.String(),
});
export type SetSummary = Static<typeof SetSummary>;

export const TreeSummary = Type.Object({
  node: NodeId,
  generation: Count,
  /**
   * Hash of the whole config in force. The operator can write a different config under the same
   * generation (a failover, a drain), so "same config" is generation and hash together.
   */
  configHash: Type.String(),
  /** false while the trees are being (re)built after a start or a membership change. */
  ready: Type.Boolean(),
  shape: TreeShape,
  sets: Type.Array(SetSummary),
});
export type TreeSummary = Static<typeof TreeSummary>;

/**
 * Hashes at `level`, 4 bytes each (uint32 LE). With `parents` (indices at level + 1): the children
 * of each parent in turn, `fanout` per parent (fewer for the last parent of a short level), so a
 * walk names only the nodes that differed above. Without `parents`: the whole level.
 */
export const LevelRequest = Type.Object({
  set: SetId,
  level: Index,
  parents: Type.Optional(Type.Array(Index)),
});
export type LevelRequest = Static<typeof LevelRequest>;
export const LevelResponse = Type.Object({ hashes: Bytes });
export type LevelResponse = Static<typeof LevelResponse>;

/** Every key of the set in these leaf segments, with its version only (not its value). */
export const KeysRequest = Type.Object({ set: SetId, segments: Type.Array(Index) });
export type KeysRequest = Static<typeof KeysRequest>;
export const KeysResponse = Type.Object({
  /** [key, wall, logical, node] */
  entries: Type.Array(Type.Tuple([Key, Wall, Logical, NodeId])),
});
export type KeysResponse = Static<typeof KeysResponse>;

export const RecordsRequest = Type.Object({ keys: Type.Array(Key) });
export type RecordsRequest = Static<typeof RecordsRequest>;
export const RecordsResponse = Type.Object({
  /** The node's stored record for each key, or null; tombstones have a null value. */
  records: Type.Array(Type.Tuple([Key, Type.Union([RecordTuple, Type.Null()])])),
});
export type RecordsResponse = Static<typeof RecordsResponse>;

/** Stores each record if it is newer than the node's copy (last write wins). */
export const ApplyRequest = Type.Object({ records: Type.Array(Type.Tuple([Key, RecordTuple])) });
export type ApplyRequest = Static<typeof ApplyRequest>;
export const ApplyResponse = Type.Object({
  applied: Count,
  /** Records whose version is further ahead of the node's clock than clock.maxOffset. */
  refused: Count,
});
export type ApplyResponse = Static<typeof ApplyResponse>;

/**
 * Purges the set's tombstones older than the node's tombstones.gracePeriod. The job sends it only
 * when every owner of the set was compared and now matches, so all owners agree on each tombstone.
 */
export const PurgeRequest = Type.Object({ set: SetId });
export type PurgeRequest = Static<typeof PurgeRequest>;
export const PurgeResponse = Type.Object({ purged: Count });
export type PurgeResponse = Static<typeof PurgeResponse>;

/** Who holds the lock (job/pid/random), for how long; a day at most, since a run renews it. */
const Holder = Type.String({ minLength: 1, maxLength: 256 });
export const MAX_LOCK_TTL_MS = 24 * 60 * 60 * 1000;
export const LockRequest = Type.Object({
  holder: Holder,
  ttlMs: Type.Integer({ minimum: 1, maximum: MAX_LOCK_TTL_MS }),
});
export type LockRequest = Static<typeof LockRequest>;
export const LockResponse = Type.Object({ acquired: Type.Boolean(), holder: Holder, sinceMs: Count });
export type LockResponse = Static<typeof LockResponse>;
export const UnlockRequest = Type.Object({ holder: Holder });
export type UnlockRequest = Static<typeof UnlockRequest>;
/** false when `holder` did not hold the lock (it expired, or another run holds it). */
export const UnlockResponse = Type.Object({ released: Type.Boolean() });
export type UnlockResponse = Static<typeof UnlockResponse>;

/** What a finished (or failed) repair run reports to each node it touched, for the node's metrics. */
export const RepairReport = Type.Object({
  finishedAt: Count,
  ok: Type.Boolean(),
  setsCompared: Count,
  setsSkipped: Count,
  keysCompared: Count,
  keysRepaired: Count,
  bytesSent: Count,
  durationMs: Type.Number({ minimum: 0 }),
});
export type RepairReport = Static<typeof RepairReport>;
export const ReportResponse = Type.Object({ ok: Type.Literal(true) });
export type ReportResponse = Static<typeof ReportResponse>;
