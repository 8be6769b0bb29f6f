import type { FastifyInstance } from "fastify";
import { pack, unpack } from "msgpackr";
import { decodeBatch } from "../../wire/decode-batch.ts";
import type { NodeParts } from "../parts.ts";
import { type BatchTarget, handleBatch } from "../peers/batch-handler.ts";
import { BATCH_PATH, MSGPACK, PING_PATH } from "../peers/protocol.ts";
import { sendError } from "./errors.ts";

type BatchParts = BatchTarget & Pick<NodeParts, "selfId" | "ready">;

/** Peer-to-peer endpoints. Client tokens do not guard them (auth.ts skips /internal/): peer auth does. */
export async function internalRoutes(app: FastifyInstance, opts: { node: BatchParts }): Promise<void> {
  const { node } = opts;

  app.get(PING_PATH, async (_req, reply) =>
    node.ready
      ? { id: node.selfId, clock: pingClock(node) }
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
    // `from` becomes a metric label and the sender of multi-leader updates: only a member may be it.
    const cfg = node.config();
    if (batch.from === node.selfId || !cfg.members.some((m) => m.id === batch.from)) {
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
