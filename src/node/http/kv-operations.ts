/**
 * What PUT, GET and DELETE of a key do, apart from how the request arrived: the fastify routes
 * (kv-routes.ts) and the fast path (kv-fast-path.ts) both serve through these, so the two cannot
 * answer differently.
 */
import { formatTimestamp } from "../clock/hlc.ts";
import type { NodeMetrics, Op, Outcome } from "../metrics/node-metrics.ts";
import type { NodeParts } from "../parts.ts";
import { outcomeOf } from "./error-response.ts";
import type { ApiError } from "./errors.ts";
import { parseBoolean, parseQuorum } from "./validate.ts";

/** A read's version, also on a 404 for a deleted key. */
export const VERSION_HEADER = "x-replistore-version";

export type KvNode = Pick<NodeParts, "config" | "metrics" | "storage" | "replication">;

/** The query parameters of the key routes, as strings the way they came. */
export interface KvQuery {
  readonly w?: string | undefined;
  readonly r?: string | undefined;
  readonly local?: string | undefined;
}

/** A write's 200 body. */
export interface WriteAnswer {
  readonly key: string;
  readonly version: string;
  readonly acks: number;
  /** MultiLeader: the leader that took the write */
  readonly leader?: string;
}

/** A read's answer: the value, or the 404 body (with the tombstone's version when deleted). */
export type ReadAnswer =
  | { readonly found: true; readonly version: string; readonly value: Uint8Array }
  | { readonly found: false; readonly version: string | undefined; readonly error: ApiError };

/** The write quorum the request asks for (?w=), or the store's; a bad one throws a 400. */
export function writeQuorum(node: KvNode, query: KvQuery): number {
  const { replication } = node.config();
  return parseQuorum("w", query.w, replication.writeQuorum, replication.factor);
}

/** Writes `value` (null: deletes) to W owners. */
export async function writeKey(
  node: KvNode,
  key: string,
  value: Uint8Array | null,
  w: number,
): Promise<WriteAnswer> {
  const out = await node.replication.write(key, value, w);
  return {
    key,
    version: formatTimestamp(out.version),
    acks: out.acks,
    ...(out.leader ? { leader: out.leader } : {}),
  };
}

/** Reads from R owners, or only this node's copy with ?local=true; a bad parameter throws a 400. */
export async function readKey(node: KvNode, key: string, query: KvQuery): Promise<ReadAnswer> {
  const { replication } = node.config();
  const local = parseBoolean("local", query.local);
  const rec = local
    ? node.storage.read(key)
    : await node.replication.read(key, parseQuorum("r", query.r, replication.readQuorum, replication.factor));
  const version = rec ? formatTimestamp(rec.version) : undefined;
  if (!rec || rec.value === null) {
    return {
      found: false,
      version,
      error: {
        error: "not_found",
        message: rec ? `key was deleted (version ${version})` : "no such key",
        key,
      },
    };
  }
  return { found: true, version: version!, value: rec.value };
}

/**
 * Runs one request's work and counts it in replistore_requests_total and the duration histogram:
 * `outcome` names a success, an error is counted by its kind and thrown on.
 */
export async function observed<T>(
  metrics: NodeMetrics,
  op: Op,
  work: () => Promise<T>,
  outcome: (result: T) => Outcome,
): Promise<T> {
  const start = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
  try {
    const result = await work();
    metrics.observeRequest(op, outcome(result), seconds());
    return result;
  } catch (err) {
    metrics.observeRequest(op, outcomeOf(err), seconds());
    throw err;
  }
}
