/**
 * What a backup Job says: still running, or finished with the result its pod left as the
 * termination message (src/backup/result.ts). The message is checked against the BackupResult
 * schema and against the backup it should be about: a message is data from a container, and a
 * status built from a wrong one would offer a backup that is not there. Pure, unit-tested.
 */
import type { V1Job, V1Pod } from "@kubernetes/client-node";
import Value from "typebox/value";
import { BackupResult } from "../../backup/result.ts";

export type JobReading =
  | { state: "running"; startedAt?: Date }
  | { state: "finished"; result: BackupResult; startedAt?: Date; finishedAt?: Date }
  /** Finished without a usable result: why, for people. */
  | { state: "unreadable"; reason: string; startedAt?: Date; finishedAt?: Date };

function finishedCondition(
  job: V1Job,
): { type: "Complete" | "Failed"; reason?: string; message?: string } | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === "Complete" || c.type === "Failed") && c.status === "True") {
      return {
        type: c.type,
        ...(c.reason ? { reason: c.reason } : {}),
        ...(c.message ? { message: c.message } : {}),
      };
    }
  }
  return undefined;
}

/** The container's newest terminated state among the Job's pods. */
function terminated(pods: readonly V1Pod[], container: string) {
  return pods
    .flatMap((pod) => (pod.status?.containerStatuses ?? []).filter((c) => c.name === container))
    .map((c) => c.state?.terminated)
    .filter((t) => t !== undefined)
    .sort((a, b) => new Date(b.finishedAt ?? 0).getTime() - new Date(a.finishedAt ?? 0).getTime())[0];
}

/** The termination message as a BackupResult for backup `id`, or why it is not one. */
export function parseResult(message: string | undefined, id: string): BackupResult | string {
  if (!message?.trim()) return "its pod left no termination message";
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return `its termination message is not JSON: ${message.slice(0, 200)}`;
  }
  if (!Value.Check(BackupResult, json)) {
    const first = Value.Errors(BackupResult, json)[0];
    return `its termination message is not a backup result (${first ? `${first.instancePath || "/"} ${first.message}` : "schema"})`;
  }
  if (json.id !== id) return `its termination message is about backup ${json.id}, not ${id}`;
  return json;
}

export function readJob(job: V1Job, pods: readonly V1Pod[], container: string, id: string): JobReading {
  const startedAt = job.status?.startTime ? new Date(job.status.startTime) : undefined;
  const times = startedAt ? { startedAt } : {};
  const done = finishedCondition(job);
  if (!done) return { state: "running", ...times };
  const state = terminated(pods, container);
  const finishedAt = state?.finishedAt
    ? new Date(state.finishedAt)
    : job.status?.completionTime
      ? new Date(job.status.completionTime)
      : undefined;
  const ended = { ...times, ...(finishedAt ? { finishedAt } : {}) };
  const result = parseResult(state?.message, id);
  if (typeof result !== "string") return { state: "finished", result, ...ended };
  const why =
    done.type === "Failed"
      ? `the Job failed (${[done.reason, done.message].filter(Boolean).join(": ") || "no reason given"}) and ${result}`
      : `the Job completed but ${result}`;
  return { state: "unreadable", reason: why, ...ended };
}
