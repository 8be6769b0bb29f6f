import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { NODE_RUNTIME_FLAGS } from "../../src/config/node-runtime-flags.ts";
import { send } from "./client.ts";
import { tailFile } from "./logs.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** the replistore CLI entry point; REPLISTORE_TEST_CLI points the harness at another one (debugging) */
export const CLI =
  process.env.REPLISTORE_TEST_CLI ?? fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

export interface NodeSpec {
  id: string;
  /** the port the node itself listens on */
  port: number;
  dataDir: string;
  configPath: string;
  logPath: string;
  env: Record<string, string>;
  /** PEM of the CA that signed the node's certificate: it serves HTTPS */
  ca?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Every node child of this process, so none outlives it. */
const everyChild = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of everyChild) child.kill("SIGKILL");
});

/** One replica node process: spawned with the real CLI, its output appended to a log file. */
export class NodeProcess {
  readonly spec: NodeSpec;
  private child: ChildProcess | undefined;
  private exit: Promise<ExitInfo> | undefined;
  private lastExit: ExitInfo | undefined;
  private stopped = false;

  constructor(spec: NodeSpec) {
    this.spec = spec;
  }

  get url(): string {
    return `${this.spec.ca === undefined ? "http" : "https"}://127.0.0.1:${this.spec.port}`;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.lastExit === undefined;
  }

  get suspended(): boolean {
    return this.stopped;
  }

  /** Spawns the node (does not wait for readiness). */
  spawn(): void {
    if (this.running) throw new Error(`${this.spec.id} is already running`);
    const fd = openSync(this.spec.logPath, "a");
    writeSync(
      fd,
      `\n===== ${new Date().toISOString()} starting ${this.spec.id} on port ${this.spec.port} =====\n`,
    );
    const args = [
      ...NODE_RUNTIME_FLAGS,
      // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the nodes of a test or bench
      ...(process.env.REPLISTORE_NODE_EXTRA_ARGS?.split(" ").filter(Boolean) ?? []),
      CLI,
      "node",
      "--id",
      this.spec.id,
      "--listen",
      `127.0.0.1:${this.spec.port}`,
      "--data",
      this.spec.dataDir,
      "--config",
      this.spec.configPath,
    ];
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.spec.env },
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    this.child = child;
    this.lastExit = undefined;
    this.stopped = false;
    everyChild.add(child);
    this.exit = new Promise<ExitInfo>((resolve) => {
      child.once("exit", (code, signal) => {
        everyChild.delete(child);
        this.lastExit = { code, signal };
        resolve(this.lastExit);
      });
    });
  }

  /** Polls /readyz until 200; throws with the log tail if the deadline passes or the process exits. */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "no answer yet";
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(
          `node ${this.spec.id} exited (${JSON.stringify(this.lastExit)}) before becoming ready\n${this.logTail()}`,
        );
      }
      try {
        const reply = await send(this.url, "GET", "/readyz", {
          timeoutMs: 2_000,
          ...(this.spec.ca !== undefined ? { ca: this.spec.ca } : {}),
        });
        if (reply.status === 200) return;
        last = `${reply.status} ${reply.text.slice(0, 200)}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(
      `node ${this.spec.id} not ready within ${timeoutMs} ms (last /readyz: ${last})\n${this.logTail()}`,
    );
  }

  /** Sends a signal and waits for the process to exit (SIGKILL = crash). */
  async kill(signal: NodeJS.Signals = "SIGKILL", timeoutMs = 30_000): Promise<ExitInfo> {
    const child = this.child;
    const exit = this.exit;
    if (!child || !exit || this.lastExit) return this.lastExit ?? { code: null, signal: null };
    if (this.stopped && signal !== "SIGKILL") this.resume();
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `node ${this.spec.id} did not exit within ${timeoutMs} ms of ${signal}\n${this.logTail()}`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([exit, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM (graceful shutdown) and the exit code. */
  stop(timeoutMs = 30_000): Promise<ExitInfo> {
    return this.kill("SIGTERM", timeoutMs);
  }

  /** SIGSTOP: the process hangs, its sockets stay open. */
  suspend(): void {
    if (!this.running) throw new Error(`${this.spec.id} is not running`);
    this.child?.kill("SIGSTOP");
    this.stopped = true;
  }

  resume(): void {
    if (!this.running) return;
    this.child?.kill("SIGCONT");
    this.stopped = false;
  }

  /** The exit of the current process (resolves when it ends). */
  exited(): Promise<ExitInfo> {
    return this.exit ?? Promise.resolve({ code: null, signal: null });
  }

  logTail(lines = 40): string {
    return `----- ${this.spec.id} (${this.spec.logPath}), last ${lines} lines -----\n${tailFile(this.spec.logPath, lines)}`;
  }
}
