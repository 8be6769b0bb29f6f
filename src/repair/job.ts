/**
 * One repair run over a whole store: take the lock, read every member's summary, repair each owner
 * set in turn, report to the nodes, give the lock back. Nothing is kept between runs, so a run that
 * died half-way is simply run again.
 */
import type { Member } from "../config/cluster-config.ts";
import { AE_REPORT } from "../wire/anti-entropy.ts";
import { LeaseKeeper, newHolder, tryLock } from "./lock.ts";
import { ANY_ANSWER, NodeCallError, NodeClient, Traffic } from "./node-client.ts";
import type { Progress } from "./progress.ts";
import { repairSet, type SetResult } from "./repair-set.ts";
import { planSets, type SkippedSet } from "./set-plan.ts";
import { collectSummaries, type MemberView } from "./summaries.ts";
import { type RepairSummary, reportOf } from "./summary.ts";
import type { RepairWire } from "./wire-credentials.ts";

export interface RepairOptions {
  members: readonly Member[];
  token: string | undefined;
  /** how to verify the nodes and be their peer (TLS material or the peer secret) */
  wire?: RepairWire;
  /** Wait for another run's lock instead of ending at once. */
  wait: boolean;
  /** Compare every key of every set instead of walking the trees (the bench's baseline). */
  naive: boolean;
  /** Per request. */
  timeoutMs: number;
  /** How long to wait for nodes still building trees or reading a new config. */
  readyTimeoutMs: number;
  progress: Progress;
  signal?: AbortSignal;
  /** Pause between lock attempts with `wait`. */
  lockPollMs?: number;
}

const REPORT_TIMEOUT_MS = 5_000;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

function blankSummary(holder: string, naive: boolean, started: number): RepairSummary {
  return {
    status: "failed",
    ok: false,
    mode: naive ? "naive" : "tree",
    holder,
    lockNode: null,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(started).toISOString(),
    durationMs: 0,
    members: [],
    setsTotal: 0,
    setsCompared: 0,
    setsClean: 0,
    setsRepaired: 0,
    setsSkipped: 0,
    treeNodesCompared: 0,
    segmentsCompared: 0,
    keysCompared: 0,
    keysRepaired: 0,
    recordsSent: 0,
    recordsApplied: 0,
    tombstonesPurged: 0,
    bytesSent: 0,
    bytesReceived: 0,
    requests: 0,
    traffic: {},
    skipped: [],
    sets: [],
  };
}

export async function runRepair(options: RepairOptions): Promise<RepairSummary> {
  const started = Date.now();
  const traffic = new Traffic();
  const holder = newHolder();
  const summary = blankSummary(holder, options.naive, started);
  const members: MemberView[] = options.members.map((m, ordinal) => ({
    ordinal,
    id: m.id,
    url: m.url,
    client: new NodeClient(m.id, m.url, options.token, traffic, options.timeoutMs, {
      peerUrl: m.peerUrl,
      ...(options.wire ? { wire: options.wire } : {}),
    }),
  }));
  const finish = (): RepairSummary => {
    const finished = Date.now();
    summary.finishedAt = new Date(finished).toISOString();
    summary.durationMs = finished - started;
    summary.bytesSent = traffic.bytesSent;
    summary.bytesReceived = traffic.bytesReceived;
    summary.requests = traffic.requests;
    summary.traffic = structuredClone(traffic.byEndpoint);
    return summary;
  };
  try {
    const clients = members.map((m) => m.client);
    let announced = false;
    for (;;) {
      const lock = await tryLock(clients, holder);
      if (lock.kind === "unreachable") {
        summary.members = members.map((m, i) => ({
          id: m.id,
          url: m.url,
          reachable: false,
          error: lock.reasons[i] ?? "no answer",
        }));
        summary.error = `no member of the store answered: ${lock.reasons.join("; ")}`;
        return finish();
      }
      if (lock.kind === "acquired") {
        summary.lockNode = lock.node;
        break;
      }
      const since = new Date(lock.sinceMs).toISOString();
      if (!options.wait || options.signal?.aborted) {
        summary.status = "locked";
        summary.lockedBy = { node: lock.node, holder: lock.holder, since };
        if (options.signal?.aborted) summary.error = "interrupted while waiting for the lock";
        return finish();
      }
      if (!announced) {
        options.progress.note(
          `another repair is running (holder ${lock.holder}, since ${since}): waiting for its lock on ${lock.node}`,
        );
        announced = true;
      }
      await sleep(options.lockPollMs ?? 2_000, options.signal);
    }

    const lockClient = members.find((m) => m.id === summary.lockNode)!.client;
    const keeper = new LeaseKeeper(lockClient, holder);
    let lost: string | undefined;
    keeper.start((reason) => {
      lost = reason;
    });
    try {
      await repairAll(options, members, summary, () => lost);
      finish();
      await reportToNodes(members, summary);
    } finally {
      await keeper.release();
    }
    return summary;
  } catch (err) {
    // A node refusing the job itself (bad token, wrong URL): nothing was compared.
    if (!(err instanceof NodeCallError)) throw err;
    summary.status = "failed";
    summary.ok = false;
    summary.error = err.message;
    return finish();
  } finally {
    await Promise.all(members.map((m) => m.client.close()));
  }
}

async function repairAll(
  options: RepairOptions,
  members: MemberView[],
  summary: RepairSummary,
  lostReason: () => string | undefined,
): Promise<void> {
  const { progress } = options;
  progress.update("reading tree summaries");
  await collectSummaries(members, options.readyTimeoutMs, (why) => progress.note(why));
  const { tasks, skipped } = planSets(members);
  const failed = new Map<string, string>();
  const stopReason = () =>
    lostReason() ?? (options.signal?.aborted ? "interrupted by a signal before this set" : undefined);
  const results: SetResult[] = [];
  const skippedSets: SkippedSet[] = [...skipped];
  for (const [i, task] of tasks.entries()) {
    const down = task.owners.find((o) => failed.has(o.id));
    if (down) {
      skippedSets.push({ set: task.id, owners: task.owners.map((o) => o.id), reason: failed.get(down.id)! });
      continue;
    }
    const label = `[${i + 1}/${tasks.length}] set ${task.id}`;
    progress.update(`${label}: comparing`);
    const result = await repairSet(task, {
      naive: options.naive,
      progress: (text) => progress.update(`${label}: ${text}`),
      stopReason,
    });
    results.push(result);
    if (result.outcome === "skipped") {
      skippedSets.push({ set: task.id, owners: result.owners, reason: result.reason ?? "failed" });
      if (result.unreachable) failed.set(result.unreachable, result.reason ?? `${result.unreachable} failed`);
      progress.line(`${label}: skipped (${result.reason})`);
    } else {
      const what = result.outcome === "clean" ? "in sync" : `repaired ${result.keysRepaired} keys`;
      progress.line(`${label}: ${what} (${result.keysCompared} keys compared, ${result.durationMs} ms)`);
    }
  }
  progress.clear();

  for (const r of results) {
    if (r.outcome === "skipped") continue;
    summary.setsCompared++;
    if (r.outcome === "clean") summary.setsClean++;
    else summary.setsRepaired++;
    summary.treeNodesCompared += r.nodesCompared;
    summary.segmentsCompared += r.segmentsCompared;
    summary.keysCompared += r.keysCompared;
    summary.keysRepaired += r.keysRepaired;
    summary.recordsSent += r.recordsSent;
    summary.recordsApplied += r.recordsApplied;
    summary.tombstonesPurged += r.tombstonesPurged;
  }
  summary.sets = results.map((r) => ({
    set: r.set,
    outcome: r.outcome,
    keysCompared: r.keysCompared,
    keysRepaired: r.keysRepaired,
    ...(r.reason ? { reason: r.reason } : {}),
  }));
  summary.skipped = skippedSets;
  summary.setsSkipped = skippedSets.length;
  summary.setsTotal = tasks.length + skipped.length;
  summary.members = members.map((m) => {
    const error = m.error ?? failed.get(m.id);
    return { id: m.id, url: m.url, reachable: error === undefined, ...(error ? { error } : {}) };
  });
  const lost = lostReason();
  if (lost) summary.error = lost;
  // A member that never answered may own sets nobody else listed: the run cannot call itself complete.
  const everyoneAnswered = summary.members.every((m) => m.reachable);
  summary.ok = summary.setsSkipped === 0 && everyoneAnswered && !lost;
  summary.status = summary.ok ? "complete" : "incomplete";
  if (!everyoneAnswered && summary.setsSkipped === 0 && !summary.error) {
    summary.error = "some members did not answer: sets only they hold could not be listed";
  }
}

/** Each reachable node keeps the figures of the last run it took part in, as metrics. */
async function reportToNodes(members: MemberView[], summary: RepairSummary): Promise<void> {
  const report = reportOf(summary);
  const reachable = new Set(summary.members.filter((m) => m.reachable).map((m) => m.id));
  await Promise.all(
    members
      .filter((m) => reachable.has(m.id))
      .map((m) =>
        m.client.post(AE_REPORT, report, ANY_ANSWER, { timeoutMs: REPORT_TIMEOUT_MS }).catch(() => undefined),
      ),
  );
}
