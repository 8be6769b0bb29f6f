/**
 * One supervised node process: spawned with its log file as stdout/stderr, restarted with backoff
 * when it exits unexpectedly, stopped with SIGTERM then SIGKILL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, closeSync, openSync } from "node:fs";
import { NODE_RUNTIME_FLAGS } from "../config/node-runtime-flags.ts";
import { restartDelay, STABLE_AFTER_MS } from "./backoff.ts";

export interface NodeLaunch {
  id: string;
  listen: string;
  dataDir: string;
  configPath: string;
  logPath: string;
  cliPath: string;
  env: NodeJS.ProcessEnv;
}

export interface NodeEvents {
  /** A new process is running (first start or restart). */
  spawned(id: string, pid: number, restart: boolean): void;
  /** The process exited on its own; it will be restarted after `restartInMs`. */
  crashed(id: string, how: string, restartInMs: number): void;
}

/** Written to the log before each start, so a reader can tell runs apart. */
export const START_MARKER = "replistore up: starting";

export function nodeArgs(launch: NodeLaunch): string[] {
  return [
    ...NODE_RUNTIME_FLAGS,
    launch.cliPath,
    "node",
    "--id",
    launch.id,
    "--listen",
    launch.listen,
    "--data",
    launch.dataDir,
    "--config",
    launch.configPath,
  ];
}

export class SupervisedNode {
  readonly launch: NodeLaunch;
  private readonly events: NodeEvents;
  private child: ChildProcess | undefined;
  private startedAt = 0;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(launch: NodeLaunch, events: NodeEvents) {
    this.launch = launch;
    this.events = events;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const restart = this.startedAt !== 0;
    this.startedAt = Date.now();
    const { logPath } = this.launch;
    appendFileSync(
      logPath,
      `--- ${new Date().toISOString()} replistore up: starting ${this.launch.id} ---\n`,
    );
    const log = openSync(logPath, "a");
    let child: ChildProcess;
    try {
      // Own process group: Ctrl-C reaches only `up`, which then stops the nodes in order.
      child = spawn(process.execPath, nodeArgs(this.launch), {
        stdio: ["ignore", log, log],
        env: this.launch.env,
        detached: true,
      });
    } finally {
      closeSync(log);
    }
    this.child = child;
    this.exited = new Promise((resolve) => {
      let done = false;
      const onEnd = (how: string) => {
        if (done) return;
        done = true;
        resolve();
        this.onEnd(how);
      };
      child.once("exit", (code, signal) => onEnd(signal ? `killed by ${signal}` : `exit code ${code}`));
      child.once("error", (err) => onEnd(`could not start: ${err.message}`));
    });
    if (child.pid !== undefined) this.events.spawned(this.launch.id, child.pid, restart);
  }

  private onEnd(how: string): void {
    this.child = undefined;
    if (this.stopping) return;
    if (Date.now() - this.startedAt >= STABLE_AFTER_MS) this.failures = 0;
    const wait = restartDelay(this.failures);
    this.failures += 1;
    this.events.crashed(this.launch.id, how, wait);
    this.restartTimer = setTimeout(() => {
      if (!this.stopping) this.start();
    }, wait);
  }

  /** SIGTERM, then SIGKILL if the node has not exited after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child === undefined) return;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(killer);
  }

  /** For a second Ctrl-C: no more waiting. */
  kill(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.child?.kill("SIGKILL");
  }
}
