/** The repair summary's termination message (Kubernetes keeps 4096 bytes) and its default path. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RepairSummary, renderText, terminationMessage } from "../../../src/repair/summary.ts";
import { defaultTerminationLog } from "../../../src/repair/termination-log.ts";

function summary(skipped: number): RepairSummary {
  return {
    status: skipped > 0 ? "incomplete" : "complete",
    ok: skipped === 0,
    mode: "tree",
    holder: "h/1/ab",
    lockNode: "s-0",
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:00:01.000Z",
    durationMs: 1000,
    members: [{ id: "s-0", url: "http://s-0:7070", reachable: true }],
    setsTotal: skipped + 1,
    setsCompared: 1,
    setsClean: 1,
    setsRepaired: 0,
    setsSkipped: skipped,
    treeNodesCompared: 0,
    segmentsCompared: 0,
    keysCompared: 0,
    keysRepaired: 0,
    recordsSent: 0,
    recordsApplied: 0,
    tombstonesPurged: 0,
    bytesSent: 10,
    bytesReceived: 20,
    requests: 3,
    traffic: { summary: { bytesSent: 0, bytesReceived: 20, requests: 1 } },
    skipped: Array.from({ length: skipped }, (_, i) => ({
      set: `s-${i},s-${i + 1},s-${i + 2}`,
      owners: [`s-${i}`, `s-${i + 1}`, `s-${i + 2}`],
      reason: `s-${i + 2} unreachable at http://s-${i + 2}:7070 (connection refused; GET /internal/v1/ae/summary)`,
    })),
    sets: [{ set: "a,b,c", outcome: "clean", keysCompared: 0, keysRepaired: 0 }],
  };
}

describe("terminationMessage", () => {
  it("is the summary's JSON without the per-set and per-endpoint detail", () => {
    const parsed = JSON.parse(terminationMessage(summary(2)));
    expect(parsed.sets).toBeUndefined();
    expect(parsed.traffic).toBeUndefined();
    expect(parsed.skipped).toHaveLength(2);
    expect(parsed.status).toBe("incomplete");
  });

  it("drops the tail of a long skipped list to stay within 4096 bytes, and says how many", () => {
    const text = terminationMessage(summary(200));
    expect(text.length).toBeLessThanOrEqual(4096);
    const parsed = JSON.parse(text);
    expect(parsed.setsSkipped).toBe(200);
    expect(parsed.skipped.length + parsed.skippedNotShown).toBe(200);
  });
});

describe("renderText", () => {
  it("lists every skipped set and why", () => {
    const text = renderText(summary(2));
    expect(text).toMatch(
      /^repair incomplete in 1\.00 s: 1 of 3 sets compared \(1 clean, 0 repaired\), 2 skipped/,
    );
    expect(text).toContain("s-0,s-1,s-2: s-2 unreachable");
    expect(text).toContain("s-1,s-2,s-3: s-3 unreachable");
  });
});

describe("defaultTerminationLog", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("is the path the kubelet created, or a writable directory inside Kubernetes, else none", () => {
    dir = mkdtempSync(join(tmpdir(), "termlog-"));
    const path = join(dir, "termination-log");
    expect(defaultTerminationLog(path, {})).toBeUndefined();
    expect(defaultTerminationLog(path, { KUBERNETES_SERVICE_HOST: "10.0.0.1" })).toBe(path);
    writeFileSync(path, "");
    expect(defaultTerminationLog(path, {})).toBe(path);
    expect(
      defaultTerminationLog(join(dir, "missing", "log"), { KUBERNETES_SERVICE_HOST: "x" }),
    ).toBeUndefined();
  });
});
