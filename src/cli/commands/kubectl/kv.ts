/**
 * `kubectl replistore kv get|put|delete STORE KEY [VALUE]`: one key, through the apiserver's pod
 * proxy to any ready node of the store, with the store's token (kube-target.ts finds it).
 */

import { fstatSync } from "node:fs";
import { withQuery } from "../../../client/endpoint.ts";
import { UserError } from "../../../errors.ts";
import { kvPath, printValue } from "../../kv-answer.ts";
import type { OutputFormat } from "../../options.ts";
import { formatStructured, writeOut } from "../../output.ts";
import { readValue } from "../../value-input.ts";
import { callKubeStore, json, type KubeTarget } from "./kube-target.ts";

export interface KvFlags {
  timeout: number;
  output: OutputFormat;
  file?: string;
  w?: number;
  r?: number;
}

export function keyPath(key: string): string {
  if (key === "") throw new UserError("the key must not be empty");
  return kvPath(key);
}

export async function kvGet(target: KubeTarget, key: string, flags: KvFlags): Promise<void> {
  const res = await callKubeStore(
    target,
    { method: "GET", path: withQuery(keyPath(key), { r: flags.r }), timeoutMs: flags.timeout },
    { accept: [404] },
  );
  if (res.status === 404) {
    throw new UserError(`no key ${JSON.stringify(key)} in store ${target.namespace}/${target.name}`);
  }
  printValue(key, res, flags.output);
}

function printWrite(verb: string, key: string, result: unknown, flags: KvFlags): void {
  if (flags.output !== "text") {
    writeOut(formatStructured(result, flags.output));
    return;
  }
  const r = (typeof result === "object" && result !== null ? result : {}) as Record<string, unknown>;
  const acks = r.acks === 1 ? "1 ack" : `${String(r.acks ?? "?")} acks`;
  const leader = typeof r.leader === "string" ? `, leader ${r.leader}` : "";
  writeOut(`${verb} ${key} (version ${String(r.version ?? "?")}, ${acks}${leader})\n`);
}

/** Whether a value can come on stdin: a pipe or a file, not a terminal or /dev/null. */
function stdinHasData(): boolean {
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isFile() || st.isSocket();
  } catch {
    return false;
  }
}

export async function kvPut(
  target: KubeTarget,
  key: string,
  value: string | undefined,
  flags: KvFlags,
): Promise<void> {
  const path = keyPath(key);
  if (value === undefined && flags.file === undefined && !stdinHasData()) {
    throw new UserError(
      `no value for ${key}: kubectl replistore kv put ${target.name} ${key} VALUE, or --file PATH, or pipe it on stdin`,
    );
  }
  const body = await readValue(value, flags.file);
  const res = await callKubeStore(target, {
    method: "PUT",
    path: withQuery(path, { w: flags.w }),
    body,
    contentType: "application/octet-stream",
    timeoutMs: flags.timeout,
  });
  printWrite("put", key, json(res), flags);
}

export async function kvDelete(target: KubeTarget, key: string, flags: KvFlags): Promise<void> {
  const res = await callKubeStore(target, {
    method: "DELETE",
    path: withQuery(keyPath(key), { w: flags.w }),
    timeoutMs: flags.timeout,
  });
  printWrite("deleted", key, json(res), flags);
}
