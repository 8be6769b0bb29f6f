/**
 * The receiver's check of a peer batch, before anything in it is applied: the envelope first, then
 * each op against the schema of its code. A malformed batch is refused whole, so a bad op can never
 * leave half a batch stored.
 */
import { checker, decode } from "./decode.ts";
import { WireError } from "./errors.ts";
import {
  BatchEnvelope,
  type BatchRequest,
  OP_CONFLICT_PUT,
  OP_NAMES,
  OP_PUT,
  OpSchemas,
  type PeerOp,
} from "./peer-batch.ts";

const envelope = checker(BatchEnvelope);
const ops = new Map(Object.entries(OpSchemas).map(([code, schema]) => [Number(code), checker(schema)]));
const KNOWN_CODES = [...ops.keys()].join(", ");

export function decodeBatch(value: unknown): BatchRequest {
  const batch = decode(envelope, value, "invalid_batch", "batch");
  batch.ops.forEach((op, i) => {
    const code = op[0];
    const check = typeof code === "number" ? ops.get(code) : undefined;
    if (typeof code !== "number" || !check) {
      throw new WireError(
        "invalid_batch",
        `ops[${i}][0] is not an op code (${KNOWN_CODES}); got ${describe(code)}`,
      );
    }
    if (check.check(op)) return;
    const root = `ops[${i}]`;
    const problem = check.explain(op, root);
    // A put (of a key or a conflict record) whose record is wrong is a bad record; anything else
    // about an op is a bad batch.
    const inRecord = (code === OP_PUT || code === OP_CONFLICT_PUT) && problem.startsWith(`${root}[2]`);
    throw new WireError(inRecord ? "invalid_record" : "invalid_batch", `${OP_NAMES[code]} op: ${problem}`);
  });
  // Each op was just checked against the schema of its own code, which is a branch of PeerOp.
  return { from: batch.from, clock: batch.clock, ops: batch.ops as PeerOp[] };
}

/**
 * A value of unknown shape, for an error message. String() throws for a msgpack map whose
 * `toString` key holds a non-function (found by the API fuzz run: the batch route answered 500).
 */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return "bytes";
  if (typeof value === "object") return "a map";
  return String(value);
}
