/** What `replistore kv` and `kubectl replistore kv` share: the key's path and how a value is shown. */

import type { OutputFormat } from "./options.ts";
import { formatStructured, writeOut } from "./output.ts";

export function kvPath(key: string): string {
  return `/v1/kv/${encodeURIComponent(key)}`;
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Text for humans, base64 when the bytes are not UTF-8 (so JSON/YAML output stays lossless). */
export function encodeValue(bytes: Buffer): { value: string; encoding: "utf8" | "base64" } {
  const text = bytes.toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes)
    ? { value: text, encoding: "utf8" }
    : { value: bytes.toString("base64"), encoding: "base64" };
}

/** A value read: its exact bytes as text output, or key, version and value for -o json|yaml. */
export function printValue(
  key: string,
  res: { headers: Record<string, string | string[] | undefined>; body: Buffer },
  output: OutputFormat,
): void {
  const version = firstHeader(res.headers["x-replistore-version"]);
  if (output !== "text") {
    writeOut(formatStructured({ key, version, ...encodeValue(res.body) }, output));
    return;
  }
  process.stdout.write(res.body);
  // A terminal prompt glued to the value is hard to read; pipes get the exact bytes.
  if (process.stdout.isTTY && res.body.length > 0 && res.body.at(-1) !== 0x0a) process.stdout.write("\n");
}
