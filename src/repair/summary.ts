/**
 * What a repair run reports: printed (text, JSON or YAML), written to the Kubernetes termination
 * log for the operator, and sent to the nodes for their metrics.
 */
import type { RepairReport } from "../wire/anti-entropy.ts";
import type { PathTraffic } from "./node-client.ts";
import type { SetResult } from "./repair-set.ts";
import type { SkippedSet } from "./set-plan.ts";

/**
 * complete: every set compared. incomplete: some skipped (listed). locked: another run holds the
 * lock, nothing done. failed: the run could not start (no member reachable, bad input).
 */
export type RepairStatus = "complete" | "incomplete" | "locked" | "failed";

export interface MemberReport {
  id: string;
  url: string;
  reachable: boolean;
  error?: string;
}

export interface SetReport {
  set: string;
  outcome: SetResult["outcome"];
  keysCompared: number;
  keysRepaired: number;
  reason?: string;
}

export interface RepairSummary {
  status: RepairStatus;
  ok: boolean;
  mode: "tree" | "naive";
  holder: string;
  /** The member that granted the lock. */
  lockNode: string | null;
  /** With status locked: who holds the lock and since when. */
  lockedBy?: { node: string; holder: string; since: string };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  members: MemberReport[];
  setsTotal: number;
  setsCompared: number;
  setsClean: number;
  setsRepaired: number;
  setsSkipped: number;
  treeNodesCompared: number;
  segmentsCompared: number;
  keysCompared: number;
  keysRepaired: number;
  recordsSent: number;
  recordsApplied: number;
  tombstonesPurged: number;
  bytesSent: number;
  bytesReceived: number;
  requests: number;
  /** Traffic per endpoint (level, keys, records, apply, ...): where the bytes went. */
  traffic: Record<string, PathTraffic>;
  skipped: SkippedSet[];
  sets: SetReport[];
  error?: string;
}

export function exitCodeOf(summary: RepairSummary): number {
  return summary.ok || summary.status === "locked" ? 0 : 1;
}

export function reportOf(summary: RepairSummary): RepairReport {
  return {
    finishedAt: Date.parse(summary.finishedAt),
    ok: summary.ok,
    setsCompared: summary.setsCompared,
    setsSkipped: summary.setsSkipped,
    keysCompared: summary.keysCompared,
    keysRepaired: summary.keysRepaired,
    bytesSent: summary.bytesSent,
    durationMs: summary.durationMs,
  };
}

/** Kubernetes keeps at most 4096 bytes of a termination message. */
const TERMINATION_LIMIT = 4096;

/** The summary as one JSON document that fits the termination message: per-set detail goes first, then skipped sets. */
export function terminationMessage(summary: RepairSummary): string {
  const { sets: _sets, traffic: _traffic, ...rest } = summary;
  let text = JSON.stringify(rest);
  if (text.length <= TERMINATION_LIMIT) return text;
  for (let keep = summary.skipped.length - 1; keep >= 0; keep--) {
    text = JSON.stringify({
      ...rest,
      members: rest.members.filter((m) => !m.reachable),
      skipped: summary.skipped.slice(0, keep),
      skippedNotShown: summary.skipped.length - keep,
    });
    if (text.length <= TERMINATION_LIMIT) return text;
  }
  return text.slice(0, TERMINATION_LIMIT);
}

const count = (n: number) => n.toLocaleString("en-US");

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** One line per distinct reason, for stderr next to JSON/YAML output. */
export function skippedDigest(s: RepairSummary): string {
  const byReason = new Map<string, number>();
  for (const k of s.skipped) byReason.set(k.reason, (byReason.get(k.reason) ?? 0) + 1);
  return [...byReason].map(([reason, n]) => `${n} set${n === 1 ? "" : "s"}: ${reason}`).join("\n  ");
}

export function renderText(s: RepairSummary): string {
  if (s.status === "locked" && s.lockedBy) {
    return `another repair is running (holder ${s.lockedBy.holder}, since ${s.lockedBy.since}, lock on ${s.lockedBy.node}): nothing to do\n`;
  }
  if (s.status === "failed") return `repair failed: ${s.error ?? "unknown error"}\n`;
  const lines: string[] = [];
  const mode = s.mode === "naive" ? " (naive full comparison)" : "";
  lines.push(
    `repair ${s.status}${mode} in ${seconds(s.durationMs)}: ${s.setsCompared} of ${s.setsTotal} sets compared ` +
      `(${s.setsClean} clean, ${s.setsRepaired} repaired)${s.setsSkipped ? `, ${s.setsSkipped} skipped` : ""}`,
  );
  const rows: Array<[string, string]> = [
    ["tree nodes compared", count(s.treeNodesCompared)],
    ["segments compared", count(s.segmentsCompared)],
    ["keys compared", count(s.keysCompared)],
    [
      "keys repaired",
      `${count(s.keysRepaired)} (${count(s.recordsSent)} records sent, ${count(s.recordsApplied)} applied)`,
    ],
    ["tombstones purged", count(s.tombstonesPurged)],
    [
      "traffic",
      `${formatBytes(s.bytesSent)} sent, ${formatBytes(s.bytesReceived)} received in ${count(s.requests)} requests`,
    ],
  ];
  for (const [label, value] of rows) lines.push(`  ${label.padEnd(20)} ${value}`);
  const down = s.members.filter((m) => !m.reachable);
  if (down.length > 0) {
    lines.push("unreachable members:");
    for (const m of down) lines.push(`  ${m.error ?? `${m.id} (${m.url}): no answer`}`);
  }
  if (s.skipped.length > 0) {
    lines.push("skipped sets (run repair again once they are reachable):");
    for (const k of s.skipped) lines.push(`  ${k.set}: ${k.reason}`);
  }
  if (s.error) lines.push(`error: ${s.error}`);
  return `${lines.join("\n")}\n`;
}
