/**
 * GET /v1/status: a node and its view of the store (src/node/http/status-routes.ts sends it, the
 * OpenAPI document describes it). One schema for every reader: the CLI, the kubectl plugin and the
 * operator's drain. Fields a reader does not branch on stay optional, and objects stay open, so a
 * newer node that adds a field is still read by an older client.
 */
import Type, { type Static } from "typebox";

/** A node's handoff (rebalance, drain) progress: what the operator's scale-down is judged by. */
export const HandoffStatus = Type.Object({
  /** "pending": a pass is scheduled (e.g. for writes that arrived after the last one started). */
  state: Type.Union([
    Type.Literal("idle"),
    Type.Literal("pending"),
    Type.Literal("running"),
    Type.Literal("done"),
    Type.Literal("failed"),
  ]),
  /** "rebalance": keys this node no longer owns; "drain": every key, to the owners without `leaving`. */
  reason: Type.Union([Type.Literal("rebalance"), Type.Literal("drain"), Type.Null()]),
  leaving: Type.Array(Type.String()),
  scanned: Type.Integer({ minimum: 0 }),
  handedOff: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});
export type HandoffStatus = Static<typeof HandoffStatus>;

export const StatusMember = Type.Object({
  id: Type.String(),
  url: Type.String(),
  self: Type.Boolean(),
  healthy: Type.Boolean(),
  lastSeenMsAgo: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  /** writes this node holds for the member */
  hintsPending: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type StatusMember = Static<typeof StatusMember>;

export const NodeStatus = Type.Object({
  node: Type.Object({
    id: Type.String(),
    mode: Type.Union([Type.Literal("Leaderless"), Type.Literal("MultiLeader")]),
    /** replica (Leaderless), leader or follower (MultiLeader), or leaving (no longer in the config) */
    role: Type.String(),
    ready: Type.Boolean(),
  }),
  store: Type.Optional(Type.Unknown()),
  /** config generation this node runs */
  generation: Type.Integer({ minimum: 0 }),
  configHash: Type.Optional(Type.String()),
  members: Type.Array(StatusMember),
  replication: Type.Object({
    factor: Type.Optional(Type.Integer()),
    writeQuorum: Type.Optional(Type.Integer()),
    readQuorum: Type.Optional(Type.Integer()),
    consistency: Type.Optional(Type.String()),
  }),
  clock: Type.Object({
    now: Type.String(),
    maxOffsetMs: Type.Number(),
    /** each peer's clock offset in ms */
    peers: Type.Record(Type.String(), Type.Number()),
  }),
  hints: Type.Object({
    pending: Type.Integer({ minimum: 0 }),
    bytes: Type.Integer({ minimum: 0 }),
    windowMs: Type.Number(),
    maxBytes: Type.Number(),
  }),
  storage: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  handoff: Type.Optional(HandoffStatus),
  /** MultiLeader stores: topology, leaders, hub, stream lag, outbox, applied version vector. */
  multiLeader: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type NodeStatus = Static<typeof NodeStatus>;
