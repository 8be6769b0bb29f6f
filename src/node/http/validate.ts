import { HttpError } from "./errors.ts";

export const MAX_KEY_BYTES = 1024;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what keys may not hold
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function validateKey(key: string): string {
  const bytes = Buffer.byteLength(key);
  if (bytes < 1 || bytes > MAX_KEY_BYTES) {
    throw new HttpError(
      400,
      "invalid_key",
      `key must be 1 to ${MAX_KEY_BYTES} bytes of UTF-8; got ${bytes} bytes`,
    );
  }
  if (CONTROL.test(key)) {
    throw new HttpError(
      400,
      "invalid_key",
      "key must not contain control characters (U+0000-U+001F, U+007F-U+009F)",
    );
  }
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
