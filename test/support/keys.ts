import { randomBytes } from "node:crypto";

/** A key no other test uses. */
export function uniqueKey(prefix = "k"): string {
  return `${prefix}-${randomBytes(6).toString("hex")}`;
}
