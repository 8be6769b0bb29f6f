/**
 * `replistore up`'s stand-in for the operator's anti-entropy CronJob: runs `replistore repair`
 * against the local store on spec.antiEntropy.schedule, one run at a time, with its output kept
 * in the store's repair.log and a one-line summary printed per run.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { Cron } from "croner";
import { NODE_RUNTIME_FLAGS } from "../config/node-runtime-flags.ts";
import { UserError } from "../errors.ts";

/** Checks the schedule before any node starts, so a typo stops `up` with a message, not later. */
export function checkRepairSchedule(schedule: string): void {
  try {
    new Cron(schedule, { paused: true }).stop();
  } catch (err) {
    throw new UserError(
      `spec.antiEntropy.schedule "${schedule}" is not a cron schedule (${(err as Error).message}): use five fields, e.g. "*/15 * * * *"`,
    );
  }
}

export interface RepairScheduleOptions {
  schedule: string;
  cliPath: string;
  configPath: string;
  logPath: string;
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
}

interface RepairSummaryLine {
  ok?: boolean;
  setsCompared?: number;
  keysRepaired?: number;
  durationMs?: number;
}

export function startRepairSchedule(opts: RepairScheduleOptions): { stop(): void } {
  let child: ReturnType<typeof spawn> | undefined;
  const job = new Cron(opts.schedule, { protect: true }, async () => {
    const fd = openSync(opts.logPath, "a");
    writeSync(fd, `\n===== ${new Date().toISOString()} replistore repair =====\n`);
    const proc = spawn(
      process.execPath,
      [...NODE_RUNTIME_FLAGS, opts.cliPath, "repair", "--config", opts.configPath, "-o", "json"],
      {
        env: opts.env,
        stdio: ["ignore", "pipe", fd],
      },
    );
    child = proc;
    let stdout = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      writeSync(fd, chunk);
    });
    const code = await new Promise<number | null>((resolve) => proc.once("exit", (c) => resolve(c)));
    closeSync(fd);
    child = undefined;
    opts.out(describe(code, stdout));
  });
  return {
    stop() {
      job.stop();
      child?.kill("SIGTERM");
    },
  };
}

function describe(code: number | null, stdout: string): string {
  let s: RepairSummaryLine = {};
  try {
    s = JSON.parse(stdout) as RepairSummaryLine;
  } catch {
    // no JSON summary: the exit code says enough
  }
  const figures =
    s.setsCompared !== undefined
      ? `: ${s.setsCompared} sets compared, ${s.keysRepaired ?? 0} keys repaired in ${((s.durationMs ?? 0) / 1000).toFixed(1)}s`
      : "";
  return code === 0 ? `repair ok${figures}` : `repair failed (exit ${code})${figures}; see repair.log`;
}
