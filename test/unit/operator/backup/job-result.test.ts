import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parseResult, readJob } from "../../../../src/operator/backup/job-result.ts";

const OK = { status: "completed", id: "b1", destination: "file:///b/", keys: 3, bytes: 10 };

function job(condition?: "Complete" | "Failed", reason?: string): V1Job {
  return {
    metadata: { name: "b1", uid: "j1" },
    status: {
      startTime: new Date("2026-12-06T22:00:00Z"),
      ...(condition
        ? { conditions: [{ type: condition, status: "True", ...(reason ? { reason } : {}) }] }
        : {}),
    },
  };
}

function pod(message: string | undefined): V1Pod {
  return {
    status: {
      containerStatuses: [
        {
          name: "backup",
          image: "x",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: {
            terminated: {
              exitCode: 0,
              ...(message !== undefined ? { message } : {}),
              finishedAt: new Date("2026-12-06T22:01:00Z"),
            },
          },
        },
      ],
    },
  };
}

describe("parseResult", () => {
  it("accepts a backup result about this backup", () => {
    expect(parseResult(JSON.stringify(OK), "b1")).toEqual(OK);
  });

  it("refuses what is not one, or is about another backup", () => {
    expect(parseResult(undefined, "b1")).toBe("its pod left no termination message");
    expect(parseResult("panic: oops", "b1")).toContain("is not JSON");
    expect(parseResult(JSON.stringify({ ...OK, keys: -1 }), "b1")).toContain("is not a backup result (/keys");
    expect(parseResult(JSON.stringify({ ...OK, status: "maybe" }), "b1")).toContain("is not a backup result");
    expect(parseResult(JSON.stringify(OK), "b2")).toBe("its termination message is about backup b1, not b2");
  });
});

describe("readJob", () => {
  it("running until the Job has a Complete or Failed condition", () => {
    expect(readJob(job(), [], "backup", "b1").state).toBe("running");
  });

  it("finished with the pod's result", () => {
    const reading = readJob(job("Complete"), [pod(JSON.stringify(OK))], "backup", "b1");
    expect(reading).toMatchObject({ state: "finished", result: OK });
  });

  it("unreadable, with the Job's reason, when the pod left nothing usable", () => {
    const reading = readJob(job("Failed", "DeadlineExceeded"), [pod(undefined)], "backup", "b1");
    expect(reading).toMatchObject({
      state: "unreadable",
      reason: "the Job failed (DeadlineExceeded) and its pod left no termination message",
    });
    expect(readJob(job("Complete"), [], "backup", "b1")).toMatchObject({
      state: "unreadable",
      reason: "the Job completed but its pod left no termination message",
    });
  });
});
