/**
 * Node-to-node batch protocol, msgpack-encoded on POST /internal/v1/batch. Ops are tuples rather
 * than objects because a busy coordinator sends thousands per second and encoding is the cost.
 * Every message carries the sender's HLC so the receiver can refuse a clock too far ahead.
 */
import Type, { type Static } from "typebox";
import { ConflictRecord } from "./conflict.ts";
import { UpdateTuple, VectorEntry } from "./multi-leader.ts";
import { ClockPair, Key, NodeId, RecordTuple, VersionTriple } from "./record.ts";

export const BATCH_PATH = "/internal/v1/batch";
export const PING_PATH = "/internal/v1/ping";
export const MSGPACK = "application/msgpack";

export const OP_PUT = 0;
export const OP_GET = 1;
export const OP_CONFLICT_PUT = 2;
export const OP_CONFLICT_DIGEST = 3;
export const OP_CONFLICT_FETCH = 4;
export const OP_ML_PUSH = 5;
export const OP_ML_VECTOR = 6;
export const OP_GET_NEWER = 7;

/**
 * The peer protocol this build speaks. A node learns each peer's from its ping and batch answers
 * (absent: 1) and sends an op only to peers that know it, so a rolling upgrade never sends a batch
 * an older node would refuse whole. 2 brought OP_GET_NEWER; 3, peer channels (peer-frame.ts).
 */
export const PEER_PROTOCOL = 3;
/** The first peer protocol that knows OP_GET_NEWER. */
export const GET_NEWER_SINCE = 2;
/** The protocol of a peer that does not say (every build before PEER_PROTOCOL existed). */
export const FIRST_PEER_PROTOCOL = 1;
/** Whole, from 1: what a ping or batch answer may say of its sender's protocol. */
export const ProtocolVersion = Type.Integer({ minimum: 1, maximum: 1_000_000 });

/** Ops whose second field carries nothing use "" there, so every op is [code, string, ...]. */
const Unused = Type.String();

/**
 * [OP_PUT, key, record] stores if newer; [OP_GET, key] reads the local copy; [OP_GET_NEWER, key,
 * version or null] reads it too, but sends the value only when it is newer than the version the
 * coordinator already holds (a digest read: most reads agree, and then only a version travels).
 * The conflict ops
 * replicate the conflict queue: push a record, list [id, revision] pairs, fetch records by id.
 * Multi-leader: push updates (answered with the receiver's applied vector), or ask for the vector.
 */
export const OpSchemas = {
  [OP_PUT]: Type.Tuple([Type.Literal(OP_PUT), Key, RecordTuple]),
  [OP_GET]: Type.Tuple([Type.Literal(OP_GET), Key]),
  [OP_CONFLICT_PUT]: Type.Tuple([
    Type.Literal(OP_CONFLICT_PUT),
    Type.String({ minLength: 1 }),
    ConflictRecord,
  ]),
  [OP_CONFLICT_DIGEST]: Type.Tuple([Type.Literal(OP_CONFLICT_DIGEST), Unused]),
  [OP_CONFLICT_FETCH]: Type.Tuple([
    Type.Literal(OP_CONFLICT_FETCH),
    Unused,
    Type.Array(Type.String({ minLength: 1 })),
  ]),
  [OP_ML_PUSH]: Type.Tuple([Type.Literal(OP_ML_PUSH), Unused, Type.Array(UpdateTuple)]),
  [OP_ML_VECTOR]: Type.Tuple([Type.Literal(OP_ML_VECTOR), Unused]),
  [OP_GET_NEWER]: Type.Tuple([Type.Literal(OP_GET_NEWER), Key, Type.Union([VersionTriple, Type.Null()])]),
} as const;

/** Names for error messages and logs, by op code. */
export const OP_NAMES: Readonly<Record<number, string>> = {
  [OP_PUT]: "put",
  [OP_GET]: "get",
  [OP_CONFLICT_PUT]: "conflict-put",
  [OP_CONFLICT_DIGEST]: "conflict-digest",
  [OP_CONFLICT_FETCH]: "conflict-fetch",
  [OP_ML_PUSH]: "ml-push",
  [OP_ML_VECTOR]: "ml-vector",
  [OP_GET_NEWER]: "get-newer",
};

export const PeerOp = Type.Union([
  OpSchemas[OP_PUT],
  OpSchemas[OP_GET],
  OpSchemas[OP_CONFLICT_PUT],
  OpSchemas[OP_CONFLICT_DIGEST],
  OpSchemas[OP_CONFLICT_FETCH],
  OpSchemas[OP_ML_PUSH],
  OpSchemas[OP_ML_VECTOR],
  OpSchemas[OP_GET_NEWER],
]);
export type PeerOp = Static<typeof PeerOp>;

export const BatchRequest = Type.Object({
  from: NodeId,
  /** Sender's HLC [wall, logical] at send time. */
  clock: ClockPair,
  ops: Type.Array(PeerOp),
});
export type BatchRequest = Static<typeof BatchRequest>;

/**
 * The request as the receiver checks it first: the envelope, with each op only a non-empty array.
 * Each op is then checked against the schema of its code (OpSchemas), which is faster than trying
 * every branch of the union and lets the error name the op.
 */
export const BatchEnvelope = Type.Object({
  from: NodeId,
  clock: ClockPair,
  ops: Type.Array(Type.Array(Type.Unknown(), { minItems: 1 })),
});

/** For a put: [applied 0|1, previous version or null]. */
export const PutResult = Type.Tuple([
  Type.Union([Type.Literal(0), Type.Literal(1)]),
  Type.Union([VersionTriple, Type.Null()]),
]);
export type PutResult = Static<typeof PutResult>;

/**
 * For a get-newer whose copy is not newer than the version sent: [the version this node holds, or
 * null when it holds none]. A newer copy is answered as a whole RecordTuple instead.
 */
export const VersionResult = Type.Tuple([Type.Union([VersionTriple, Type.Null()])]);
export type VersionResult = Static<typeof VersionResult>;

/**
 * One op the receiver would not apply although the batch was well formed: a record whose version is
 * further ahead of the receiver's clock than clock.maxOffset. The sender fails that op (no ack, no
 * hint: the same record would be refused again) and takes the rest of the batch's answers.
 */
export const OpRefusal = Type.Object({
  refused: Type.Literal("record_from_future"),
  message: Type.String(),
  offsetMs: Type.Number(),
});
export type OpRefusal = Static<typeof OpRefusal>;

export const PeerResult = Type.Union([
  PutResult,
  RecordTuple,
  VersionResult,
  Type.Null(),
  Type.Array(Type.Tuple([Type.String(), Type.String()])),
  Type.Array(ConflictRecord),
  Type.Array(VectorEntry),
  Type.Tuple([Type.Union([Type.Literal(0), Type.Literal(1)])]),
  OpRefusal,
]);
export type PeerResult = Static<typeof PeerResult>;

export const BatchResponse = Type.Object({
  clock: ClockPair,
  /** One answer per op, in order; absent when the batch was refused whole. */
  results: Type.Optional(Type.Array(Type.Unknown())),
  /** Set when the receiver refused the whole batch for the sender's clock. */
  refused: Type.Optional(Type.Literal("clock_offset")),
  offsetMs: Type.Optional(Type.Number()),
  /** The receiver's PEER_PROTOCOL; absent from nodes older than it (protocol 1). */
  protocol: Type.Optional(ProtocolVersion),
});
/** Results are typed by op; the sender checks the envelope, each caller reads its own op's answer. */
export type BatchResponse = Omit<Static<typeof BatchResponse>, "results"> & { results?: PeerResult[] };

export function isOpRefusal(r: unknown): r is OpRefusal {
  return typeof r === "object" && r !== null && !Array.isArray(r) && "refused" in r;
}
