/**
 * `replistore up`'s stand-in for the auth Secrets: one local token file per token the manifest's
 * spec.auth asks for (`token` for secretName, with every role, as before roles; `read-token`,
 * `write-token`, `admin-token` for the roles), created once and kept across runs. Clients pick the
 * file of the role a command needs.
 */
import { join } from "node:path";
import { type Auth, ROLES, type Role } from "../api/auth-types.ts";
import { ensureToken, readToken } from "./token.ts";

/** The token files of one store, by what they open (`all`: every role). */
export interface TokenFiles {
  all?: string;
  read?: string;
  write?: string;
  admin?: string;
}

export type LocalTokens = TokenFiles;

export function roleTokenFile(dir: string, role: Role): string {
  return join(dir, `${role}-token`);
}

/** The files spec.auth calls for in the store's directory `dir`; none without auth. */
export function tokenFilesFor(dir: string, auth: Auth | undefined): TokenFiles {
  if (!auth) return {};
  const files: TokenFiles = {};
  if (auth.secretName !== undefined) files.all = join(dir, "token");
  for (const role of ROLES) if (auth[role] !== undefined) files[role] = roleTokenFile(dir, role);
  return files;
}

/** Creates the missing token files (mode 0600) and returns every token. */
export function ensureTokens(files: TokenFiles): LocalTokens {
  const tokens: LocalTokens = {};
  for (const key of ["all", ...ROLES] as const) {
    const file = files[key];
    if (file !== undefined) tokens[key] = ensureToken(file);
  }
  return tokens;
}

/**
 * The file of a token that has `role`: the role's own, else the nearest higher role's, else the
 * all-roles one (so the CLI uses the least powerful token that works).
 */
export function tokenFileFor(files: TokenFiles, role: Role): string | undefined {
  for (const r of ROLES.slice(ROLES.indexOf(role))) {
    const file = files[r];
    if (file !== undefined) return file;
  }
  return files.all;
}

export function readTokenFor(files: TokenFiles, role: Role): string | undefined {
  const file = tokenFileFor(files, role);
  return file === undefined ? undefined : readToken(file);
}

export function hasTokens(files: TokenFiles): boolean {
  return Object.values(files).some((f) => f !== undefined);
}
