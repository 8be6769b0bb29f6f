/**
 * The error catalogue of the wire between nodes and the repair job: every code a receiver answers
 * for a message it will not take, with its HTTP status and what the code means. Senders branch on
 * the code; the message of each error names the field that is wrong.
 */
export const WIRE_ERRORS = {
  invalid_batch: { status: 400, meaning: "the batch is not msgpack, or its envelope or an op is malformed" },
  invalid_record: { status: 400, meaning: "a record in the message is malformed; nothing was applied" },
  invalid_request: {
    status: 400,
    meaning: "an anti-entropy request body is not the message its route takes",
  },
  invalid_report: { status: 400, meaning: "a repair report is malformed; the node keeps the last valid one" },
  invalid_lock: {
    status: 400,
    meaning: "a lock or unlock request is malformed; no lock was taken or released",
  },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type WireErrorCode = keyof typeof WIRE_ERRORS;

/**
 * A message refused before anything in it was applied. Per-op refusals that are not malformed input
 * (a record from the future) are answers inside the batch instead: see OpRefusal in peer-batch.ts.
 */
export class WireError extends Error {
  readonly code: WireErrorCode;
  readonly status: number;
  constructor(code: WireErrorCode, message: string) {
    super(message);
    this.name = "WireError";
    this.code = code;
    this.status = WIRE_ERRORS[code].status;
  }
}
