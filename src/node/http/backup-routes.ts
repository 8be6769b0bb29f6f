import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { BACKUP_SNAPSHOT } from "../../wire/backup.ts";
import { snapshotFrames } from "../backup/snapshot-stream.ts";
import type { NodeParts } from "../parts.ts";
import { MSGPACK } from "../peers/protocol.ts";
import { sendError } from "./errors.ts";

/**
 * The backup run's one route: this node's read snapshot, streamed. A peer route (the run holds the
 * store's peer credentials), so a client token never reads the whole store through it.
 */
export async function backupRoutes(
  app: FastifyInstance,
  opts: {
    node: Pick<NodeParts, "selfId" | "ready" | "config" | "clock" | "storage" | "hints" | "conflicts">;
  },
): Promise<void> {
  const { node } = opts;
  app.get(BACKUP_SNAPSHOT, async (_req, reply) => {
    if (!node.ready)
      return sendError(reply, 503, { error: "not_ready", message: "node is starting or shutting down" });
    const frames = snapshotFrames({
      selfId: node.selfId,
      root: node.storage.root,
      storage: node.storage,
      hints: node.hints,
      conflicts: node.conflicts.store,
      clock: node.clock,
      tombstoneGraceMs: node.config().tombstones.gracePeriodMs,
    });
    // A failure half-way destroys the connection: the reader then misses the end frame and fails.
    return reply.type(MSGPACK).send(Readable.from(frames, { objectMode: false }));
  });
}
