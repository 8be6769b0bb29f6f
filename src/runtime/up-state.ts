/**
 * `<dataDir>/<name>/up.json`: which `replistore up` runs a store. It is the lock that keeps a second
 * `up` off a running store, and how `replistore kv`/`status` find the store's URLs.
 */
import { linkSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import Type, { type Static } from "typebox";
import Value from "typebox/value";
import { UserError } from "../errors.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import { isProcessAlive } from "./process-alive.ts";

export const UpState = Type.Object({
  pid: Type.Integer({ description: "the replistore up process" }),
  store: Type.String(),
  startedAt: Type.String(),
  urls: Type.Array(Type.String()),
  members: Type.Array(
    Type.Object({
      id: Type.String(),
      url: Type.String(),
      pid: Type.Optional(Type.Integer()),
      log: Type.String(),
    }),
  ),
  /** the all-roles token (spec.auth.secretName) */
  tokenFile: Type.Optional(Type.String()),
  caFile: Type.Optional(Type.String({ description: "the CA the nodes' certificate is signed by (TLS on)" })),
  /** one token per role spec.auth names */
  roleTokenFiles: Type.Optional(
    Type.Object({
      read: Type.Optional(Type.String()),
      write: Type.Optional(Type.String()),
      admin: Type.Optional(Type.String()),
    }),
  ),
});
export type UpState = Static<typeof UpState>;

export function readUpState(path: string): UpState | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, "utf8"));
    return Value.Check(UpState, value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isUpRunning(state: UpState): boolean {
  return isProcessAlive(state.pid, "up");
}

/** Node processes of a dead `up` that are still running (e.g. after `kill -9` of `up`). */
export function orphanNodes(state: UpState): { id: string; pid: number }[] {
  return state.members.flatMap((m) =>
    m.pid !== undefined && isProcessAlive(m.pid, m.id) ? [{ id: m.id, pid: m.pid }] : [],
  );
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && "code" in err && err.code === code;
}

/**
 * Takes the store for this process. `link` fails if up.json exists, so of two racing `up`s only
 * one wins, and the winner's file is complete from the first moment.
 */
export function claimUpState(path: string, state: UpState): void {
  const temp = `${path}.claim-${process.pid}`;
  writeFileAtomic(temp, `${JSON.stringify(state, null, 2)}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(temp, path);
        return;
      } catch (err) {
        if (!isErrno(err, "EEXIST")) throw err;
      }
      const existing = readUpState(path);
      if (existing !== undefined && isUpRunning(existing)) {
        throw new UserError(
          `store ${state.store} is already running (replistore up pid ${existing.pid}, ${existing.urls[0] ?? ""}): ` +
            `use it, or stop it with Ctrl-C in its terminal (or kill ${existing.pid}) first`,
        );
      }
      const orphans = existing === undefined ? [] : orphanNodes(existing);
      if (orphans.length > 0) {
        const pids = orphans.map((o) => o.pid).join(" ");
        throw new UserError(
          `store ${state.store}: its previous replistore up (pid ${existing?.pid}) is gone but nodes still run ` +
            `(${orphans.map((o) => `${o.id} pid ${o.pid}`).join(", ")}): stop them with kill ${pids}, then retry`,
        );
      }
      rmSync(path, { force: true }); // stale: its owner died without cleaning up
    }
    throw new UserError(`cannot take ${path}: another replistore up keeps replacing it`);
  } finally {
    rmSync(temp, { force: true });
  }
}

export function updateUpState(path: string, state: UpState): void {
  writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
}

/** Removes up.json only if it is still ours. */
export function releaseUpState(path: string, pid: number): void {
  if (readUpState(path)?.pid === pid) rmSync(path, { force: true });
}

export interface RunningStore {
  name: string;
  state: UpState;
}

/** Stores under dataDir whose `up` process is alive. */
export function findRunningStores(dataDir: string): RunningStore[] {
  let names: string[];
  try {
    names = readdirSync(dataDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const state = readUpState(join(dataDir, name, "up.json"));
    return state !== undefined && isUpRunning(state) ? [{ name, state }] : [];
  });
}
