/**
 * What `replistore conflicts` and `kubectl replistore conflicts` share: the list filters and the
 * query they become, and the resolve decision flags, their check, and the request body.
 */
import { hostname, userInfo } from "node:os";
import { type Command, Option } from "commander";
import { UserError } from "../errors.ts";
import { positiveInt } from "./options.ts";
import { readValue } from "./value-input.ts";

export interface ListFilterFlags {
  status?: string;
  all?: boolean;
  key?: string;
  kind?: string;
  limit?: number;
  cursor?: string;
}

export function addListOptions(command: Command): Command {
  return command
    .addOption(new Option("--status <status>", "pending or resolved").choices(["pending", "resolved"]))
    .option("--all", "pending and resolved")
    .option("--key <key>", "only this key")
    .addOption(new Option("--kind <kind>", "only this kind").choices(["partial_write", "concurrent"]))
    .addOption(new Option("--limit <n>", "page size").argParser(positiveInt))
    .option("--cursor <cursor>", "the next page, as printed by the previous one");
}

/** GET /v1/conflicts query parameters: pending only unless --all or --status says otherwise. */
export function listQuery(flags: ListFilterFlags): Record<string, string | number | undefined> {
  return {
    status: flags.all ? undefined : (flags.status ?? "pending"),
    key: flags.key,
    kind: flags.kind,
    limit: flags.limit,
    cursor: flags.cursor,
  };
}

export interface DecisionFlags {
  keep?: string;
  value?: string;
  valueFile?: string;
  delete?: boolean;
  by?: string;
  note?: string;
}

export function conflictPath(id: string): string {
  return `/v1/conflicts/${encodeURIComponent(id)}`;
}

export function addDecisionOptions(command: Command): Command {
  return command
    .option("--keep <version>", "keep this version's value")
    .option("--value <text>", "write this value instead")
    .option("--value-file <path>", 'write the value from a file ("-" for stdin)')
    .option("--delete", "delete the key")
    .option("--by <who>", "who decided (default: user@host)")
    .option("--note <text>", "why, for whoever reads this later");
}

/** Who resolved it, when --by is not given: the local user at this host. */
function defaultResolver(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `unknown@${hostname()}`;
  }
}

/** The body of POST /v1/conflicts/{id}/resolve; a UserError unless exactly one choice is made. */
export async function decisionBody(flags: DecisionFlags): Promise<Record<string, unknown>> {
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
  return decision;
}
