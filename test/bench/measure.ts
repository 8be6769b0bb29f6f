/** One load phase measured from outside: the load generator's figures and what the servers spent on it. */
import type { LoadRunner } from "./phase-runner.ts";
import { cpuSecondsOf, machineTicks } from "./proc-stats.ts";
import type { PhaseRequest, PhaseResult } from "./protocol.ts";

/** The members a phase runs against: their URLs, CA and process ids (whose CPU is counted). */
export interface Target {
  urls: string[];
  ca?: string;
  pids: number[];
}

export interface Measured {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  errors: number;
  /** CPU milliseconds of all members together per 1,000 successful operations */
  cpuMsPer1000: number;
  /** the whole machine's busy share during the phase, 0..100 (the load generator included) */
  machineBusyPct: number;
}

export async function measure(
  runner: LoadRunner,
  target: Target,
  request: Omit<PhaseRequest, "kind" | "urls" | "ca">,
): Promise<{ result: PhaseResult; measured: Measured }> {
  const cpuBefore = target.pids.map((pid) => cpuSecondsOf(pid) ?? 0);
  const machineBefore = machineTicks();
  const result = await runner.run({
    ...request,
    urls: target.urls,
    ...(target.ca ? { ca: target.ca } : {}),
  });
  const machineAfter = machineTicks();
  const cpuSeconds = target.pids.reduce(
    (sum, pid, i) => sum + (cpuSecondsOf(pid) ?? 0) - (cpuBefore[i] ?? 0),
    0,
  );
  const total = machineAfter.total - machineBefore.total;
  return {
    result,
    measured: {
      opsPerSec: result.opsPerSec,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      p999Ms: result.p999Ms,
      errors: result.errors,
      cpuMsPer1000: result.ops > 0 ? (cpuSeconds * 1000 * 1000) / result.ops : 0,
      machineBusyPct: total > 0 ? ((machineAfter.busy - machineBefore.busy) / total) * 100 : 0,
    },
  };
}
