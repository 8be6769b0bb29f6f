import type { FastifyInstance } from "fastify";
import type { NodeParts } from "../parts.ts";
import { sendError } from "./errors.ts";

/** Probes and metrics. /healthz: the process serves requests. /readyz: storage is open, config loaded, not shutting down. */
export async function opsRoutes(
  app: FastifyInstance,
  opts: { node: Pick<NodeParts, "ready" | "metrics"> },
): Promise<void> {
  const { node } = opts;
  app.get("/healthz", { config: { role: "open" } }, async () => ({ status: "ok" }));
  app.get("/readyz", { config: { role: "open" } }, async (_req, reply) =>
    node.ready
      ? { status: "ready" }
      : sendError(reply, 503, { error: "not_ready", message: "node is starting or shutting down" }),
  );
  app.get("/metrics", { config: { role: "open" } }, async (_req, reply) => {
    const text = await node.metrics.registry.metrics();
    return reply.type(node.metrics.registry.contentType).send(text);
  });
}
