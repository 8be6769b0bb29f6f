/**
 * What a key may be, wherever it arrives: from a client (kv routes) or from a peer or the repair job
 * (the wire schemas). One rule for both, so a peer cannot store a key no client could read.
 */
export const MAX_KEY_BYTES = 1024;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what keys may not hold
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `key` is not a valid key, or undefined when it is. */
export function keyProblem(key: string): string | undefined {
  const bytes = Buffer.byteLength(key);
  if (bytes < 1 || bytes > MAX_KEY_BYTES) {
    return `key must be 1 to ${MAX_KEY_BYTES} bytes of UTF-8; got ${bytes} bytes`;
  }
  if (CONTROL.test(key)) return "key must not contain control characters (U+0000-U+001F, U+007F-U+009F)";
  return undefined;
}
