import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { formatTimestamp } from "../clock/hlc.ts";
import type { Op, Outcome } from "../metrics/node-metrics.ts";
import type { NodeParts } from "../parts.ts";
import { outcomeOf } from "./error-response.ts";
import { HttpError, sendError } from "./errors.ts";
import { forwardToLeader } from "./forward-to-leader.ts";
import { parseBoolean, parseQuorum, validateKey } from "./validate.ts";

interface KvQuery {
  w?: string;
  r?: string;
  local?: string;
}
type KvRequest = FastifyRequest<{ Params: { "*": string }; Querystring: KvQuery }>;

const querySchema = {
  type: "object",
  properties: {
    w: { type: "string", description: "write quorum for this request, 1..N" },
    r: { type: "string", description: "read quorum for this request, 1..N" },
    local: { type: "string", description: "true: read only this node's copy" },
  },
} as const;

const writeResponse = {
  200: {
    type: "object",
    properties: {
      key: { type: "string" },
      version: { type: "string" },
      acks: { type: "integer" },
      leader: { type: "string", description: "MultiLeader: the leader that took the write" },
    },
  },
} as const;

/** The client API: PUT, GET and DELETE of one key. Keys may contain slashes, hence the wildcard. */
export async function kvRoutes(
  app: FastifyInstance,
  opts: {
    node: Pick<
      NodeParts,
      "selfId" | "log" | "config" | "metrics" | "storage" | "replication" | "peerCredentials"
    >;
  },
): Promise<void> {
  const { node } = opts;
  const { metrics } = node;

  const observe = (op: Op, start: bigint, outcome: Outcome) =>
    metrics.observeRequest(op, outcome, Number(process.hrtime.bigint() - start) / 1e9);
  // Counted here; the server's error handler turns the error into its answer.
  const fail = (op: Op, start: bigint, err: unknown): never => {
    observe(op, start, outcomeOf(err));
    throw err;
  };

  const write = async (
    req: KvRequest,
    reply: FastifyReply,
    op: "put" | "delete",
    value: Uint8Array | null,
  ) => {
    const start = process.hrtime.bigint();
    try {
      const key = validateKey(req.params["*"]);
      const { replication } = node.config();
      const w = parseQuorum("w", req.query.w, replication.writeQuorum, replication.factor);
      const leaders = node.replication.forwardTo();
      if (leaders) {
        await forwardToLeader(node, leaders, req, reply);
        observe(op, start, reply.statusCode < 300 ? "ok" : "error");
        return reply;
      }
      const out = await node.replication.write(key, value, w);
      observe(op, start, "ok");
      return {
        key,
        version: formatTimestamp(out.version),
        acks: out.acks,
        ...(out.leader ? { leader: out.leader } : {}),
      };
    } catch (err) {
      return fail(op, start, err);
    }
  };

  app.put(
    "/v1/kv/*",
    { config: { role: "write" }, schema: { querystring: querySchema, response: writeResponse } },
    async (req: KvRequest, reply) => {
      const body = req.body;
      const value = body instanceof Uint8Array ? body : new Uint8Array(0);
      const limit = node.config().limits.maxValueBytes;
      if (value.byteLength > limit) {
        return fail("put", process.hrtime.bigint(), valueTooLarge(value.byteLength, limit));
      }
      return write(req, reply, "put", value);
    },
  );

  app.delete(
    "/v1/kv/*",
    { config: { role: "write" }, schema: { querystring: querySchema, response: writeResponse } },
    (req: KvRequest, reply) => write(req, reply, "delete", null),
  );

  app.get(
    "/v1/kv/*",
    { config: { role: "read" }, schema: { querystring: querySchema } },
    async (req: KvRequest, reply) => {
      const start = process.hrtime.bigint();
      try {
        const key = validateKey(req.params["*"]);
        const { replication } = node.config();
        const local = parseBoolean("local", req.query.local);
        const rec = local
          ? node.storage.read(key)
          : await node.replication.read(
              key,
              parseQuorum("r", req.query.r, replication.readQuorum, replication.factor),
            );
        if (rec) reply.header("x-replistore-version", formatTimestamp(rec.version));
        if (!rec || rec.value === null) {
          observe("get", start, "not_found");
          return sendError(reply, 404, {
            error: "not_found",
            message: rec ? `key was deleted (version ${formatTimestamp(rec.version)})` : "no such key",
            key,
          });
        }
        observe("get", start, "ok");
        return reply
          .type("application/octet-stream")
          .send(Buffer.from(rec.value.buffer, rec.value.byteOffset, rec.value.byteLength));
      } catch (err) {
        return fail("get", start, err);
      }
    },
  );
}

export function valueTooLarge(bytes: number, limit: number): HttpError {
  return new HttpError(
    413,
    "value_too_large",
    `value is ${bytes} bytes; this store accepts at most ${limit} (limits.maxValueSize)`,
    {
      limit,
    },
  );
}
