import type { FastifyInstance } from "fastify";
import { pack, unpack } from "msgpackr";
import { decodeBatch } from "../../wire/decode-batch.ts";
import type { NodeParts } from "../parts.ts";
import { type BatchTarget, handleBatch } from "../peers/batch-handler.ts";
import { BATCH_PATH, MSGPACK, OP_ML_PUSH, PEER_PROTOCOL, PING_PATH } from "../peers/protocol.ts";
import { sendError } from "./errors.ts";

type BatchParts = BatchTarget & Pick<NodeParts, "selfId" | "ready">;

/** Peer-to-peer endpoints. Client tokens do not guard them (auth.ts skips /internal/): peer auth does. */
export async function internalRoutes(app: FastifyInstance, opts: { node: BatchParts }): Promise<void> {
  const { node } = opts;

  app.get(PING_PATH, async (_req, reply) =>
    node.ready
      ? { id: node.selfId, clock: pingClock(node), protocol: PEER_PROTOCOL }
      : sendError(reply, 503, { error: "not_ready", message: "node is starting or shutting down" }),
  );

  app.post(BATCH_PATH, { bodyLimit: 1024 * 1024 * 1024 }, async (req, reply) => {
    if (!node.ready)
      return sendError(reply, 503, { error: "not_ready", message: "node is starting or shutting down" });
    let raw: unknown;
    try {
      raw = unpack(req.body as Buffer);
    } catch {
      return sendError(reply, 400, { error: "invalid_batch", message: "body is not a msgpack batch" });
    }
    // A malformed batch throws a WireError, which the server's error handler answers.
    const batch = decodeBatch(raw);
    // The sender is already authenticated as a peer (certificate or peer secret). A node that is
    // leaving, or that has a newer config than this one, is a peer outside our member list: its
    // records are checked one by one like any other, but multi-leader updates name their leader, so
    // those come only from a member, and no node sends to itself.
    const cfg = node.config();
    const member = batch.from !== node.selfId && cfg.members.some((m) => m.id === batch.from);
    if (batch.from === node.selfId || (!member && batch.ops.some((op) => op[0] === OP_ML_PUSH))) {
      return sendError(reply, 400, {
        error: "unknown_peer",
        message: `batch from "${String(batch.from).slice(0, 64)}", which is not another member of this store (config generation ${cfg.generation}: ${cfg.members.map((m) => m.id).join(", ")})`,
      });
    }
    const res = await handleBatch(node, batch);
    return reply
      .code(res.refused ? 409 : 200)
      .type(MSGPACK)
      .send(pack(res));
  });
}

function pingClock(node: Pick<NodeParts, "clock">): [number, number] {
  const t = node.clock.now();
  return [t.wall, t.logical];
}
