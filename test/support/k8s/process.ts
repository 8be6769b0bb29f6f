/**
 * One control-plane process (etcd, kube-apiserver, kube-controller-manager) with its output in a
 * log file. Test runs keep children attached and kill them if the test process exits; `npm run
 * k8s:up` detaches them so they outlive the command, and stops them later by pid.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { tailFile } from "../logs.ts";

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const attached = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of attached) child.kill("SIGKILL");
});

export class ControlPlaneProcess {
  readonly name: string;
  readonly logPath: string;
  readonly pid: number;
  /** Set once the process has exited. */
  exitStatus: ExitStatus | undefined;
  private readonly child: ChildProcess;
  private readonly exited: Promise<ExitStatus>;

  constructor(name: string, binary: string, args: string[], logPath: string, detached: boolean) {
    this.name = name;
    this.logPath = logPath;
    const fd = openSync(logPath, "a");
    try {
      this.child = spawn(binary, args, { stdio: ["ignore", fd, fd], detached });
    } finally {
      closeSync(fd);
    }
    if (this.child.pid === undefined) throw new Error(`${name}: could not start ${binary}`);
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        attached.delete(this.child);
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
    });
    if (detached) this.child.unref();
    else attached.add(this.child);
  }

  /** Throws, with the end of the log, if the process has died: a readiness wait stops early. */
  assertRunning(): void {
    if (this.exitStatus === undefined) return;
    const { code, signal } = this.exitStatus;
    throw new Error(
      `${this.name} exited (${signal ?? `code ${code}`}); last lines of ${this.logPath}:\n${tailFile(this.logPath, 30)}`,
    );
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exitStatus !== undefined) return;
    this.child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), graceMs);
    });
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (result === "timeout") {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }
}
