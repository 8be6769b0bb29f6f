/** Content hashes that do not depend on key order, so equal objects always hash equal. */
import { createHash } from "node:crypto";

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const entry = (value as Record<string, unknown>)[key];
      if (entry !== undefined) sorted[key] = canonical(entry);
    }
    return sorted;
  }
  return value;
}

/** 16 hex characters of SHA-256: short enough for an annotation, far from colliding at our scale. */
export function contentHash(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(canonical(value));
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
