/**
 * Runs load phases in the Go load generator (hack/loadgen), which speaks the same phase protocol
 * as loadgen.ts over its stdin and stdout (one JSON line each way). Built, and cached, by
 * hack/loadgen/build.sh on first use.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { LoadRunner } from "./phase-runner.ts";
import type { PhaseRequest, PhaseResult } from "./protocol.ts";

/** Builds the Go load generator if needed (progress on stderr); its path. */
export function goLoadgenBinary(): string {
  const script = fileURLToPath(new URL("../../hack/loadgen/build.sh", import.meta.url));
  const out = execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const lines = out.trim().split("\n");
  for (const line of lines.slice(0, -1)) process.stderr.write(`${line}\n`);
  return lines.at(-1) ?? "";
}

export class GoPhaseRunner implements LoadRunner {
  private readonly child: ChildProcess;
  private readonly lines: Interface;

  constructor(binary: string) {
    this.child = spawn(binary, [], { stdio: ["pipe", "pipe", "inherit"] });
    if (!this.child.stdout) throw new Error("the Go load generator has no stdout");
    this.lines = createInterface({ input: this.child.stdout });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  run(request: Omit<PhaseRequest, "kind">): Promise<PhaseResult> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`the Go load generator exited (${code}) during ${request.phase}`));
      this.child.once("exit", onExit);
      this.lines.once("line", (line: string) => {
        this.child.off("exit", onExit);
        resolve(JSON.parse(line) as PhaseResult);
      });
      this.child.stdin?.write(`${JSON.stringify({ kind: "phase", ...request })}\n`);
    });
  }

  exit(): void {
    this.child.stdin?.end();
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }
}
