/** `replistore conflicts list|show|resolve`: the on-call review queue, against any node of a store. */
import { hostname, userInfo } from "node:os";
import { type Command, Option } from "commander";
import { UserError } from "../../runtime/user-error.ts";
import { callStore, jsonBody } from "../client.ts";
import { type ConflictView, renderConflict, renderList } from "../conflicts-view.ts";
import { positiveInt } from "../options.ts";
import { formatStructured, writeOut } from "../output.ts";
import { addClientOptions, type ClientFlags, targetOf } from "../target-options.ts";
import { readValue } from "../value-input.ts";

interface ListFlags extends ClientFlags {
  status?: string;
  all?: boolean;
  key?: string;
  kind?: string;
  limit?: number;
  cursor?: string;
}

interface ResolveFlags extends ClientFlags {
  keep?: string;
  value?: string;
  valueFile?: string;
  delete?: boolean;
  by?: string;
  note?: string;
}

function idPath(id: string): string {
  return `/v1/conflicts/${encodeURIComponent(id)}`;
}

async function list(flags: ListFlags): Promise<void> {
  const res = await callStore(targetOf(flags), "GET", "/v1/conflicts", {
    query: {
      status: flags.all ? undefined : (flags.status ?? "pending"),
      key: flags.key,
      kind: flags.kind,
      limit: flags.limit,
      cursor: flags.cursor,
    },
    timeoutMs: flags.timeout,
  });
  const body = jsonBody(res) as { items: ConflictView[]; next: string | null };
  writeOut(
    flags.output === "text" ? renderList(body.items, body.next) : formatStructured(body, flags.output),
  );
}

async function show(id: string, flags: ClientFlags): Promise<void> {
  const body = jsonBody(await callStore(targetOf(flags), "GET", idPath(id), { timeoutMs: flags.timeout }));
  writeOut(
    flags.output === "text" ? renderConflict(body as ConflictView) : formatStructured(body, flags.output),
  );
}

async function resolve(id: string, flags: ResolveFlags): Promise<void> {
  const chosen = [
    flags.keep !== undefined,
    flags.value !== undefined || flags.valueFile !== undefined,
    !!flags.delete,
  ];
  if (chosen.filter(Boolean).length !== 1) {
    throw new UserError(
      "say what stands with exactly one of --keep VERSION, --value TEXT (or --value-file F), or --delete",
    );
  }
  const decision: Record<string, unknown> = {
    resolvedBy: flags.by ?? defaultResolver(),
    note: flags.note ?? "",
  };
  if (flags.keep !== undefined) decision.keep = flags.keep;
  else if (flags.delete) decision.delete = true;
  else decision.valueBase64 = (await readValue(flags.value, flags.valueFile)).toString("base64");
  const res = await callStore(targetOf(flags), "POST", `${idPath(id)}/resolve`, {
    body: Buffer.from(JSON.stringify(decision)),
    timeoutMs: flags.timeout,
  });
  const body = jsonBody(res);
  writeOut(
    flags.output === "text" ? renderConflict(body as ConflictView) : formatStructured(body, flags.output),
  );
}

/** Who resolved it, when --by is not given: the local user at this host. */
function defaultResolver(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `unknown@${hostname()}`;
  }
}

export function registerConflicts(program: Command): void {
  const conflicts = program
    .command("conflicts")
    .description("review and settle conflicts and partial writes (the on-call queue)");

  addClientOptions(
    conflicts
      .command("list")
      .description("list conflicts, oldest first (pending only unless --all or --status)")
      .addOption(new Option("--status <status>", "pending or resolved").choices(["pending", "resolved"]))
      .option("--all", "pending and resolved")
      .option("--key <key>", "only this key")
      .addOption(new Option("--kind <kind>", "only this kind").choices(["partial_write", "concurrent"]))
      .addOption(new Option("--limit <n>", "page size").argParser(positiveInt))
      .option("--cursor <cursor>", "the next page, as printed by the previous one"),
  ).action((flags: ListFlags) => list(flags));

  addClientOptions(
    conflicts
      .command("show")
      .description("one conflict with its versions side by side")
      .argument("<id>", "conflict id"),
  ).action((id: string, flags: ClientFlags) => show(id, flags));

  addClientOptions(
    conflicts
      .command("resolve")
      .description("decide what stands: it is written as a new version that wins everywhere")
      .argument("<id>", "conflict id")
      .option("--keep <version>", "keep this version's value")
      .option("--value <text>", "write this value instead")
      .option("--value-file <path>", 'write the value from a file ("-" for stdin)')
      .option("--delete", "delete the key")
      .option("--by <who>", "who decided (default: user@host)")
      .option("--note <text>", "why, for whoever reads this later"),
  ).action((id: string, flags: ResolveFlags) => resolve(id, flags));
}
