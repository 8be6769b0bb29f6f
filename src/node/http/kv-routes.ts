import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { NodeParts } from "../parts.ts";
import { HttpError, sendError } from "./errors.ts";
import { forwardToLeader } from "./forward-to-leader.ts";
import {
  type KvNode,
  type KvQuery,
  observed,
  readKey,
  VERSION_HEADER,
  type WriteAnswer,
  writeKey,
  writeQuorum,
} from "./kv-operations.ts";
import { validateKey } from "./validate.ts";

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
  opts: { node: KvNode & Pick<NodeParts, "selfId" | "log" | "peerCredentials"> },
): Promise<void> {
  const { node } = opts;
  const { metrics } = node;

  const write = (req: KvRequest, reply: FastifyReply, op: "put" | "delete", value: Uint8Array | null) =>
    observed(
      metrics,
      op,
      async (): Promise<WriteAnswer | FastifyReply> => {
        if (value && value.byteLength > node.config().limits.maxValueBytes) {
          throw valueTooLarge(value.byteLength, node.config().limits.maxValueBytes);
        }
        const key = validateKey(req.params["*"]);
        const w = writeQuorum(node, req.query);
        const leaders = node.replication.forwardTo();
        if (!leaders) return writeKey(node, key, value, w);
        await forwardToLeader(node, leaders, req, reply);
        return reply;
      },
      (out) => (out !== reply || reply.statusCode < 300 ? "ok" : "error"),
    );

  app.put(
    "/v1/kv/*",
    { config: { role: "write" }, schema: { querystring: querySchema, response: writeResponse } },
    (req: KvRequest, reply) =>
      write(req, reply, "put", req.body instanceof Uint8Array ? req.body : new Uint8Array(0)),
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
      const got = await observed(
        metrics,
        "get",
        () => readKey(node, validateKey(req.params["*"]), req.query),
        (a) => (a.found ? "ok" : "not_found"),
      );
      if (got.version) reply.header(VERSION_HEADER, got.version);
      if (!got.found) return sendError(reply, 404, got.error);
      const { value } = got;
      return reply
        .type("application/octet-stream")
        .send(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
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
