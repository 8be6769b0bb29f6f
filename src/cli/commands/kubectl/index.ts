/**
 * `replistore kubectl ...`, which the kubectl plugin `kubectl replistore ...` runs
 * (bin/kubectl-replistore): the conflict queue and a status summary of a store in a cluster, found
 * through the kubeconfig and reached through the apiserver's pod proxy (docs/review.md).
 *
 *   kubectl replistore status STORE
 *   kubectl replistore conflicts list STORE
 *   kubectl replistore conflicts show STORE ID
 *   kubectl replistore conflicts resolve STORE ID --keep VERSION --by alice --note "why"
 */
import { type Command, Option } from "commander";
import { decodeStatus } from "../../../client/decode-answer.ts";
import {
  addDecisionOptions,
  addListOptions,
  conflictPath,
  type DecisionFlags,
  decisionBody,
  type ListFilterFlags,
  listQuery,
} from "../../conflict-options.ts";
import { type ConflictView, renderConflict, renderList } from "../../conflicts-view.ts";
import { durationMs, type OutputFormat, outputOption } from "../../options.ts";
import { formatStructured, writeOut } from "../../output.ts";
import { callKubeStore, json, type KubeFlags, type KubeTarget, resolveKubeTarget } from "./kube-target.ts";
import { type NodeReport, renderStoreStatus, summarize } from "./store-status-view.ts";

interface Flags extends KubeFlags {
  output: OutputFormat;
}

interface ListFlags extends Flags, ListFilterFlags {}

interface ResolveFlags extends Flags, DecisionFlags {}

/** The resolve hint of `replistore conflicts show`, as the plugin's own command. */
function asPluginHint(text: string, target: KubeTarget): string {
  const ns = target.namespace === "default" ? "" : ` -n ${target.namespace}`;
  return text.replaceAll(
    "replistore conflicts resolve ",
    `kubectl replistore${ns} conflicts resolve ${target.name} `,
  );
}

async function list(store: string, flags: ListFlags): Promise<void> {
  const target = await resolveKubeTarget(store, flags);
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(listQuery(flags))) if (v !== undefined) query.set(k, String(v));
  const qs = query.toString();
  const res = await callKubeStore(target, {
    method: "GET",
    path: `/v1/conflicts${qs ? `?${qs}` : ""}`,
    timeoutMs: flags.timeout,
  });
  const body = json(res) as { items: ConflictView[]; next: string | null };
  writeOut(
    flags.output === "text" ? renderList(body.items, body.next) : formatStructured(body, flags.output),
  );
}

async function show(store: string, id: string, flags: Flags): Promise<void> {
  const target = await resolveKubeTarget(store, flags);
  const body = json(
    await callKubeStore(target, { method: "GET", path: conflictPath(id), timeoutMs: flags.timeout }),
  );
  writeOut(
    flags.output === "text"
      ? asPluginHint(renderConflict(body as ConflictView), target)
      : formatStructured(body, flags.output),
  );
}

async function resolve(store: string, id: string, flags: ResolveFlags): Promise<void> {
  const decision = await decisionBody(flags);
  const target = await resolveKubeTarget(store, flags);
  const res = await callKubeStore(target, {
    method: "POST",
    path: `${conflictPath(id)}/resolve`,
    body: Buffer.from(JSON.stringify(decision)),
    timeoutMs: flags.timeout,
  });
  const body = json(res);
  writeOut(
    flags.output === "text" ? renderConflict(body as ConflictView) : formatStructured(body, flags.output),
  );
}

async function nodeReport(target: KubeTarget, timeoutMs: number): Promise<NodeReport> {
  try {
    const statusRes = await callKubeStore(target, { method: "GET", path: "/v1/status", timeoutMs });
    const status = decodeStatus(statusRes, `pod ${statusRes.node}`);
    const listRes = await callKubeStore(target, {
      method: "GET",
      path: "/v1/conflicts?status=pending&limit=500",
      timeoutMs,
    });
    const page = json(listRes) as { items: ConflictView[]; next: string | null };
    return {
      pod: statusRes.node,
      status,
      conflicts: { pending: page.items.length, more: page.next !== null, oldest: page.items[0]?.detectedAt },
      error: undefined,
    };
  } catch (err) {
    return {
      pod: "",
      status: undefined,
      conflicts: undefined,
      error: err instanceof Error ? err.message : String(err),
    };
  }
}

async function status(store: string, flags: Flags): Promise<void> {
  const target = await resolveKubeTarget(store, flags);
  const summary = summarize(
    target.namespace,
    target.name,
    target.store,
    target.pods,
    await nodeReport(target, flags.timeout),
  );
  writeOut(flags.output === "text" ? renderStoreStatus(summary) : formatStructured(summary, flags.output));
}

/** The flags every plugin command takes; also accepted before the subcommand. */
function kubeOptions(command: Command): Command {
  return command
    .addOption(
      new Option("-n, --namespace <ns>", "the store's namespace (default: the context's, else default)"),
    )
    .addOption(new Option("--kubeconfig <file>", "kubeconfig to use (default: $KUBECONFIG, ~/.kube/config)"))
    .addOption(new Option("--context <name>", "kubeconfig context to use"))
    .addOption(
      new Option("--token <token>", "the store's token (else REPLISTORE_TOKEN, else its auth Secret)"),
    )
    .addOption(
      new Option("--timeout <duration>", "give up on a node after this long")
        .argParser(durationMs)
        .default(10_000, "10s"),
    )
    .addOption(outputOption());
}

/** Options given before the subcommand (kubectl replistore -n prod status orders) count too. */
function merged<T>(command: Command): T {
  return command.optsWithGlobals() as T;
}

export function registerKubectl(program: Command): void {
  const kubectl = program
    .command("kubectl")
    .description(
      "the kubectl plugin (kubectl replistore ...): status and conflicts of a store in a cluster, through the kubeconfig",
    );
  kubectl
    .addOption(new Option("-n, --namespace <ns>", "the store's namespace").hideHelp())
    .addOption(new Option("--kubeconfig <file>", "kubeconfig to use").hideHelp())
    .addOption(new Option("--context <name>", "kubeconfig context to use").hideHelp())
    .addOption(new Option("--token <token>", "the store's token").hideHelp());

  kubeOptions(
    kubectl
      .command("status")
      .description("summarise a store: spec, status conditions, pods, quorum, conflicts, last repair")
      .argument("<store>", "ReplicatedStore name"),
  ).action((store: string, _flags: Flags, command: Command) => status(store, merged<Flags>(command)));

  const conflicts = kubectl.command("conflicts").description("review and settle a store's conflicts");
  kubeOptions(
    addListOptions(
      conflicts
        .command("list")
        .description("list conflicts, oldest first (pending only unless --all or --status)")
        .argument("<store>", "ReplicatedStore name"),
    ),
  ).action((store: string, _flags: ListFlags, command: Command) => list(store, merged<ListFlags>(command)));

  kubeOptions(
    conflicts
      .command("show")
      .description("one conflict with its versions side by side")
      .argument("<store>", "ReplicatedStore name")
      .argument("<id>", "conflict id"),
  ).action((store: string, id: string, _flags: Flags, command: Command) =>
    show(store, id, merged<Flags>(command)),
  );

  kubeOptions(
    addDecisionOptions(
      conflicts
        .command("resolve")
        .description("decide what stands: it is written as a new version that wins everywhere")
        .argument("<store>", "ReplicatedStore name")
        .argument("<id>", "conflict id"),
    ),
  ).action((store: string, id: string, _flags: ResolveFlags, command: Command) =>
    resolve(store, id, merged<ResolveFlags>(command)),
  );
}
