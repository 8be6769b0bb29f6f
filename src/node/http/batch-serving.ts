import { pack, unpack } from "msgpackr";
import { decodeBatch } from "../../wire/decode-batch.ts";
import type { NodeParts } from "../parts.ts";
import { type BatchTarget, handleBatch } from "../peers/batch-handler.ts";
import { MSGPACK, OP_ML_PUSH } from "../peers/protocol.ts";
import { errorResponse } from "./error-response.ts";
import type { ApiError } from "./errors.ts";

export type BatchParts = BatchTarget & Pick<NodeParts, "selfId" | "ready">;

/** A batch's answer as bytes: what the POST route and the peer stream both send back. */
export interface BatchAnswer {
  readonly status: number;
  readonly type: typeof MSGPACK | "application/json";
  readonly body: Buffer;
}

/** A batch refused with the API's JSON error shape; the channel's answer to a batch that failed, too. */
export const refusal = (status: number, body: ApiError): BatchAnswer => ({
  status,
  type: "application/json",
  body: Buffer.from(JSON.stringify(body)),
});

/**
 * Serves one encoded batch from a peer already authenticated (certificate or peer secret): checks
 * it against its schema, then applies it. Never throws for anything the sender got wrong.
 */
export async function serveBatch(node: BatchParts, body: Uint8Array): Promise<BatchAnswer> {
  if (!node.ready) return refusal(503, { error: "not_ready", message: "node is starting or shutting down" });
  let raw: unknown;
  try {
    raw = unpack(body);
  } catch {
    return refusal(400, { error: "invalid_batch", message: "body is not a msgpack batch" });
  }
  let batch: ReturnType<typeof decodeBatch>;
  try {
    batch = decodeBatch(raw);
  } catch (err) {
    const mapped = errorResponse(err);
    if (!mapped) throw err;
    return refusal(mapped.status, mapped.body);
  }
  // A node that is leaving, or that has a newer config than this one, is a peer outside our member
  // list: its records are checked one by one like any other, but multi-leader updates name their
  // leader, so those come only from a member, and no node sends to itself.
  const cfg = node.config();
  const member = batch.from !== node.selfId && cfg.members.some((m) => m.id === batch.from);
  if (batch.from === node.selfId || (!member && batch.ops.some((op) => op[0] === OP_ML_PUSH))) {
    return refusal(400, {
      error: "unknown_peer",
      message: `batch from "${String(batch.from).slice(0, 64)}", which is not another member of this store (config generation ${cfg.generation}: ${cfg.members.map((m) => m.id).join(", ")})`,
    });
  }
  const res = await handleBatch(node, batch);
  return { status: res.refused ? 409 : 200, type: MSGPACK, body: pack(res) };
}
