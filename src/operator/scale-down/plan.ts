/**
 * Scale-down with drain, as the operator decides it (pure, unit-tested; the I/O is in
 * scale-down/run.ts). Lowering spec.replicas from S to T removes pods T..S-1, and with them
 * the only local copies of some keys. So, as docs/anti-entropy.md prescribes:
 *
 * 1. drain: the StatefulSet keeps S pods and the config keeps its members; each leaving node that is
 *    still a member is sent `POST /v1/admin/drain {"leaving": [...]}` (once it runs the config of
 *    this generation: a changed N applies before the drain) and copies every key it holds to its
 *    owners under the ring without the leaving members. Wait until each reports handoff `done`.
 * 2. handover: the config drops the leaving members while their pods still run. Wait until every
 *    node that stays lists only the members that stay (until then a coordinator may still send a
 *    leaving node writes), and every leaving node reports `role: leaving` and a finished handoff
 *    with nothing failed: it has handed on whatever was written between its drain and now.
 * 3. the StatefulSet goes down to T; its controller deletes the drained pods.
 *
 * Nothing here is remembered across reconciles that the cluster does not show: the phase follows
 * from the StatefulSet's replicas (S) and the ConfigMap's member count (M) in the cache, so an
 * operator restarted mid-way carries on (at worst draining again, which is idempotent).
 */
import type { HandoffStatus } from "../../wire/node-status.ts";

export type ScaleDownPhase = "drain" | "handover";

export interface ScaleDownPlan {
  phase: ScaleDownPhase;
  /** StatefulSet replicas in force until the drain is done (S). */
  pods: number;
  /** Members the config keeps in force: M while draining, then T. */
  members: number;
  /** spec.replicas (T). */
  target: number;
}

/**
 * What the cache shows against what the spec wants. Undefined when no scale-down is in progress:
 * no StatefulSet yet, or it already has at most spec.replicas pods.
 */
export function planScaleDown(
  live: { pods: number | undefined; members: number | undefined },
  target: number,
): ScaleDownPlan | undefined {
  const pods = live.pods;
  if (pods === undefined || pods <= target) return undefined;
  const members = live.members ?? pods;
  if (members > target) return { phase: "drain", pods, members, target };
  return { phase: "handover", pods, members: target, target };
}

/** The part of a node's GET /v1/status the drain reads, or why it could not be read. */
export interface NodeView {
  id: string;
  /** Set when the node could not be asked (no pod, no IP, refused, timed out, 401...). */
  error?: string;
  generation?: number;
  members?: string[];
  role?: string;
  handoff?: HandoffView;
}

/** The part of a node's handoff status (src/wire/node-status.ts) a drain is judged by. */
export type HandoffView = Omit<HandoffStatus, "startedAt" | "finishedAt">;

/** What to do about one leaving node during the drain phase. */
export type DrainStep =
  | { kind: "drained"; handedOff: number }
  | { kind: "draining" }
  /** not ours: send POST /v1/admin/drain */
  | { kind: "start" }
  /** a pass failed for some keys: send the drain again, and say so */
  | { kind: "retry"; message: string }
  /** the node does not run this generation's config yet (or another pass runs ahead of ours) */
  | { kind: "wait"; message: string }
  | { kind: "unreachable"; message: string };

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * One leaving node, from its status. `posted`: this operator already sent it the drain (a pass of
 * another kind may be running ahead of it, queued on the node).
 */
export function drainStep(
  view: NodeView,
  leaving: readonly string[],
  configGeneration: number,
  members: number,
  posted: boolean,
): DrainStep {
  if (view.error !== undefined) return { kind: "unreachable", message: view.error };
  const h = view.handoff;
  const ours = h?.reason === "drain" && sameSet(h.leaving, leaving);
  if (ours && h.state === "done") return { kind: "drained", handedOff: h.handedOff };
  if (ours && (h.state === "running" || h.state === "pending")) return { kind: "draining" };
  if (ours && h.state === "failed") {
    return {
      kind: "retry",
      message: `${view.id} could not hand ${h.failed} of ${h.scanned} keys to the members that stay (are they reachable?); draining again`,
    };
  }
  if (view.generation !== configGeneration || view.members?.length !== members) {
    return {
      kind: "wait",
      message: `${view.id} does not run config generation ${configGeneration} with ${members} members yet (it runs generation ${view.generation ?? "?"} with ${view.members?.length ?? "?"}); the kubelet refreshes the ConfigMap within a minute or so`,
    };
  }
  if (posted && (h?.state === "running" || h?.state === "pending")) {
    return { kind: "wait", message: `${view.id} finishes a ${h.reason ?? "handoff"} pass before the drain` };
  }
  return { kind: "start" };
}

/**
 * The handover phase: does every node that stays run the config without the leaving members, and
 * has each leaving node handed off what it took since its drain?
 */
export interface HandoverCheck {
  done: boolean;
  /** Why not yet (for the Progressing message). */
  waiting: string[];
  /** What failed (for Degraded). */
  failures: string[];
}

export function checkHandover(
  staying: readonly NodeView[],
  leavingNodes: readonly NodeView[],
  memberIds: readonly string[],
): HandoverCheck {
  const waiting: string[] = [];
  const failures: string[] = [];
  for (const view of staying) {
    // A node that stays but cannot be asked is down (or restarting): it reads the current config
    // when it runs again, so it cannot send the leaving nodes anything; it does not hold this up.
    if (view.error !== undefined) continue;
    if (!view.members || !sameSet(view.members, memberIds))
      waiting.push(`${view.id} still runs a config with ${view.members?.length ?? "?"} members`);
  }
  for (const view of leavingNodes) {
    const h = view.handoff;
    if (view.error !== undefined) failures.push(view.error);
    else if (view.role !== "leaving") waiting.push(`${view.id} has not loaded the config without it yet`);
    else if (h?.state === "failed" || (h?.state === "done" && h.failed > 0))
      failures.push(
        `${view.id} could not hand ${h.failed} keys to their new owners (are they reachable?); it retries every 5 s`,
      );
    else if (h?.state !== "done" && h?.state !== "idle")
      waiting.push(`${view.id} hands off what was written since its drain`);
  }
  return { done: waiting.length === 0 && failures.length === 0, waiting, failures };
}
