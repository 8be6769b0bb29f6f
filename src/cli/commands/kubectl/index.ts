/**
 * `replistore kubectl ...`, which the kubectl plugin `kubectl replistore ...` runs
 * (bin/kubectl-replistore): the conflict queue and a status summary of a store in a cluster, found
 * through the kubeconfig and reached through the apiserver's pod proxy (docs/review.md).
 *
 *   kubectl replistore status STORE
 *   kubectl replistore conflicts list STORE
 *   kubectl replistore conflicts show STORE ID
 *   kubectl replistore conflicts resolve STORE ID --keep VERSION --by alice --note "why"
 *   kubectl replistore status -A
 *   kubectl replistore repair now STORE [--no-wait]
 *   kubectl replistore restart STORE [--timeout 5m]
 *   kubectl replistore hub STORE [--set N]
 *   kubectl replistore kv get|put|delete STORE KEY [VALUE]
 *   kubectl replistore report STORE [-f FILE]
 *   kubectl replistore backup create STORE [--name NAME] [--no-wait]
 *   kubectl replistore backup list [STORE] | describe NAME | delete NAME
 *   kubectl replistore completion bash|zsh
 */
import { type Command, Option } from "commander";
import { apiErrorFrom } from "../../../client/api-error.ts";
import { decodeStatus } from "../../../client/decode-answer.ts";
import { UserError } from "../../../errors.ts";
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
import { durationMs, type OutputFormat, outputOption, positiveInt } from "../../options.ts";
import { formatStructured, writeOut } from "../../output.ts";
import { refusalMessage } from "../../resolve-refusal.ts";
import { backupCreate, backupDelete, backupDescribe, backupList } from "./backup.ts";
import { candidates, completionScript, SHELLS } from "./completion.ts";
import { hub } from "./hub.ts";
import { callKubeStore, json, type KubeFlags, type KubeTarget, resolveKubeTarget } from "./kube-target.ts";
import { kvDelete, kvGet, kvPut } from "./kv.ts";
import { repairNow } from "./repair-now.ts";
import { report } from "./report.ts";
import { restart } from "./restart.ts";
import { statusList } from "./status-list.ts";
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
  const target = await resolveKubeTarget(store, flags, "read");
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
  const target = await resolveKubeTarget(store, flags, "read");
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
  const target = await resolveKubeTarget(store, flags, "admin");
  const res = await callKubeStore(
    target,
    {
      method: "POST",
      path: `${conflictPath(id)}/resolve`,
      body: Buffer.from(JSON.stringify(decision)),
      timeoutMs: flags.timeout,
    },
    { accept: [503] },
  );
  if (res.status === 503) {
    // as `replistore conflicts resolve` says it: whether anything was written, and what to do
    const refusal = refusalMessage(id, res);
    throw refusal ? new UserError(refusal) : apiErrorFrom(res, `pod ${res.node}`);
  }
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

async function status(store: string | undefined, flags: Flags & { allNamespaces?: boolean }): Promise<void> {
  if (store !== undefined && flags.allNamespaces) {
    throw new UserError(
      `give a store or -A, not both: kubectl replistore status ${store} -n NAMESPACE, or kubectl replistore status -A`,
    );
  }
  if (store === undefined) return statusList(flags);
  const target = await resolveKubeTarget(store, flags, "read");
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
function kubeOptions(
  command: Command,
  timeout: { text: string; ms: number; label: string } = {
    text: "give up on a node after this long",
    ms: 10_000,
    label: "10s",
  },
  output = true,
): Command {
  command
    .addOption(
      new Option("-n, --namespace <ns>", "the store's namespace (default: the context's, else default)"),
    )
    .addOption(new Option("--kubeconfig <file>", "kubeconfig to use (default: $KUBECONFIG, ~/.kube/config)"))
    .addOption(new Option("--context <name>", "kubeconfig context to use"))
    .addOption(
      new Option(
        "--token <token>",
        "a token of the store (else REPLISTORE_TOKEN, else the auth Secret of the role the command needs)",
      ),
    )
    .addOption(
      new Option("--timeout <duration>", timeout.text)
        .argParser(durationMs)
        .default(timeout.ms, timeout.label),
    );
  return output ? command.addOption(outputOption()) : command;
}

/** Options given before the subcommand (kubectl replistore -n prod status orders) count too. */
function merged<T>(command: Command): T {
  return command.optsWithGlobals() as T;
}

const storeArg = ["<store>", "ReplicatedStore name"] as const;

export function registerKubectl(program: Command): void {
  const kubectl = program
    .command("kubectl")
    .description(
      "the kubectl plugin (kubectl replistore ...): status, conflicts, repair, restart, hub, kv and bug reports of a store in a cluster, through the kubeconfig",
    );
  kubectl
    .addOption(new Option("-n, --namespace <ns>", "the store's namespace").hideHelp())
    .addOption(new Option("--kubeconfig <file>", "kubeconfig to use").hideHelp())
    .addOption(new Option("--context <name>", "kubeconfig context to use").hideHelp())
    .addOption(new Option("--token <token>", "the store's token").hideHelp());

  kubeOptions(
    kubectl
      .command("status")
      .description(
        "summarise a store: spec, status conditions, pods, quorum, conflicts, last repair; without a store (or with -A) one line per store",
      )
      .argument("[store]", "ReplicatedStore name; omit to list the namespace's stores")
      .option("-A, --all-namespaces", "list the stores of every namespace"),
  ).action((store: string | undefined, _flags: Flags, command: Command) =>
    status(store, merged<Flags & { allNamespaces?: boolean }>(command)),
  );

  const conflicts = kubectl.command("conflicts").description("review and settle a store's conflicts");
  kubeOptions(
    addListOptions(
      conflicts
        .command("list")
        .description("list conflicts, oldest first (pending only unless --all or --status)")
        .argument(...storeArg),
    ),
  ).action((store: string, _flags: ListFlags, command: Command) => list(store, merged<ListFlags>(command)));

  kubeOptions(
    conflicts
      .command("show")
      .description("one conflict with its versions side by side")
      .argument(...storeArg)
      .argument("<id>", "conflict id"),
  ).action((store: string, id: string, _flags: Flags, command: Command) =>
    show(store, id, merged<Flags>(command)),
  );

  kubeOptions(
    addDecisionOptions(
      conflicts
        .command("resolve")
        .description("decide what stands: it is written as a new version that wins everywhere")
        .argument(...storeArg)
        .argument("<id>", "conflict id"),
    ),
  ).action((store: string, id: string, _flags: ResolveFlags, command: Command) =>
    resolve(store, id, merged<ResolveFlags>(command)),
  );

  const repair = kubectl.command("repair").description("anti-entropy repair of a store");
  kubeOptions(
    repair
      .command("now")
      .description(
        "run a repair now: a Job from the store's repair CronJob (as kubectl create job --from=cronjob/...), followed until it ends",
      )
      .argument(...storeArg)
      .option("--no-wait", "create the Job and return"),
    { text: "give up following the Job after this long (the Job goes on)", ms: 30 * 60_000, label: "30m" },
  ).action(async (store: string, _flags: unknown, command: Command) => {
    const flags = merged<Flags & { wait: boolean }>(command);
    await repairNow(await resolveKubeTarget(store, flags, "admin"), {
      wait: flags.wait,
      waitTimeout: flags.timeout,
      output: flags.output,
      ...pollOverride(),
    });
  });

  const backup = kubectl
    .command("backup")
    .description("backups of a store, as ReplicatedStoreBackup resources the operator runs");
  kubeOptions(
    backup
      .command("create")
      .description("back the store up now (a ReplicatedStoreBackup), followed until it completes or fails")
      .argument(...storeArg)
      .option("--name <name>", "the backup's name and id (default <store>-<UTC date>-<time>)")
      .option("--no-wait", "create the backup and return"),
    { text: "give up following the backup after this long (it goes on)", ms: 60 * 60_000, label: "60m" },
  ).action(async (store: string, _flags: unknown, command: Command) => {
    const flags = merged<Flags & { wait: boolean; name?: string }>(command);
    await backupCreate(store, { ...flags, ...pollOverride() });
  });
  kubeOptions(
    backup
      .command("list")
      .description("the backups in the namespace, newest first")
      .argument("[store]", "only this store's"),
  ).action(async (store: string | undefined, _flags: unknown, command: Command) => {
    await backupList(store, merged<Flags>(command));
  });
  kubeOptions(
    backup
      .command("describe")
      .description("one backup: phase, cut, keys, size, where")
      .argument("<name>", "ReplicatedStoreBackup name"),
  ).action(async (name: string, _flags: unknown, command: Command) => {
    await backupDescribe(name, merged<Flags>(command));
  });
  kubeOptions(
    backup
      .command("delete")
      .description(
        "delete a ReplicatedStoreBackup (its data stays at the destination until retention removes it)",
      )
      .argument("<name>", "ReplicatedStoreBackup name"),
  ).action(async (name: string, _flags: unknown, command: Command) => {
    await backupDelete(name, merged<Flags>(command));
  });

  kubeOptions(
    kubectl
      .command("restart")
      .description(
        "rolling restart, highest ordinal first: each pod deleted, then back to Ready and healthy on its peers before the next",
      )
      .argument(...storeArg)
      .option("--force", "restart even when not every pod is Ready"),
    { text: "how long each pod may take to come back healthy", ms: 5 * 60_000, label: "5m" },
    false,
  ).action(async (store: string, _flags: unknown, command: Command) => {
    const flags = merged<KubeFlags & { force?: boolean }>(command);
    await restart(await resolveKubeTarget(store, flags, "admin"), {
      timeout: flags.timeout,
      ...(flags.force ? { force: true } : {}),
      ...pollOverride(),
    });
  });

  kubeOptions(
    kubectl
      .command("hub")
      .description("show the Star hub of a MultiLeader store (spec and status), or move it with --set")
      .argument(...storeArg)
      .option("--set <ordinal>", "move the hub to this leader (patches spec.multiLeader.hub)"),
  ).action(async (store: string, _flags: unknown, command: Command) => {
    const flags = merged<Flags & { set?: string }>(command);
    await hub(await resolveKubeTarget(store, flags, "read"), flags);
  });

  const kv = kubectl.command("kv").description("read and write keys through the apiserver's pod proxy");
  kubeOptions(
    kv
      .command("get")
      .description("print a key's value")
      .argument(...storeArg)
      .argument("<key>", "the key")
      .addOption(new Option("--r <n>", "read quorum for this request (overrides R)").argParser(positiveInt)),
  ).action(async (store: string, key: string, _flags: unknown, command: Command) => {
    const flags = merged<Flags & { r?: number }>(command);
    await kvGet(await resolveKubeTarget(store, flags, "read"), key, flags);
  });
  kubeOptions(
    kv
      .command("put")
      .description("write a key (value from the argument, --file, or stdin)")
      .argument(...storeArg)
      .argument("<key>", "the key")
      .argument("[value]", "the value; omit to use --file or stdin")
      .option("--file <path>", 'read the value from a file ("-" for stdin)')
      .addOption(new Option("--w <n>", "write quorum for this request (overrides W)").argParser(positiveInt)),
  ).action(
    async (store: string, key: string, value: string | undefined, _flags: unknown, command: Command) => {
      const flags = merged<Flags & { w?: number; file?: string }>(command);
      await kvPut(await resolveKubeTarget(store, flags, "write"), key, value, flags);
    },
  );
  kubeOptions(
    kv
      .command("delete")
      .description("delete a key")
      .argument(...storeArg)
      .argument("<key>", "the key")
      .addOption(new Option("--w <n>", "write quorum for this request (overrides W)").argParser(positiveInt)),
  ).action(async (store: string, key: string, _flags: unknown, command: Command) => {
    const flags = merged<Flags & { w?: number }>(command);
    await kvDelete(await resolveKubeTarget(store, flags, "write"), key, flags);
  });

  kubeOptions(
    kubectl
      .command("report")
      .description(
        "collect the store, its events, pod logs and every node's /v1/status and /metrics into one .tar.gz for a bug report",
      )
      .argument(...storeArg)
      .option(
        "-f, --file <path>",
        "where to write the archive (default: replistore-report-NS-STORE-TIME.tar.gz here)",
      ),
    undefined,
    false,
  ).action(async (store: string, _flags: unknown, command: Command) => {
    const flags = merged<KubeFlags & { file?: string }>(command);
    await report(await resolveKubeTarget(store, flags, "read"), flags);
  });

  kubectl
    .command("completion")
    .description("print a shell completion script: source <(kubectl replistore completion bash)")
    .argument("<shell>", SHELLS.join(" or "))
    .action((shell: string) => {
      writeOut(completionScript(shell, kubectl));
    });

  // kubectl's protocol for plugin completion: candidates, then ":4" (no file completion).
  kubectl
    .command("__complete", { hidden: true })
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .argument("[words...]")
    .action((words: string[]) => {
      writeOut(`${[...candidates(kubectl, words.length === 0 ? [""] : words), ":4"].join("\n")}\n`);
    });
}

/** REPLISTORE_PLUGIN_POLL_MS: how often repair now and restart look (tests make it short). */
function pollOverride(): { pollMs?: number } {
  const ms = Number(process.env.REPLISTORE_PLUGIN_POLL_MS);
  return Number.isFinite(ms) && ms > 0 ? { pollMs: ms } : {};
}
