import type { FastifyInstance } from "fastify";
import type { ConflictRecord } from "../conflicts/record.ts";
import { type Decision, resolveConflict } from "../conflicts/resolve.ts";
import type { NodeParts } from "../parts.ts";
import { HttpError } from "./errors.ts";
import { forwardToLeader } from "./forward-to-leader.ts";

const MAX_PAGE = 500;

/** The conflict queue's public API: list (filters, paging), show one, resolve one. */
export async function conflictRoutes(
  app: FastifyInstance,
  opts: {
    node: Pick<
      NodeParts,
      | "selfId"
      | "log"
      | "config"
      | "clock"
      | "metrics"
      | "conflicts"
      | "replication"
      | "membership"
      | "peerCredentials"
    >;
  },
): Promise<void> {
  const { node } = opts;

  app.get<{ Querystring: Record<string, string | undefined> }>(
    "/v1/conflicts",
    {
      config: { role: "read" },
      schema: {
        querystring: {
          type: "object",
          properties: {
            status: { type: "string", description: "pending or resolved" },
            kind: { type: "string", description: "partial_write or concurrent" },
            key: { type: "string" },
            limit: { type: "string", description: `page size, 1..${MAX_PAGE} (default 100)` },
            cursor: { type: "string", description: "`next` from the previous page" },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      if (q.status && q.status !== "pending" && q.status !== "resolved") {
        throw new HttpError(
          400,
          "invalid_parameter",
          `status must be pending or resolved; got '${q.status}'`,
        );
      }
      if (q.kind && q.kind !== "partial_write" && q.kind !== "concurrent") {
        throw new HttpError(
          400,
          "invalid_parameter",
          `kind must be partial_write or concurrent; got '${q.kind}'`,
        );
      }
      const limit = q.limit === undefined ? 100 : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
        throw new HttpError(
          400,
          "invalid_parameter",
          `limit must be an integer from 1 to ${MAX_PAGE}; got '${q.limit}'`,
        );
      }
      const page = node.conflicts.store.list({
        limit,
        ...(q.status ? { status: q.status as "pending" | "resolved" } : {}),
        ...(q.kind ? { kind: q.kind as ConflictRecord["kind"] } : {}),
        ...(q.key ? { key: q.key } : {}),
        ...(q.cursor ? { after: q.cursor } : {}),
      });
      return { items: page.items.map(view), next: page.next };
    },
  );

  app.get<{ Params: { id: string } }>("/v1/conflicts/:id", { config: { role: "read" } }, async (req) => {
    const rec = node.conflicts.store.get(req.params.id);
    if (!rec)
      throw new HttpError(404, "not_found", `no conflict ${req.params.id}; list them with GET /v1/conflicts`);
    return view(rec);
  });

  app.post<{ Params: { id: string } }>(
    "/v1/conflicts/:id/resolve",
    { config: { role: "admin" } },
    async (req, reply) => {
      const decision = parseDecision(req.body);
      // A resolution is a write: on a multi-leader follower, a leader makes it.
      const leaders = node.replication.forwardTo();
      if (leaders) return forwardToLeader(node, leaders, req, reply);
      return view(await resolveConflict(node, req.params.id, decision));
    },
  );
}

function parseDecision(raw: unknown): Decision {
  const text = raw instanceof Buffer ? raw.toString("utf8") : "";
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new HttpError(
      400,
      "invalid_request",
      'body must be JSON: {"keep": "<version>"} or {"value": "..."}, plus "resolvedBy" and "note"',
    );
  }
  if (typeof body !== "object" || body === null)
    throw new HttpError(400, "invalid_request", "body must be a JSON object");
  const resolvedBy = body.resolvedBy;
  if (typeof resolvedBy !== "string" || resolvedBy.trim() === "") {
    throw new HttpError(400, "invalid_request", "resolvedBy is required: who decided (a name or an email)");
  }
  const note = body.note === undefined ? "" : body.note;
  if (typeof note !== "string") throw new HttpError(400, "invalid_request", "note must be a string");
  const choices = ["keep", "value", "valueBase64", "delete"].filter((k) => body[k] !== undefined);
  if (choices.length !== 1) {
    throw new HttpError(
      400,
      "invalid_request",
      `give exactly one of keep, value, valueBase64 or delete; got ${choices.length ? choices.join(", ") : "none"}`,
    );
  }
  const base = { resolvedBy: resolvedBy.trim(), note };
  if (typeof body.keep === "string") return { ...base, keep: body.keep };
  if (typeof body.value === "string") return { ...base, value: Buffer.from(body.value, "utf8") };
  if (typeof body.valueBase64 === "string")
    return { ...base, value: Buffer.from(body.valueBase64, "base64") };
  if (body.delete === true) return { ...base, delete: true };
  throw new HttpError(
    400,
    "invalid_request",
    `${choices[0]} has the wrong type: keep, value and valueBase64 are strings, delete is true`,
  );
}

/** JSON view: values as UTF-8 text when they are text, and always as base64. */
function view(r: ConflictRecord) {
  return {
    ...r,
    versions: r.versions.map((v) => ({
      version: v.version,
      origin: v.origin,
      role: v.role,
      applied: v.version === r.applied,
      deleted: v.value === null,
      valueKnown: v.value !== undefined,
      value: v.value ? text(v.value) : null,
      valueBase64: v.value ? Buffer.from(v.value).toString("base64") : null,
    })),
  };
}

function text(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
