/**
 * Anti-entropy protocol between the repair job and the nodes (msgpack bodies, behind the store's
 * token). Keys are grouped by owner set (the N members that own them); every owner of a set keeps
 * the same segment tree over (key, version) of that set's keys, so equal trees mean equal data.
 * The job walks the trees of a set's owners top-down and moves only what differs. The messages'
 * one definition is src/wire/anti-entropy.ts: nodes check every body against it, the job is typed with it.
 */
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

export type {
  ApplyRequest,
  ApplyResponse,
  KeysRequest,
  KeysResponse,
  LevelRequest,
  LevelResponse,
  LockRequest,
  LockResponse,
  PurgeRequest,
  PurgeResponse,
  RecordsRequest,
  RecordsResponse,
  RepairReport,
  SetSummary,
  TreeShape,
  TreeSummary,
  UnlockRequest,
} from "../wire/anti-entropy.ts";
