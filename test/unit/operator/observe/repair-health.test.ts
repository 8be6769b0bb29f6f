import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parsePendingGauge } from "../../../../src/operator/observe/conflict-probes.ts";
import {
  antiEntropyHealth,
  conflictsCondition,
  describeSummary,
  type HealthInput,
  longestIntervalMs,
  overdueAfterMs,
  runFromJob,
} from "../../../../src/operator/observe/repair-health.ts";
import { transitionEvents } from "../../../../src/operator/status/events.ts";
import { computeStatus } from "../../../../src/operator/status/store-status.ts";
import { terminationMessage } from "../../../../src/repair/summary.ts";
import { store } from "../../builders/fixtures.ts";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const MIN = 60_000;

function summary(overrides: Record<string, unknown> = {}) {
  return {
    status: "complete",
    ok: true,
    mode: "tree",
    holder: "h",
    lockNode: "orders-0",
    startedAt: "2025-06-01T11:45:00.120Z",
    finishedAt: "2025-06-01T11:45:02.900Z",
    durationMs: 2780,
    members: [{ id: "orders-0", url: "http://orders-0", reachable: true }],
    setsTotal: 1,
    setsCompared: 1,
    setsClean: 0,
    setsRepaired: 1,
    setsSkipped: 0,
    treeNodesCompared: 10,
    segmentsCompared: 2,
    keysCompared: 40,
    keysRepaired: 12,
    recordsSent: 24,
    recordsApplied: 24,
    tombstonesPurged: 3,
    bytesSent: 1,
    bytesReceived: 1,
    requests: 5,
    traffic: {},
    skipped: [],
    sets: [],
    ...overrides,
  };
}

function job(condition: "Complete" | "Failed" | undefined, name = "orders-repair-29145645"): V1Job {
  return {
    metadata: { name, uid: "u1", namespace: "shop" },
    status: {
      startTime: new Date("2025-06-01T11:45:00Z"),
      ...(condition === "Complete" ? { completionTime: new Date("2025-06-01T11:45:03Z") } : {}),
      conditions: condition
        ? [
            {
              type: condition,
              status: "True",
              lastTransitionTime: new Date("2025-06-01T11:45:03Z"),
              ...(condition === "Failed"
                ? { reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }
                : {}),
            },
          ]
        : [],
    },
  };
}

function pod(message: string | undefined, exitCode = 0): V1Pod {
  return {
    metadata: { name: "orders-repair-29145645-abcde" },
    status: {
      containerStatuses: [
        {
          name: "repair",
          image: "i",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: {
            terminated: {
              exitCode,
              reason: exitCode === 0 ? "Completed" : "Error",
              finishedAt: new Date("2025-06-01T11:45:03Z"),
              ...(message !== undefined ? { message } : {}),
            },
          },
        },
      ],
    },
  };
}

describe("runFromJob", () => {
  it("a complete run: its times, keys repaired and a one-line summary from the termination message", () => {
    const run = runFromJob(job("Complete"), [pod(terminationMessage(summary() as never))], "repair");
    expect(run).toEqual({
      jobName: "orders-repair-29145645",
      startTime: "2025-06-01T11:45:00Z",
      completionTime: "2025-06-01T11:45:02Z",
      result: "Succeeded",
      keysRepaired: 12,
      message: "complete: 1 of 1 owner sets compared, 12 keys repaired, 3 tombstones purged",
    });
  });

  it("an incomplete run failed, with the skipped sets' reasons", () => {
    const skipped = [
      {
        set: "orders-0,orders-1,orders-2",
        owners: [],
        reason: "orders-2: unreachable at http://x (refused)",
      },
    ];
    const message = terminationMessage(
      summary({
        status: "incomplete",
        ok: false,
        setsCompared: 0,
        setsSkipped: 1,
        skipped,
        keysRepaired: 0,
      }) as never,
    );
    const run = runFromJob(job("Failed"), [pod(message, 1)], "repair");
    expect(run).toMatchObject({
      result: "Failed",
      keysRepaired: 0,
      message:
        "incomplete: 0 of 1 owner sets compared, 1 skipped: orders-2: unreachable at http://x (refused); 0 keys repaired, 3 tombstones purged",
    });
  });

  it("a run that could not start says why", () => {
    const message = JSON.stringify({ status: "failed", ok: false, error: "no member answered" });
    expect(runFromJob(job("Failed"), [pod(message, 1)], "repair")).toMatchObject({
      result: "Failed",
      message: "failed: no member answered",
    });
  });

  it("a run that found the lock taken is not a run", () => {
    const message = terminationMessage(summary({ status: "locked", ok: false }) as never);
    expect(runFromJob(job("Complete"), [pod(message)], "repair")).toBe("locked");
  });

  it("without a termination message, the Job and the container say what happened", () => {
    const run = runFromJob(job("Failed"), [pod(undefined, 137)], "repair");
    expect(run).toMatchObject({
      result: "Failed",
      completionTime: "2025-06-01T11:45:03Z",
      message:
        "no summary in the termination message; the repair container ended with exit code 137 (Error); the Job failed: BackoffLimitExceeded: Job has reached the specified backoff limit",
    });
    expect(runFromJob(job("Failed"), [], "repair")).toMatchObject({
      message: expect.stringContaining("no pod of the Job is left"),
    });
  });

  it("a Job still running has no result yet", () => {
    expect(runFromJob(job(undefined), [], "repair")).toBeUndefined();
  });

  it("clips a long summary", () => {
    const skipped = Array.from({ length: 40 }, (_, i) => ({
      set: `s${i}`,
      owners: [],
      reason: `reason ${i} `.repeat(5),
    }));
    const text = describeSummary(summary({ status: "incomplete", ok: false, skipped }));
    expect(text.length).toBeLessThanOrEqual(1000);
    expect(text.endsWith("…")).toBe(true);
  });
});

describe("the overdue window", () => {
  it("is twice the schedule's longest interval plus 10 minutes", () => {
    expect(longestIntervalMs("*/15 * * * *")).toBe(15 * MIN);
    expect(overdueAfterMs("*/15 * * * *")).toBe(40 * MIN);
    expect(overdueAfterMs("@daily")).toBe(48 * 60 * MIN + 10 * MIN);
    // weekdays only: the weekend gap counts
    expect(longestIntervalMs("0 9 * * 1-5")).toBe(3 * 24 * 60 * MIN);
  });
});

describe("antiEntropyHealth", () => {
  const base: HealthInput = {
    namespace: "shop",
    schedule: "*/15 * * * *",
    suspend: false,
    cronJobName: "orders-repair",
    lastRun: undefined,
    createdAtMs: NOW - 5 * MIN,
    nowMs: NOW,
  };
  const succeeded = (minutesAgo: number) => ({
    jobName: "orders-repair-1",
    result: "Succeeded" as const,
    completionTime: new Date(NOW - minutesAgo * MIN).toISOString().replace(/\.\d{3}Z$/, "Z"),
    message: "complete: 1 of 1 owner sets compared, 0 keys repaired, 0 tombstones purged",
  });

  it("Unknown before the first run, until the window passes; then overdue", () => {
    const early = antiEntropyHealth(base);
    expect(early.condition).toMatchObject({ status: "Unknown", reason: "NoRunYet" });
    expect(early.recheckAfterMs).toBe(35 * MIN);
    const late = antiEntropyHealth({ ...base, createdAtMs: NOW - 41 * MIN });
    expect(late.condition).toMatchObject({ status: "False", reason: "RepairOverdue" });
    expect(late.condition.message).toContain("no repair has succeeded since the store was created");
    expect(late.condition.message).toContain("kubectl -n shop create job --from=cronjob/orders-repair");
  });

  it("True after a recent success, looking again when it would become overdue", () => {
    const result = antiEntropyHealth({ ...base, lastRun: succeeded(10) });
    expect(result.condition).toMatchObject({ status: "True", reason: "RepairSucceeded" });
    expect(result.condition.message).toContain("job orders-repair-1 finished");
    expect(result.recheckAfterMs).toBe(30 * MIN);
  });

  it("False when the last success is older than the window", () => {
    const result = antiEntropyHealth({ ...base, lastRun: succeeded(45) });
    expect(result.condition).toMatchObject({ status: "False", reason: "RepairOverdue" });
    expect(result.condition.message).toContain('the schedule "*/15 * * * *" is overdue after 40m');
  });

  it("False at once when the last run failed, with its summary and what to run", () => {
    const result = antiEntropyHealth({
      ...base,
      lastRun: {
        jobName: "orders-repair-2",
        result: "Failed",
        completionTime: "2025-06-01T11:59:00Z",
        message: "failed: x",
      },
    });
    expect(result.condition).toMatchObject({ status: "False", reason: "RepairFailed" });
    expect(result.condition.message).toContain(
      "job orders-repair-2 (finished 2025-06-01T11:59:00Z) failed: failed: x",
    );
    expect(result.condition.message).toContain("kubectl -n shop logs job/orders-repair-2");
  });

  it("Unknown while suspended", () => {
    expect(antiEntropyHealth({ ...base, suspend: true, lastRun: succeeded(500) }).condition).toMatchObject({
      status: "Unknown",
      reason: "Suspended",
    });
  });
});

describe("conflictsCondition", () => {
  it("True with the count and the commands to run", () => {
    const c = conflictsCondition("shop", "orders", "Review", 3);
    expect(c).toMatchObject({ status: "True", reason: "ConflictsAwaitReview" });
    expect(c.message).toContain("3 conflicts wait");
    expect(c.message).toContain("kubectl replistore conflicts list orders -n shop");
    expect(conflictsCondition("shop", "orders", "Review", 1).message).toMatch(/^1 conflict waits/);
  });

  it("False when none are pending; Unknown before a node was read", () => {
    expect(conflictsCondition("shop", "orders", "Review", 0)).toMatchObject({
      status: "False",
      reason: "NoConflicts",
    });
    expect(conflictsCondition("shop", "orders", "Automatic", 0).message).toContain("policy Automatic");
    expect(conflictsCondition("shop", "orders", "Review", undefined)).toMatchObject({
      status: "Unknown",
      reason: "NotObserved",
    });
  });
});

describe("parsePendingGauge", () => {
  it("reads replistore_conflicts_pending from Prometheus text", () => {
    const text = [
      "# HELP replistore_conflicts_pending Conflict records waiting for a decision",
      "# TYPE replistore_conflicts_pending gauge",
      "replistore_conflicts_pending 7",
      "replistore_conflicts_pending_other 1",
    ].join("\n");
    expect(parsePendingGauge(text)).toBe(7);
    expect(parsePendingGauge('replistore_conflicts_pending{node="a"} 2\n')).toBe(2);
    expect(parsePendingGauge("nothing here")).toBeUndefined();
  });
});

describe("computeStatus with observations", () => {
  it("adds the observed conditions and fields, and a Progressing override", () => {
    const { status, transitions } = computeStatus({
      name: "orders",
      spec: store({ replicas: 3 }).spec,
      generation: 2,
      statefulSet: {
        generation: 1,
        observedGeneration: 1,
        replicas: 4,
        readyReplicas: 4,
        updatedReplicas: 4,
      },
      previous: undefined,
      problems: [],
      notes: [],
      now: new Date(NOW),
      progressing: { type: "Progressing", status: "True", reason: "Draining", message: "draining orders-3" },
      observed: {
        conditions: [conflictsCondition("shop", "orders", "Review", 2)],
        conflictsPending: 2,
        lastAntiEntropy: { jobName: "orders-repair-1", result: "Succeeded" },
      },
    });
    expect(status.conflictsPending).toBe(2);
    expect(status.lastAntiEntropy).toEqual({ jobName: "orders-repair-1", result: "Succeeded" });
    expect(status.conditions?.find((c) => c.type === "Progressing")).toMatchObject({ reason: "Draining" });
    expect(status.conditions?.find((c) => c.type === "Ready")).toMatchObject({
      status: "False",
      reason: "Draining",
    });
    expect(status.conditions?.find((c) => c.type === "ConflictsPending")).toMatchObject({ status: "True" });
    expect(transitions.map((t) => t.type)).toContain("ConflictsPending");
  });
});

describe("events for the new conditions", () => {
  const to = (type: string, status: "True" | "False" | "Unknown", reason: string) => ({
    type: type as "Progressing",
    status,
    reason,
    message: `${type} ${reason}`,
  });

  it("Warnings when conflicts wait or repair is unhealthy; Normal when they clear; one when a drain starts", () => {
    const events = transitionEvents([
      { type: "ConflictsPending", from: "False", to: to("ConflictsPending", "True", "ConflictsAwaitReview") },
      { type: "AntiEntropyHealthy", from: "True", to: to("AntiEntropyHealthy", "False", "RepairFailed") },
      { type: "Progressing", from: "False", to: to("Progressing", "True", "Draining") },
    ]);
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ["Warning", "ConflictsPending"],
      ["Warning", "RepairFailed"],
      ["Normal", "Draining"],
    ]);
    const cleared = transitionEvents([
      { type: "ConflictsPending", from: "True", to: to("ConflictsPending", "False", "NoConflicts") },
      { type: "AntiEntropyHealthy", from: "False", to: to("AntiEntropyHealthy", "True", "RepairSucceeded") },
    ]);
    expect(cleared.map((e) => [e.type, e.reason])).toEqual([
      ["Normal", "ConflictsResolved"],
      ["Normal", "AntiEntropyHealthy"],
    ]);
  });

  it("nothing for a first reading that finds all well", () => {
    expect(
      transitionEvents([
        { type: "ConflictsPending", from: "Unknown", to: to("ConflictsPending", "False", "NoConflicts") },
        {
          type: "AntiEntropyHealthy",
          from: "Unknown",
          to: to("AntiEntropyHealthy", "True", "RepairSucceeded"),
        },
      ]),
    ).toEqual([]);
  });
});
