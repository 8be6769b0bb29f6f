/**
 * Records and versions as they travel between nodes (msgpack). Tuples rather than objects: a busy
 * coordinator sends thousands per second and encoding is the cost.
 */
import Type, { type Static } from "typebox";
import { keyProblem } from "./key.ts";

/** Bytes as msgpack decodes them (a Buffer, which is a Uint8Array); a string is not bytes. */
export const Bytes = Type.Refine(
  Type.Unsafe<Uint8Array>({ description: "bytes (msgpack bin)" }),
  (v: unknown) => v instanceof Uint8Array,
  () => "must be bytes (msgpack bin)",
);

/** HLC wall clock in ms since the epoch, and the logical counter: whole, non-negative, exact. */
export const Wall = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const Logical = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const NodeId = Type.String({ minLength: 1 });
/** A key as clients may write it: the same rule as the kv routes (key.ts). */
export const Key = Type.Refine(
  Type.String({ minLength: 1 }),
  (k: string) => keyProblem(k) === undefined,
  (k: string) => keyProblem(k) ?? "invalid key",
);

/** A sender's HLC at send time: [wall, logical]. */
export const ClockPair = Type.Tuple([Wall, Logical]);
export type ClockPair = Static<typeof ClockPair>;

/** A version without its value: [wall, logical, node]. */
export const VersionTriple = Type.Tuple([Wall, Logical, NodeId]);
export type VersionTriple = Static<typeof VersionTriple>;

/** One version of a key: [wall, logical, node, value]; value null is a tombstone. */
export const RecordTuple = Type.Tuple([Wall, Logical, NodeId, Type.Union([Bytes, Type.Null()])]);
export type RecordTuple = Static<typeof RecordTuple>;
