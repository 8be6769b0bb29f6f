/** Multi-leader updates and version vectors as they travel between leaders (and sit on disk). */
import Type, { type Static } from "typebox";
import { Bytes, Key, Logical, Wall } from "./record.ts";

/** A leader incarnation, `<node id>@<incarnation>`. */
const Origin = Type.String({ minLength: 1 });
/** Updates of an origin are numbered 1, 2, 3, ...; 0 in a vector means none applied yet. */
const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** [origin, seq, wall, logical]: the highest update of an origin applied in order, with its HLC. */
export const VectorEntry = Type.Tuple([Origin, Seq, Wall, Logical]);
export type VectorEntry = Static<typeof VectorEntry>;

/** [origin, seq, wall, logical, key, value, deps, seenBy]; the HLC node is the origin's node. */
export const UpdateTuple = Type.Tuple([
  Origin,
  Seq,
  Wall,
  Logical,
  Key,
  Type.Union([Bytes, Type.Null()]),
  Type.Array(VectorEntry),
  Type.Array(Type.String({ minLength: 1 })),
]);
export type UpdateTuple = Static<typeof UpdateTuple>;
