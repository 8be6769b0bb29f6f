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
    const res = await handleBatch(node, decodeBatch(raw));
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
