/**
 * What the routes' own fastify schemas do not say: a summary, the path parameters, request bodies
 * and every response with its shape. Kept beside the routes rather than in them because a fastify
 * `response` schema also filters what the route sends (fast-json-stringify drops unknown fields),
 * and documentation must never change an answer. The route's own schemas (querystrings, and the
 * write result of PUT/DELETE) come from the route and win where both say something.
 *
 * Keyed by "METHOD url" exactly as the route is registered; `openapi.test.ts` fails when a public
 * route has no entry here.
 */

type Schema = Record<string, unknown>;

export interface RouteDoc {
  tags: string[];
  summary: string;
  description?: string;
  /** the path as it should read in the document, when the route's differs (wildcards) */
  path?: string;
  params?: Schema;
  body?: Schema;
  consumes?: string[];
  response: Record<string, Schema>;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A JSON error answer, documented with the codes that status can carry. */
function error(description: string): Schema {
  return { description, ...ref("Error") };
}

const UNAUTHORIZED = error(
  "`unauthorized`: the store has tokens and the request sent none, or an unknown one",
);

export const schemas: Record<string, Schema> = {
  Error: {
    type: "object",
    description:
      "Every error: a stable code to branch on and a sentence saying what to do. Some codes add fields (quorum_unavailable: needed, reached; resolve_refused and resolve_incomplete: see ResolveUnavailable; value_too_large: limit; already_resolved: resolution; unknown_version: versions).",
    required: ["error", "message"],
    properties: {
      error: { type: "string", examples: ["quorum_unavailable"] },
      message: { type: "string" },
    },
    additionalProperties: true,
  },
  QuorumUnavailable: {
    type: "object",
    description: "Fewer than W (or R) owners answered in time.",
    required: ["error", "message", "needed", "reached"],
    properties: {
      error: { type: "string", const: "quorum_unavailable" },
      message: { type: "string" },
      needed: { type: "integer", description: "the quorum asked for" },
      reached: { type: "integer", description: "owners that stored (or answered) in time" },
    },
  },
  ResolveUnavailable: {
    type: "object",
    description:
      "A resolution refused for lack of owners; the conflict stays pending. `resolve_refused`: fewer than W of the key's owners answered a probe, so nothing was written. `resolve_incomplete`: the owners answered, but one went down while the value was written; it stays on `ownersReached` (no new partial-write record is made) and resolving again writes a newer version.",
    required: ["error", "message", "needed", "reached", "written"],
    properties: {
      error: { type: "string", enum: ["resolve_refused", "resolve_incomplete"] },
      message: { type: "string", description: "what happened, which nodes are down, what to do" },
      needed: { type: "integer", description: "W: owners the write needs" },
      reached: { type: "integer", description: "owners that answered (refused) or stored it (incomplete)" },
      written: { type: "boolean", description: "whether any owner stored the resolution's value" },
      owners: { type: "array", items: { type: "string" }, description: "resolve_refused: the key's owners" },
      down: {
        type: "array",
        description: "resolve_refused: the owners that did not answer, and why",
        items: {
          type: "object",
          required: ["node", "reason"],
          properties: { node: { type: "string" }, reason: { type: "string" } },
        },
      },
      ownersReached: {
        type: "array",
        items: { type: "string" },
        description: "resolve_incomplete: the owners that stored the value",
      },
    },
  },
  WriteResult: {
    type: "object",
    required: ["key", "version", "acks"],
    properties: {
      key: { type: "string" },
      version: { type: "string", description: "HLC version `wall:logical:node`" },
      acks: { type: "integer", description: "owners that stored it durably" },
    },
  },
  ConflictVersion: {
    type: "object",
    required: ["version", "origin", "role", "applied", "deleted", "valueKnown", "value", "valueBase64"],
    properties: {
      version: { type: "string", description: "HLC version `wall:logical:node` (wall: Unix ms)" },
      origin: { type: "string", description: "the node that wrote it" },
      role: { type: "string", enum: ["partial", "replaced", "concurrent"] },
      applied: { type: "boolean", description: "the version last write wins applied" },
      deleted: { type: "boolean", description: "the version is a delete" },
      valueKnown: { type: "boolean", description: "false: no node that saw it kept its value" },
      value: { type: ["string", "null"], description: "the value as UTF-8 text, when it is text" },
      valueBase64: { type: ["string", "null"], description: "the value's bytes" },
    },
  },
  Resolution: {
    type: "object",
    required: ["by", "at", "kept", "written", "note"],
    properties: {
      by: { type: "string" },
      at: { type: "string", format: "date-time" },
      kept: { type: ["string", "null"], description: "the version kept; null when a new value was written" },
      written: { type: "string", description: "the version the resolution wrote" },
      note: { type: "string" },
    },
  },
  Conflict: {
    type: "object",
    required: [
      "id",
      "key",
      "kind",
      "versions",
      "applied",
      "detectedAt",
      "detectedBy",
      "status",
      "resolution",
    ],
    properties: {
      id: { type: "string", description: "the same on every node for the same conflict" },
      key: { type: "string" },
      kind: { type: "string", enum: ["partial_write", "concurrent"] },
      versions: { type: "array", items: ref("ConflictVersion") },
      applied: { type: "string", description: "the version last write wins applied when detected" },
      detectedAt: { type: "string", format: "date-time" },
      detectedBy: { type: "string" },
      status: { type: "string", enum: ["pending", "resolved"] },
      resolution: { oneOf: [ref("Resolution"), { type: "null" }] },
      ownersReached: { type: "array", items: { type: "string" }, description: "partial writes" },
      ownersFailed: { type: "array", items: { type: "string" }, description: "partial writes" },
    },
  },
  ConflictPage: {
    type: "object",
    required: ["items", "next"],
    properties: {
      items: { type: "array", items: ref("Conflict") },
      next: { type: ["string", "null"], description: "pass as `cursor` for the next page" },
    },
  },
  ResolveRequest: {
    type: "object",
    description: "Exactly one of keep, value, valueBase64 or delete; resolvedBy is required.",
    required: ["resolvedBy"],
    properties: {
      keep: { type: "string", description: "a version of the record whose value stands" },
      value: { type: "string", description: "write this UTF-8 text instead" },
      valueBase64: { type: "string", description: "write these bytes instead" },
      delete: { type: "boolean", const: true, description: "delete the key" },
      resolvedBy: {
        type: "string",
        minLength: 1,
        pattern: "\\S",
        description:
          "who decided (a name or an email); must hold a character other than white space, and is stored trimmed",
      },
      note: { type: "string", description: "why, for whoever reads this later" },
    },
    oneOf: [
      { required: ["keep"] },
      { required: ["value"] },
      { required: ["valueBase64"] },
      { required: ["delete"] },
    ],
  },
  Status: {
    type: "object",
    description: "This node and its view of the store.",
    required: ["node", "generation", "members", "replication", "clock", "hints"],
    properties: {
      node: {
        type: "object",
        properties: {
          id: { type: "string" },
          mode: { type: "string", enum: ["Leaderless", "MultiLeader"] },
          role: {
            type: "string",
            description:
              "replica (Leaderless), leader or follower (MultiLeader), or leaving (no longer in the config)",
          },
          ready: { type: "boolean" },
        },
      },
      store: { description: "the store's name" },
      generation: { type: "integer", description: "config generation this node runs" },
      members: {
        type: "array",
        items: {
          type: "object",
          properties: {
            id: { type: "string" },
            url: { type: "string" },
            self: { type: "boolean" },
            healthy: { type: "boolean" },
            lastSeenMsAgo: { type: ["integer", "null"] },
            hintsPending: { type: "integer", description: "writes this node holds for the member" },
          },
        },
      },
      replication: {
        type: "object",
        properties: {
          factor: { type: "integer" },
          writeQuorum: { type: "integer" },
          readQuorum: { type: "integer" },
          consistency: { type: "string", enum: ["Strong", "Eventual"] },
        },
      },
      clock: {
        type: "object",
        properties: {
          now: { type: "string" },
          maxOffsetMs: { type: "number" },
          peers: {
            type: "object",
            additionalProperties: { type: "number" },
            description: "each peer's clock offset in ms",
          },
        },
      },
      hints: {
        type: "object",
        properties: {
          pending: { type: "integer" },
          bytes: { type: "integer" },
          windowMs: { type: "number" },
          maxBytes: { type: "number" },
        },
      },
      storage: { type: "object" },
      handoff: { type: "object", description: "rebalancing and drain progress" },
      multiLeader: {
        type: "object",
        description:
          "MultiLeader stores: the topology, leaders and hub in force, each outgoing stream's lag, the outbox and the applied version vector",
      },
    },
    additionalProperties: true,
  },
};

const keyParam = {
  type: "object",
  required: ["key"],
  properties: {
    key: {
      type: "string",
      description:
        "1 to 1024 bytes of UTF-8, no control characters, percent-encoded; it may contain `/` (the route takes the rest of the path)",
    },
  },
};

const idParam = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", description: "a conflict id from GET /v1/conflicts" } },
};

const leaderHeader = {
  "X-Replistore-Leader": {
    type: "string",
    description: "MultiLeader: the leader that took a forwarded write",
  },
};

const versionHeader = {
  "X-Replistore-Version": { type: "string", description: "the version read, `wall:logical:node`" },
};

export const routeDocs: Record<string, RouteDoc> = {
  "PUT /v1/kv/*": {
    tags: ["kv"],
    summary: "Write a key",
    description:
      "The body is the value's bytes, whatever the content type. Answered after W owners stored it durably. A write that reached fewer than W owners fails with 503 but may stay on some: it is recorded in the conflict queue as a partial write.",
    path: "/v1/kv/{key}",
    params: keyParam,
    body: { type: "string", contentMediaType: "application/octet-stream" },
    consumes: ["application/octet-stream"],
    response: {
      200: {
        description:
          "stored on at least W owners (MultiLeader: W nodes); a follower forwards the write and names the leader in X-Replistore-Leader",
        headers: leaderHeader,
        ...ref("WriteResult"),
      },
      400: error("`invalid_key`, `invalid_quorum` (w outside 1..N)"),
      401: UNAUTHORIZED,
      413: error("`value_too_large`: over `limits.maxValueSize`"),
      503: {
        description: "`quorum_unavailable`; `no_leader_available` (a MultiLeader follower reached no leader)",
        oneOf: [ref("QuorumUnavailable"), ref("Error")],
      },
    },
  },
  "GET /v1/kv/*": {
    tags: ["kv"],
    summary: "Read a key",
    description: "Asks R owners (or only this node with `local=true`) and returns the newest value's bytes.",
    path: "/v1/kv/{key}",
    params: keyParam,
    response: {
      200: {
        description: "the value's bytes",
        headers: versionHeader,
        content: {
          "application/octet-stream": {
            schema: { type: "string", contentMediaType: "application/octet-stream" },
          },
        },
      },
      400: error("`invalid_key`, `invalid_quorum`, `invalid_parameter`"),
      401: UNAUTHORIZED,
      404: error("`not_found`: no such key, or deleted (then with X-Replistore-Version)"),
      503: { description: "`quorum_unavailable`", ...ref("QuorumUnavailable") },
    },
  },
  "DELETE /v1/kv/*": {
    tags: ["kv"],
    summary: "Delete a key",
    description: "Writes a tombstone version, acknowledged like a write.",
    path: "/v1/kv/{key}",
    params: keyParam,
    response: {
      200: {
        description: "the tombstone is on at least W owners",
        headers: leaderHeader,
        ...ref("WriteResult"),
      },
      400: error("`invalid_key`, `invalid_quorum`"),
      401: UNAUTHORIZED,
      503: {
        description: "`quorum_unavailable`; `no_leader_available` (a MultiLeader follower reached no leader)",
        oneOf: [ref("QuorumUnavailable"), ref("Error")],
      },
    },
  },
  "GET /v1/conflicts": {
    tags: ["conflicts"],
    summary: "List conflicts",
    description: "Oldest first, one page at a time.",
    response: {
      200: { description: "one page", ...ref("ConflictPage") },
      400: error("`invalid_parameter`: status, kind or limit out of range"),
      401: UNAUTHORIZED,
    },
  },
  "GET /v1/conflicts/:id": {
    tags: ["conflicts"],
    summary: "Show one conflict",
    params: idParam,
    response: {
      200: { description: "the record", ...ref("Conflict") },
      401: UNAUTHORIZED,
      404: error("`not_found`"),
    },
  },
  "POST /v1/conflicts/:id/resolve": {
    tags: ["conflicts"],
    summary: "Resolve a conflict",
    description:
      "Checks that at least W of the key's owners answer, then writes the chosen value through the normal write path as a version newer than every version in the record, then marks the record resolved on every node. With fewer than W owners up it refuses before writing anything.",
    params: idParam,
    body: ref("ResolveRequest"),
    consumes: ["application/json"],
    response: {
      200: { description: "the resolved record", ...ref("Conflict") },
      400: error("`invalid_request`, `unknown_version` (with the record's versions)"),
      401: UNAUTHORIZED,
      404: error("`not_found`"),
      409: error("`already_resolved` (with the earlier resolution), `value_unknown`"),
      503: {
        description:
          "`resolve_refused`: fewer than W owners answer, nothing written; `resolve_incomplete`: an owner went down mid-write, no new partial-write record. Either way the conflict stays pending: resolve again once the owners are back",
        ...ref("ResolveUnavailable"),
      },
    },
  },
  "GET /v1/status": {
    tags: ["status"],
    summary: "This node and its view of the store",
    response: { 200: { description: "status", ...ref("Status") }, 401: UNAUTHORIZED },
  },
  "POST /v1/admin/drain": {
    tags: ["admin"],
    summary: "Hand keys off before a scale-down",
    description:
      "Copies this node's keys to their owners under the ring without the leaving members (default: this node). Progress is in GET /v1/status under `handoff`. The body is optional.",
    body: {
      type: "object",
      properties: {
        leaving: { type: "array", minItems: 1, items: { type: "string" }, description: "member ids" },
      },
    },
    consumes: ["application/json"],
    response: {
      202: {
        description: "draining started",
        type: "object",
        properties: { draining: { type: "array", items: { type: "string" } }, handoff: { type: "object" } },
      },
      400: error("`invalid_request`, `unknown_member`"),
      401: UNAUTHORIZED,
      409: error(
        "`drain_refused`: the members left after the drain would be fewer than the replication factor; lower the factor first",
      ),
    },
  },
  "GET /healthz": {
    tags: ["probes"],
    summary: "Liveness: the process serves HTTP",
    response: {
      200: { description: "alive", type: "object", properties: { status: { type: "string", const: "ok" } } },
    },
  },
  "GET /readyz": {
    tags: ["probes"],
    summary: "Readiness: storage open, config loaded, not shutting down",
    response: {
      200: {
        description: "ready",
        type: "object",
        properties: { status: { type: "string", const: "ready" } },
      },
      503: error("`not_ready`"),
    },
  },
  "GET /metrics": {
    tags: ["metrics"],
    summary: "Prometheus metrics (replistore_*)",
    response: {
      200: {
        description: "Prometheus text exposition format",
        content: { "text/plain": { schema: { type: "string" } } },
      },
    },
  },
  "GET /openapi.json": {
    tags: ["meta"],
    summary: "This document",
    response: { 200: { description: "OpenAPI 3.1", type: "object" } },
  },
};

export const tags = [
  { name: "kv", description: "Read and write keys (values are opaque bytes)" },
  { name: "conflicts", description: "The conflict queue: partial writes and concurrent writes to settle" },
  { name: "status", description: "What a node sees of the store" },
  { name: "admin", description: "Operations on a running store" },
  { name: "probes", description: "Kubernetes probes; no token needed" },
  { name: "metrics", description: "Prometheus; no token needed" },
  { name: "meta", description: "The API description; no token needed" },
];
