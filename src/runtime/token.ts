/** The local stand-in for the auth Secret: one random token per store, kept across runs. */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { UserError } from "../errors.ts";

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && "code" in err && err.code === code;
}

export function readToken(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim() || undefined;
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
}

/** Creates the token once (mode 0600); later runs reuse it so clients keep working. */
export function ensureToken(path: string): string {
  const existing = readToken(path);
  if (existing !== undefined) return existing;
  const token = randomBytes(32).toString("base64url");
  try {
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if (!isErrno(err, "EEXIST")) throw err;
    const raced = readToken(path);
    if (raced === undefined) throw new UserError(`${path} is empty: delete it and run replistore up again`);
    return raced;
  }
  return token;
}
