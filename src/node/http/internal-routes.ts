import type { FastifyInstance } from "fastify";
import { CHANNEL_PATH, CHANNEL_UPGRADE, MAX_FRAME_BYTES } from "../../wire/peer-frame.ts";
import type { NodeParts } from "../parts.ts";
import { BATCH_PATH, PEER_PROTOCOL, PING_PATH } from "../peers/protocol.ts";
import { type BatchParts, serveBatch } from "./batch-serving.ts";
import { sendError } from "./errors.ts";

/** Peer-to-peer endpoints. Client tokens do not guard them (auth.ts skips /internal/): peer auth does. */
export async function internalRoutes(app: FastifyInstance, opts: { node: BatchParts }): Promise<void> {
  const { node } = opts;

  app.get(PING_PATH, async (_req, reply) =>
    node.ready
      ? { id: node.selfId, clock: pingClock(node), protocol: PEER_PROTOCOL }
      : sendError(reply, 503, { error: "not_ready", message: "node is starting or shutting down" }),
  );

  // Channels are opened by an upgrade (peer-channel-server.ts takes those before routing).
  app.get(CHANNEL_PATH, async (_req, reply) =>
    sendError(reply, 426, {
      error: "upgrade_required",
      message: `${CHANNEL_PATH} is a peer channel: ask for it with "Connection: Upgrade" and "Upgrade: ${CHANNEL_UPGRADE}"`,
    }).header("upgrade", CHANNEL_UPGRADE),
  );

  app.post(BATCH_PATH, { bodyLimit: MAX_FRAME_BYTES }, async (req, reply) => {
    const answer = await serveBatch(node, req.body as Buffer);
    return reply.code(answer.status).type(answer.type).send(answer.body);
  });
}

function pingClock(node: Pick<NodeParts, "clock">): [number, number] {
  const t = node.clock.now();
  return [t.wall, t.logical];
}
