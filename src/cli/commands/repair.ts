/**
 * `replistore repair`: the anti-entropy job. A CronJob runs it with the nodes' config file; a person
 * runs it with --endpoint (or against a `replistore up` store). Exit 0 means every owner set was
 * compared and repaired (or another run holds the lock); 1 lists what was skipped.
 */
import { type Command, Option } from "commander";
import { runRepair } from "../../repair/job.ts";
import { Progress } from "../../repair/progress.ts";
import { exitCodeOf, renderText, skippedDigest, terminationMessage } from "../../repair/summary.ts";
import { defaultTerminationLog, writeTerminationLog } from "../../repair/termination-log.ts";
import { durationMs, type OutputFormat, outputOption } from "../options.ts";
import { formatStructured, writeOut } from "../output.ts";
import { type PeerTarget, peerTargetOptions, resolvePeerTarget } from "../peer-target.ts";

interface RepairFlags {
  config?: string;
  endpoint?: string;
  store?: string;
  dataDir: string;
  token?: string;
  cacert?: string;
  wait?: boolean;
  naive?: boolean;
  /** a path, false for --no-termination-log, undefined for the default */
  terminationLog?: string | false;
  timeout: number;
  readyTimeout: number;
  output: OutputFormat;
}

/** SIGINT/SIGTERM finish the set in progress, report and release the lock; a second signal exits at once. */
function interruptions(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(name === "SIGINT" ? 130 : 143);
    process.stderr.write(`\n${name}: stopping after the current set (again to exit now)\n`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

async function repair(flags: RepairFlags): Promise<void> {
  const terminationLog =
    flags.terminationLog === false ? undefined : (flags.terminationLog ?? defaultTerminationLog());
  let resolved: PeerTarget;
  try {
    resolved = await resolvePeerTarget(flags);
  } catch (err) {
    if (terminationLog) {
      const error = err instanceof Error ? err.message : String(err);
      writeTerminationLog(terminationLog, JSON.stringify({ status: "failed", ok: false, error }));
    }
    throw err;
  }
  const { signal, dispose } = interruptions();
  const summary = await runRepair({
    members: resolved.members,
    token: resolved.token,
    wire: resolved.wire,
    wait: flags.wait ?? false,
    naive: flags.naive ?? false,
    timeoutMs: flags.timeout,
    readyTimeoutMs: flags.readyTimeout,
    progress: new Progress(),
    signal,
  }).finally(dispose);
  writeOut(flags.output === "text" ? renderText(summary) : formatStructured(summary, flags.output));
  if (terminationLog) {
    const problem = writeTerminationLog(terminationLog, terminationMessage(summary));
    if (problem) process.stderr.write(`warning: ${problem}\n`);
  }
  if (flags.output !== "text" && summary.status === "incomplete") {
    const digest = skippedDigest(summary);
    const lines = [`repair incomplete: ${summary.setsSkipped} sets skipped`];
    if (digest) lines.push(digest);
    if (summary.error) lines.push(summary.error);
    process.stderr.write(`${lines.join("\n  ")}\n`);
  }
  if (flags.output !== "text" && summary.status === "failed") {
    process.stderr.write(`repair failed: ${summary.error ?? "unknown error"}\n`);
  }
  process.exitCode = exitCodeOf(summary);
}

export function registerRepair(program: Command): void {
  peerTargetOptions(
    program
      .command("repair")
      .description("compare every replica's Merkle trees and copy the newest versions where they differ"),
  )
    .addOption(new Option("--wait", "wait for another repair's lock instead of exiting"))
    .addOption(new Option("--naive", "skip the trees: compare every key of every set (for benchmarks)"))
    .addOption(
      new Option(
        "--termination-log <path>",
        "also write the JSON summary here (default in a pod: /dev/termination-log)",
      ),
    )
    .addOption(new Option("--no-termination-log", "do not write a termination log"))
    .addOption(
      new Option("--timeout <duration>", "per request to a node")
        .argParser(durationMs)
        .default(60_000, "60s"),
    )
    .addOption(
      new Option("--ready-timeout <duration>", "how long to wait for nodes still building their trees")
        .argParser(durationMs)
        .default(60_000, "60s"),
    )
    .addOption(outputOption())
    .action((flags: RepairFlags) => repair(flags));
}
