/** `replistore kv get|put|delete`: one key at a time against any node of the store. */

import { type Command, Option } from "commander";
import { UserError } from "../../errors.ts";
import { callStore, jsonBody } from "../client.ts";
import { kvPath, printValue } from "../kv-answer.ts";
import { positiveInt } from "../options.ts";
import { formatStructured, writeOut } from "../output.ts";
import { addClientOptions, type ClientFlags, targetOf } from "../target-options.ts";
import { readValue } from "../value-input.ts";

interface WriteFlags extends ClientFlags {
  w?: number;
  file?: string;
}

interface ReadFlags extends ClientFlags {
  r?: number;
  local?: boolean;
}

interface WriteResult {
  key?: unknown;
  version?: unknown;
  acks?: unknown;
  leader?: unknown;
}

function printWrite(verb: string, key: string, result: unknown, flags: ClientFlags): void {
  if (flags.output !== "text") {
    writeOut(formatStructured(result, flags.output));
    return;
  }
  const r: WriteResult = typeof result === "object" && result !== null ? result : {};
  const acks = r.acks === 1 ? "1 ack" : `${String(r.acks ?? "?")} acks`;
  const leader = typeof r.leader === "string" ? `, leader ${r.leader}` : "";
  writeOut(`${verb} ${key} (version ${String(r.version ?? "?")}, ${acks}${leader})\n`);
}

async function get(key: string, flags: ReadFlags): Promise<void> {
  const res = await callStore(targetOf(flags, "read"), "GET", kvPath(key), {
    query: { r: flags.r, local: flags.local ? true : undefined },
    timeoutMs: flags.timeout,
  });
  printValue(key, res, flags.output);
}

async function put(key: string, value: string | undefined, flags: WriteFlags): Promise<void> {
  const body = await readValue(value, flags.file);
  const res = await callStore(targetOf(flags, "write"), "PUT", kvPath(key), {
    body,
    query: { w: flags.w },
    timeoutMs: flags.timeout,
  });
  printWrite("put", key, jsonBody(res), flags);
}

async function remove(key: string, flags: WriteFlags): Promise<void> {
  const res = await callStore(targetOf(flags, "write"), "DELETE", kvPath(key), {
    query: { w: flags.w },
    timeoutMs: flags.timeout,
  });
  printWrite("deleted", key, jsonBody(res), flags);
}

function checkKey(key: string): string {
  if (key === "") throw new UserError("the key must not be empty");
  return key;
}

export function registerKv(program: Command): void {
  const kv = program.command("kv").description("read and write keys of a running store");
  const wOption = () =>
    new Option("--w <n>", "write quorum for this request (overrides W)").argParser(positiveInt);

  addClientOptions(
    kv
      .command("get")
      .description("print a key's value")
      .argument("<key>", "the key")
      .addOption(new Option("--r <n>", "read quorum for this request (overrides R)").argParser(positiveInt))
      .option("--local", "read only the answering node's copy"),
  ).action((key: string, flags: ReadFlags) => get(checkKey(key), flags));

  addClientOptions(
    kv
      .command("put")
      .description("write a key (value from the argument, --file, or stdin)")
      .argument("<key>", "the key")
      .argument("[value]", "the value; omit to use --file or stdin")
      .option("--file <path>", 'read the value from a file ("-" for stdin)')
      .addOption(wOption()),
  ).action((key: string, value: string | undefined, flags: WriteFlags) => put(checkKey(key), value, flags));

  addClientOptions(
    kv.command("delete").description("delete a key").argument("<key>", "the key").addOption(wOption()),
  ).action((key: string, flags: WriteFlags) => remove(checkKey(key), flags));
}
