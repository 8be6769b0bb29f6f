/** Real processes and temp dirs for runtime tests: pid checks are only meaningful against real pids. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `replistore-${prefix}-`));
}

/** A process whose command line carries `args` (e.g. "up" or a node id), like the real ones. */
export function idleProcess(...args: string[]): ChildProcess {
  return spawn(process.execPath, ["-e", "setInterval(() => {}, 1e9)", ...args], { stdio: "ignore" });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

/** A pid that certainly belongs to no process any more. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  return child.pid ?? 999_999;
}
