/** `replistore conflicts list|show|resolve`: the on-call review queue, against any node of a store. */
import type { Command } from "commander";
import { apiErrorFrom } from "../../client/api-error.ts";
import { UserError } from "../../errors.ts";
import { callStore, jsonBody } from "../client.ts";
import {
  addDecisionOptions,
  addListOptions,
  conflictPath,
  type DecisionFlags,
  decisionBody,
  type ListFilterFlags,
  listQuery,
} from "../conflict-options.ts";
import { type ConflictView, renderConflict, renderList } from "../conflicts-view.ts";
import { formatStructured, writeOut } from "../output.ts";
import { refusalMessage } from "../resolve-refusal.ts";
import { addClientOptions, type ClientFlags, targetOf } from "../target-options.ts";

interface ListFlags extends ClientFlags, ListFilterFlags {}

interface ResolveFlags extends ClientFlags, DecisionFlags {}

async function list(flags: ListFlags): Promise<void> {
  const res = await callStore(targetOf(flags, "read"), "GET", "/v1/conflicts", {
    query: listQuery(flags),
    timeoutMs: flags.timeout,
  });
  const body = jsonBody(res) as { items: ConflictView[]; next: string | null };
  writeOut(
    flags.output === "text" ? renderList(body.items, body.next) : formatStructured(body, flags.output),
  );
}

async function show(id: string, flags: ClientFlags): Promise<void> {
  const body = jsonBody(
    await callStore(targetOf(flags, "read"), "GET", conflictPath(id), { timeoutMs: flags.timeout }),
  );
  writeOut(
    flags.output === "text" ? renderConflict(body as ConflictView) : formatStructured(body, flags.output),
  );
}

async function resolve(id: string, flags: ResolveFlags): Promise<void> {
  const decision = await decisionBody(flags);
  const res = await callStore(targetOf(flags, "admin"), "POST", `${conflictPath(id)}/resolve`, {
    body: Buffer.from(JSON.stringify(decision)),
    timeoutMs: flags.timeout,
    accept: [503],
  });
  if (res.status === 503) {
    // A refusal for lack of owners says whether anything was written; other 503s as the node said them.
    const refusal = refusalMessage(id, res);
    throw refusal ? new UserError(refusal) : apiErrorFrom(res, res.url);
  }
  const body = jsonBody(res);
  writeOut(
    flags.output === "text" ? renderConflict(body as ConflictView) : formatStructured(body, flags.output),
  );
}

export function registerConflicts(program: Command): void {
  const conflicts = program
    .command("conflicts")
    .description("review and settle conflicts and partial writes (the on-call queue)");

  addClientOptions(
    addListOptions(
      conflicts
        .command("list")
        .description("list conflicts, oldest first (pending only unless --all or --status)"),
    ),
  ).action((flags: ListFlags) => list(flags));

  addClientOptions(
    conflicts
      .command("show")
      .description("one conflict with its versions side by side")
      .argument("<id>", "conflict id"),
  ).action((id: string, flags: ClientFlags) => show(id, flags));

  addClientOptions(
    addDecisionOptions(
      conflicts
        .command("resolve")
        .description("decide what stands: it is written as a new version that wins everywhere")
        .argument("<id>", "conflict id"),
    ),
  ).action((id: string, flags: ResolveFlags) => resolve(id, flags));
}
