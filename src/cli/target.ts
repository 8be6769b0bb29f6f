/**
 * Which node(s) `kv` and `status` talk to, and with which token: --endpoint, REPLISTORE_ENDPOINT,
 * or a store started by `replistore up` (--store NAME, or the only one running).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Role } from "../api/auth-types.ts";
import { UserError } from "../errors.ts";
import { readTokenFor, type TokenFiles } from "../runtime/role-tokens.ts";
import { findRunningStores, isUpRunning, readUpState, type UpState } from "../runtime/up-state.ts";

export interface TargetFlags {
  endpoint?: string;
  store?: string;
  dataDir: string;
  token?: string;
  /** a CA file to trust (--cacert) */
  cacert?: string;
}

export interface Target {
  /** Tried in order; later ones only when an earlier one refuses the connection. */
  urls: string[];
  token?: string;
  /** The role the command needs (a 403 names it). */
  role?: Role;
  /** The store's name when found through `replistore up`. */
  store?: string;
  /** PEM of the CA to trust for https:// URLs; unset: the system's CAs */
  ca?: string;
}

const START_HINT = "start one with replistore up -f store.yaml";

function checkedUrl(value: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new UserError(
      `${source} ${JSON.stringify(value)} is not an http(s) URL: use e.g. https://127.0.0.1:7070`,
    );
  }
  return value.replace(/\/+$/, "");
}

function namedStore(dataDir: string, name: string): UpState {
  const path = join(dataDir, name, "up.json");
  const state = readUpState(path);
  if (state === undefined) {
    throw new UserError(`store ${name} is not running (no ${path}): ${START_HINT}, or pass --endpoint URL`);
  }
  if (!isUpRunning(state)) {
    throw new UserError(
      `store ${name} is not running (its replistore up, pid ${state.pid}, has exited): ${START_HINT}`,
    );
  }
  return state;
}

function onlyStore(dataDir: string): UpState {
  const running = findRunningStores(dataDir);
  const only = running[0];
  if (running.length > 1) {
    throw new UserError(
      `several stores are running (${running.map((r) => r.name).join(", ")}): pass --store NAME`,
    );
  }
  if (only === undefined) {
    throw new UserError(
      `no store to talk to: pass --endpoint URL, set REPLISTORE_ENDPOINT, or ${START_HINT} (none running under ${dataDir})`,
    );
  }
  return only.state;
}

/** The local token of `up`'s store with `role` (the least powerful that has it). */
function storeToken(dataDir: string, state: UpState | undefined, role: Role): string | undefined {
  if (state === undefined) return undefined;
  const files: TokenFiles = { ...state.roleTokenFiles };
  // A state without roles names the all-roles file even when up.json predates tokenFile.
  const all = state.tokenFile ?? (state.roleTokenFiles ? undefined : join(dataDir, state.store, "token"));
  if (all !== undefined) files.all = all;
  return readTokenFor(files, role);
}

function readCa(path: string, source: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      `cannot read ${source} ${path} (${code === "ENOENT" ? "no such file" : code}): point it at the store's CA certificate (ca.crt)`,
    );
  }
}

/** --cacert, else REPLISTORE_CACERT, else the CA of the `up` store being talked to. */
function caOf(flags: TargetFlags, env: NodeJS.ProcessEnv, state: UpState | undefined): string | undefined {
  if (flags.cacert !== undefined) return readCa(flags.cacert, "--cacert");
  if (env.REPLISTORE_CACERT) return readCa(env.REPLISTORE_CACERT, "REPLISTORE_CACERT");
  if (state?.caFile !== undefined) return readCa(state.caFile, "the store's CA");
  return undefined;
}

/** `role`: what the command needs; it picks which of a local store's tokens is sent. */
export function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv, role: Role): Target {
  const explicit = flags.endpoint ?? (env.REPLISTORE_ENDPOINT || undefined);
  const source = flags.endpoint !== undefined ? "--endpoint" : "REPLISTORE_ENDPOINT";
  let state: UpState | undefined;
  let urls: string[];
  if (explicit !== undefined) {
    const url = checkedUrl(explicit, source);
    urls = [url];
    // An endpoint of a store `up` runs still gets that store's token without --store.
    state =
      flags.store !== undefined
        ? namedStore(flags.dataDir, flags.store)
        : findRunningStores(flags.dataDir).find((r) => r.state.urls.includes(url))?.state;
  } else {
    state = flags.store !== undefined ? namedStore(flags.dataDir, flags.store) : onlyStore(flags.dataDir);
    urls = state.urls;
  }
  const token = flags.token ?? (env.REPLISTORE_TOKEN || undefined) ?? storeToken(flags.dataDir, state, role);
  const ca = caOf(flags, env, state);
  return {
    urls,
    role,
    ...(token !== undefined ? { token } : {}),
    ...(state !== undefined ? { store: state.store } : {}),
    ...(ca !== undefined ? { ca } : {}),
  };
}
