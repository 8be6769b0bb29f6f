import type { FastifyInstance } from "fastify";
import type { NodeParts } from "../parts.ts";
import { HttpError } from "./errors.ts";

type DrainParts = Pick<NodeParts, "selfId" | "config" | "membership">;

interface DrainBody {
  leaving?: unknown;
}

/**
 * POST /v1/admin/drain: copy this node's keys to their owners under the ring without the leaving
 * members (default: this node), before a scale-down removes them. Progress is in GET /v1/status
 * under `handoff`. Body (optional JSON): {"leaving": ["orders-3", "orders-4"]}.
 */
export async function adminRoutes(app: FastifyInstance, opts: { node: DrainParts }): Promise<void> {
  const { node } = opts;
  app.post("/v1/admin/drain", { config: { role: "admin" } }, async (req, reply) => {
    const leaving = parseLeaving(req.body, node);
    node.membership.drain(leaving);
    return reply.code(202).send({ draining: leaving, handoff: node.membership.handoff.status });
  });
}

export function parseLeaving(raw: unknown, node: Pick<DrainParts, "selfId" | "config">): string[] {
  const text = raw instanceof Buffer ? raw.toString("utf8").trim() : "";
  if (!text) return [node.selfId];
  const refuse = () =>
    new HttpError(400, "invalid_request", 'body must be JSON like {"leaving": ["<member id>"]} or empty');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw refuse();
  }
  // JSON null, a number, a string or an array parse fine but are not the object asked for.
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw refuse();
  const body = parsed as DrainBody;
  if (body.leaving === undefined) return [node.selfId];
  const members = node.config().members.map((m) => m.id);
  if (
    !Array.isArray(body.leaving) ||
    body.leaving.length === 0 ||
    !body.leaving.every((x) => typeof x === "string")
  ) {
    throw new HttpError(400, "invalid_request", "leaving must be a non-empty array of member ids");
  }
  const unknown = body.leaving.filter((id) => !members.includes(id));
  if (unknown.length > 0) {
    throw new HttpError(
      400,
      "unknown_member",
      `not members of this store: ${unknown.join(", ")} (members: ${members.join(", ")})`,
    );
  }
  return body.leaving as string[];
}
