/** Runs load phases in the separate load-generator process (loadgen.ts) for a bench script. */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { PhaseRequest, PhaseResult } from "./protocol.ts";

/** A load generator process that runs phases one after another (loadgen.ts, or the Go one). */
export interface LoadRunner {
  readonly pid: number;
  run(request: Omit<PhaseRequest, "kind">): Promise<PhaseResult>;
  /** ends the process once its phases are done */
  exit(): void;
  kill(): void;
}

export class PhaseRunner implements LoadRunner {
  private readonly loadgen: ChildProcess;

  constructor() {
    this.loadgen = fork(fileURLToPath(new URL("./loadgen.ts", import.meta.url)), [], {
      execArgv: ["--disable-warning=ExperimentalWarning"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
  }

  get pid(): number {
    return this.loadgen.pid ?? 0;
  }

  run(request: Omit<PhaseRequest, "kind">): Promise<PhaseResult> {
    const { loadgen } = this;
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`load generator exited (${code}) during ${request.phase}`));
      loadgen.once("exit", onExit);
      loadgen.once("message", (result: PhaseResult) => {
        loadgen.off("exit", onExit);
        resolve(result);
      });
      loadgen.send({ kind: "phase", ...request } satisfies PhaseRequest);
    });
  }

  exit(): void {
    this.loadgen.send({ kind: "exit" });
  }

  kill(): void {
    this.loadgen.kill("SIGKILL");
  }
}

export const fixed = (n: number, digits = 2) => n.toFixed(digits);

export function phaseRow(r: PhaseResult, label: string = r.phase): string {
  return `${label.padEnd(8)} ${fixed(r.opsPerSec, 0).padStart(9)} ops/s  p50 ${fixed(r.p50Ms).padStart(7)} ms  p90 ${fixed(r.p90Ms).padStart(7)} ms  p99 ${fixed(r.p99Ms).padStart(7)} ms  max ${fixed(r.maxMs).padStart(8)} ms  ops ${r.ops}  errors ${r.errors}`;
}
