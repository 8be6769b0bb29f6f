/**
 * Helpers for anti-entropy tests: divergence made through a node's internal apply endpoint, the
 * repair job run as a real process, and "every owner holds the same newest version" checks.
 */
import { pack, unpack } from "msgpackr";
import { HashRing } from "../../src/node/ring/hash-ring.ts";
import type { RecordTuple } from "../../src/node/storage/record.ts";
import type { RepairSummary } from "../../src/repair/summary.ts";
import {
  AE_APPLY,
  AE_LOCK,
  AE_UNLOCK,
  type ApplyResponse,
  type LockResponse,
} from "../../src/wire/anti-entropy.ts";
import { type CliResult, runCli } from "./cli.ts";
import { send } from "./client.ts";
import type { Store } from "./store.ts";

/** POSTs msgpack to one node's internal endpoint (direct URL, with the store's token). */
export async function postMsgpack<T>(store: Store, index: number, path: string, body: unknown): Promise<T> {
  const reply = await send(store.urls[index]!, "POST", path, {
    body: pack(body),
    headers: { "content-type": "application/msgpack" },
    token: store.token,
    timeoutMs: 60_000,
  });
  if (reply.status >= 400 && reply.status !== 409) {
    throw new Error(`POST ${path} to ${store.id(index)}: ${reply.status} ${reply.text}`);
  }
  return unpack(reply.bytes) as T;
}

/** Stores records on node `index` only, as a partial write or a lost replica would leave them. */
export async function applyTo(
  store: Store,
  index: number,
  records: Array<[string, RecordTuple]>,
): Promise<number> {
  const res = await postMsgpack<ApplyResponse>(store, index, AE_APPLY, { records });
  return res.applied;
}

/** A record version newer than anything written so far, stamped as node `node`. */
export function freshTuple(node: string, value: string | null, bumpMs = 0): RecordTuple {
  return [Date.now() + bumpMs, 0, node, value === null ? null : Buffer.from(value)];
}

export function lockAs(store: Store, index: number, holder: string, ttlMs = 60_000): Promise<LockResponse> {
  return postMsgpack<LockResponse>(store, index, AE_LOCK, { holder, ttlMs });
}

export function unlockAs(store: Store, index: number, holder: string): Promise<unknown> {
  return postMsgpack(store, index, AE_UNLOCK, { holder });
}

export interface RepairRun extends CliResult {
  summary: RepairSummary;
}

/**
 * Runs `replistore repair --config <cluster.json> -o json` as a child process. No termination log
 * unless the args name one: tests run as root, where the default /dev/termination-log is writable.
 */
export async function runRepair(store: Store, args: string[] = [], timeoutMs = 90_000): Promise<RepairRun> {
  const target = args.includes("--endpoint") ? [] : ["--config", store.configPath];
  const log = args.includes("--termination-log") ? [] : ["--no-termination-log"];
  const result = await runCli(["repair", ...target, "-o", "json", ...log, ...args], {
    env: store.token ? { REPLISTORE_TOKEN: store.token } : {},
    timeoutMs,
  });
  let summary: RepairSummary;
  try {
    summary = JSON.parse(result.stdout) as RepairSummary;
  } catch {
    throw new Error(
      `repair printed no JSON summary (exit ${result.code}, signal ${result.signal})\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
  return { ...result, summary };
}

/** The owners of `key` under the store's current config, as node indices. */
export function ownerIndices(store: Store, key: string): number[] {
  const ring = new HashRing(store.ids, store.config.ring.vnodes);
  return ring.owners(key, store.config.replication.factor).map((id) => store.ids.indexOf(id));
}

export interface LocalCopy {
  node: string;
  status: number;
  version: string | undefined;
  value: string;
}

/** What each owner of `key` holds locally (`?local=true`); owners not running are left out only with `runningOnly`. */
export async function localCopies(store: Store, key: string, runningOnly = false): Promise<LocalCopy[]> {
  const owners = ownerIndices(store, key).filter((i) => !runningOnly || store.node(i).running);
  return Promise.all(
    owners.map(async (i) => {
      const reply = await store.client(i).get(key, { local: true });
      return {
        node: store.id(i),
        status: reply.status,
        version: reply.status === 200 ? reply.version : undefined,
        value: reply.status === 200 ? reply.text : "",
      };
    }),
  );
}

/** `wall:logical:node` of a tuple, as the X-Replistore-Version header shows it. */
export function versionText(t: RecordTuple): string {
  return `${t[0]}:${t[1]}:${t[2]}`;
}
