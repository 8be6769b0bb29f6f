import { type ChildProcess, spawn } from "node:child_process";
import { CLI, REPO_ROOT } from "./node-process.ts";

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns the real `replistore` CLI (src/cli/main.ts on this Node). */
export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["--disable-warning=ExperimentalWarning", CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** The CLI running in the background, its output collected as it comes. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr interleaved, as they came */
  output(): string;
  /** the exit code (null after a signal) */
  exited: Promise<number | null>;
}

/** Starts the CLI and collects its output (see runCli to wait for it). */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawnCli(args, env);
  let stdout = "";
  let stderr = "";
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, output: () => output, exited };
}

/** Runs the CLI to completion (killed after `timeoutMs`). */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  const run = startCli(args, options.env);
  return new Promise((resolve) => {
    const timer = setTimeout(() => run.child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    run.child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: run.stdout(), stderr: run.stderr() });
    });
  });
}
