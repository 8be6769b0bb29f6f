/**
 * The last anti-entropy run, read from the repair Job and its pod's termination message (the JSON
 * summary `replistore repair` writes, see src/repair/summary.ts), and the
 * AntiEntropyHealthy condition. Pure, unit-tested.
 *
 * AntiEntropyHealthy:
 * - Unknown/Suspended when spec.antiEntropy.suspend is true (deliberate; as a paused Deployment);
 * - False/RepairFailed when the last run failed (incomplete, could not start, or the Job failed);
 * - False/RepairOverdue when no run succeeded within the overdue window: twice the longest interval
 *   of the schedule (read with croner, UTC, as the CronJob runs it) plus 10 minutes for the run
 *   itself, so one missed or slow run is tolerated and a second is not. Counted from the last success,
 *   or from the store's creation when none was seen;
 * - Unknown/NoRunYet before the first run while the window has not passed;
 * - True/RepairSucceeded otherwise.
 * A run that found another one holding the lock (`status: locked`) did nothing and is not counted.
 */
import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { Cron } from "croner";
import type { AntiEntropyRun } from "../../api/status.ts";
import type { ConditionInput } from "../status/conditions.ts";
import { kubeTime } from "../status/conditions.ts";

export type { AntiEntropyRun };

/** The termination message's fields this reads (the summary's other fields are ignored). */
interface SummaryFields {
  status?: unknown;
  ok?: unknown;
  startedAt?: unknown;
  finishedAt?: unknown;
  setsTotal?: unknown;
  setsCompared?: unknown;
  setsSkipped?: unknown;
  keysRepaired?: unknown;
  tombstonesPurged?: unknown;
  skipped?: unknown;
  skippedNotShown?: unknown;
  members?: unknown;
  error?: unknown;
}

const MESSAGE_LIMIT = 1_000;

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
}

function time(value: unknown): string | undefined {
  if (typeof value !== "string" && !(value instanceof Date)) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? kubeTime(new Date(ms)) : undefined;
}

function clip(text: string): string {
  return text.length <= MESSAGE_LIMIT ? text : `${text.slice(0, MESSAGE_LIMIT - 1)}…`;
}

/** One line for people from the summary: what was compared and repaired, or what was skipped and why. */
export function describeSummary(s: SummaryFields): string {
  const status = String(s.status ?? "unknown");
  if (status === "failed") return clip(`failed: ${String(s.error ?? "no member answered")}`);
  const compared = `${num(s.setsCompared) ?? "?"} of ${num(s.setsTotal) ?? "?"} owner sets compared`;
  const repaired = `${num(s.keysRepaired) ?? 0} keys repaired, ${num(s.tombstonesPurged) ?? 0} tombstones purged`;
  if (status === "complete") return `complete: ${compared}, ${repaired}`;
  const skipped = Array.isArray(s.skipped) ? (s.skipped as { set?: unknown; reason?: unknown }[]) : [];
  const reasons = [...new Set(skipped.map((k) => String(k.reason ?? "")).filter(Boolean))];
  const more = (num(s.skippedNotShown) ?? 0) > 0 ? ` (+${num(s.skippedNotShown)} not shown)` : "";
  const why = reasons.length > 0 ? `: ${reasons.join("; ")}` : "";
  return clip(
    `${status}: ${compared}, ${num(s.setsSkipped) ?? skipped.length} skipped${more}${why}; ${repaired}`,
  );
}

export type RunReading = AntiEntropyRun | "locked";

function finishedCondition(
  job: V1Job,
): { type: "Complete" | "Failed"; at?: string; reason?: string; message?: string } | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === "Complete" || c.type === "Failed") && c.status === "True") {
      return {
        type: c.type,
        ...(c.lastTransitionTime ? { at: kubeTime(new Date(c.lastTransitionTime)) } : {}),
        ...(c.reason ? { reason: c.reason } : {}),
        ...(c.message ? { message: c.message } : {}),
      };
    }
  }
  return undefined;
}

/** Finished (Complete or Failed): only those have a result to read. */
export function jobFinished(job: V1Job): boolean {
  return finishedCondition(job) !== undefined;
}

/** When the Job finished (for ordering), in ms; 0 when unknown. */
export function jobFinishedAt(job: V1Job): number {
  const at =
    job.status?.completionTime ?? finishedCondition(job)?.at ?? job.metadata?.creationTimestamp ?? undefined;
  return at ? new Date(at).getTime() : 0;
}

/** The repair container's terminated state in the Job's pods, newest first. */
function terminatedStates(pods: readonly V1Pod[], container: string) {
  return pods
    .flatMap((pod) =>
      (pod.status?.containerStatuses ?? [])
        .filter((c) => c.name === container && c.state?.terminated)
        .map((c) => c.state?.terminated),
    )
    .filter((t) => t !== undefined)
    .sort((a, b) => new Date(b.finishedAt ?? 0).getTime() - new Date(a.finishedAt ?? 0).getTime());
}

/**
 * The run a finished Job made, from its pods' termination message, or from the Job alone when no
 * pod left one (deleted, killed before writing it). "locked": the run found another one running.
 */
export function runFromJob(job: V1Job, pods: readonly V1Pod[], container: string): RunReading | undefined {
  const finished = finishedCondition(job);
  if (!finished) return undefined;
  const name = job.metadata?.name;
  const [terminated] = terminatedStates(pods, container);
  let summary: SummaryFields | undefined;
  if (terminated?.message) {
    try {
      const parsed = JSON.parse(terminated.message) as unknown;
      if (parsed && typeof parsed === "object") summary = parsed as SummaryFields;
    } catch {
      summary = undefined;
    }
  }
  if (summary?.status === "locked") return "locked";
  const startTime = time(summary?.startedAt) ?? time(job.status?.startTime);
  const completionTime =
    time(summary?.finishedAt) ??
    time(job.status?.completionTime) ??
    finished.at ??
    time(terminated?.finishedAt);
  const run: AntiEntropyRun = {
    ...(name ? { jobName: name } : {}),
    ...(startTime ? { startTime } : {}),
    ...(completionTime ? { completionTime } : {}),
  };
  if (summary) {
    run.result = summary.ok === true && finished.type === "Complete" ? "Succeeded" : "Failed";
    const keys = num(summary.keysRepaired);
    if (keys !== undefined) run.keysRepaired = keys;
    run.message = describeSummary(summary);
    return run;
  }
  run.result = finished.type === "Complete" ? "Succeeded" : "Failed";
  const why = [
    terminated
      ? `the repair container ended with exit code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ""}`
      : "no pod of the Job is left",
    finished.type === "Failed" && (finished.reason || finished.message)
      ? `the Job failed: ${[finished.reason, finished.message].filter(Boolean).join(": ")}`
      : undefined,
  ].filter(Boolean);
  run.message = clip(`no summary in the termination message; ${why.join("; ")}`);
  return run;
}

const longestIntervals = new Map<string, number | undefined>();

/** The longest gap between runs of a cron schedule (UTC), from its next 64 runs; undefined if croner cannot read it. */
export function longestIntervalMs(schedule: string): number | undefined {
  if (longestIntervals.has(schedule)) return longestIntervals.get(schedule);
  let longest: number | undefined;
  try {
    const runs = new Cron(schedule, { timezone: "Etc/UTC", paused: true }).nextRuns(64);
    for (let i = 1; i < runs.length; i++) {
      const gap = runs[i]!.getTime() - runs[i - 1]!.getTime();
      longest = Math.max(longest ?? 0, gap);
    }
  } catch {
    longest = undefined;
  }
  if (longestIntervals.size > 1_000) longestIntervals.clear();
  longestIntervals.set(schedule, longest);
  return longest;
}

/** A run's own time allowed on top of two intervals. */
const RUN_SLACK_MS = 10 * 60_000;
/** When the schedule cannot be read: a day. */
const FALLBACK_INTERVAL_MS = 24 * 3_600_000;

export function overdueAfterMs(schedule: string): number {
  return 2 * (longestIntervalMs(schedule) ?? FALLBACK_INTERVAL_MS) + RUN_SLACK_MS;
}

export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.round(minutes / 60);
  return hours < 72 ? `${hours}h` : `${Math.round(hours / 24)}d`;
}

export interface HealthInput {
  namespace: string;
  schedule: string;
  suspend: boolean;
  cronJobName: string;
  lastRun: AntiEntropyRun | undefined;
  /** The store's creationTimestamp (ms): the window for a first run counts from it. */
  createdAtMs: number;
  nowMs: number;
}

export interface HealthResult {
  condition: ConditionInput;
  /** Look again then: the window passes. */
  recheckAfterMs?: number;
}

export function antiEntropyHealth(input: HealthInput): HealthResult {
  const { namespace, cronJobName, lastRun } = input;
  const type = "AntiEntropyHealthy" as const;
  const runNow = `kubectl -n ${namespace} create job --from=cronjob/${cronJobName} ${cronJobName}-manual-$(date +%s)`;
  if (input.suspend) {
    return {
      condition: {
        type,
        status: "Unknown",
        reason: "Suspended",
        message: `spec.antiEntropy.suspend is true: no scheduled repair runs, so replicas converge only by read repair and hinted handoff and tombstones are not purged; run one by hand with ${runNow}`,
      },
    };
  }
  const window = overdueAfterMs(input.schedule);
  const rule = `the schedule "${input.schedule}" is overdue after ${formatDuration(window)} without a successful run`;
  const job = lastRun?.jobName ? `job ${lastRun.jobName}` : "the last repair job";
  if (lastRun?.result === "Failed") {
    return {
      condition: {
        type,
        status: "False",
        reason: "RepairFailed",
        message: `${job} (finished ${lastRun.completionTime ?? "?"}) failed: ${lastRun.message ?? "no summary"}; see kubectl -n ${namespace} logs job/${lastRun.jobName ?? cronJobName} and docs/runbooks/ReplistoreRepairFailing.md; the next scheduled run retries, or run one now with ${runNow}`,
      },
    };
  }
  const succeededAt =
    lastRun?.result === "Succeeded" && lastRun.completionTime
      ? Date.parse(lastRun.completionTime)
      : undefined;
  const since = succeededAt ?? input.createdAtMs;
  const left = since + window - input.nowMs;
  if (left <= 0) {
    const what =
      succeededAt !== undefined
        ? `no repair succeeded since ${lastRun?.completionTime} (${job})`
        : "no repair has succeeded since the store was created";
    return {
      condition: {
        type,
        status: "False",
        reason: "RepairOverdue",
        message: `${what}, and ${rule}: check kubectl -n ${namespace} get cronjob ${cronJobName} (LAST SCHEDULE, ACTIVE) and docs/runbooks/ReplistoreRepairStale.md; run one now with ${runNow}`,
      },
    };
  }
  if (succeededAt === undefined) {
    return {
      condition: {
        type,
        status: "Unknown",
        reason: "NoRunYet",
        message: `no repair has finished yet; ${rule}`,
      },
      recheckAfterMs: left,
    };
  }
  return {
    condition: {
      type,
      status: "True",
      reason: "RepairSucceeded",
      message: `${job} finished ${lastRun?.completionTime}: ${lastRun?.message ?? "succeeded"}`,
    },
    recheckAfterMs: left,
  };
}

/** ConflictsPending, from the count a node reported (undefined: not read yet). */
export function conflictsCondition(
  namespace: string,
  name: string,
  policy: "Review" | "Automatic",
  pending: number | undefined,
): ConditionInput {
  const type = "ConflictsPending" as const;
  if (pending === undefined) {
    return {
      type,
      status: "Unknown",
      reason: "NotObserved",
      message:
        "not read yet: the operator reads replistore_conflicts_pending from a ready node when one is ready, and again each resync period",
    };
  }
  if (pending > 0) {
    const n = pending === 1 ? "1 conflict waits" : `${pending} conflicts wait`;
    const automatic =
      policy === "Automatic" ? " (queued before the policy became Automatic; new ones are only counted)" : "";
    return {
      type,
      status: "True",
      reason: "ConflictsAwaitReview",
      message: `${n} for a person to decide which version stands${automatic}: kubectl replistore conflicts list ${name} -n ${namespace}, then kubectl replistore conflicts resolve ${name} <ID> -n ${namespace} --keep <VERSION> (or the operator's review page); see docs/runbooks/ReplistoreConflictsWaiting.md`,
    };
  }
  return {
    type,
    status: "False",
    reason: "NoConflicts",
    message:
      policy === "Automatic"
        ? "none pending: with policy Automatic, last write wins settles conflicts and they are only counted (replistore_conflicts_detected_total)"
        : "no conflict waits for review",
  };
}
