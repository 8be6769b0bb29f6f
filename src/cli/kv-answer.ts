/** What `replistore kv` and `kubectl replistore kv` share: the key's path and how a value is shown. */

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
