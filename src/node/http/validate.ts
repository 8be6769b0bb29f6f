import { keyProblem, MAX_KEY_BYTES } from "../../wire/key.ts";
import { HttpError } from "./errors.ts";

export { MAX_KEY_BYTES };

export function validateKey(key: string): string {
  const problem = keyProblem(key);
  if (problem) throw new HttpError(400, "invalid_key", problem);
  return key;
}

/**
 * Parses ?w= or ?r=. The valid range is 1..N because a quorum larger than the owners of a key
 * could never be met; the message names the range so the client can fix the request.
 */
export function parseQuorum(
  name: "w" | "r",
  raw: string | undefined,
  fallback: number,
  factor: number,
): number {
  if (raw === undefined) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > factor) {
    throw new HttpError(
      400,
      "invalid_quorum",
      `${name} must be an integer from 1 to ${factor} (the replication factor N); got '${raw}'`,
      { parameter: name, min: 1, max: factor },
    );
  }
  return n;
}

export function parseBoolean(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === "false") return false;
  if (raw === "true" || raw === "") return true;
  throw new HttpError(400, "invalid_parameter", `${name} must be true or false; got '${raw}'`);
}
