/**
 * Multi-leader failover as the operator decides it, from pod readiness (pure, unit-tested):
 * - Star: when the hub's pod has not been ready for `failoverAfter`, the lowest-ordinal ready
 *   leader becomes the hub, written into the config every node reads. The hub does not move back
 *   by itself when the old one returns: it does when asked, by an edit of the spec (which
 *   re-applies spec.multiLeader.hub).
 * - Circle: the ring is every leader whose pod has not been unready for `failoverAfter`, in
 *   ordinal order; a leader that is ready again goes back in at once (ring healing).
 * A pod that has not been ready yet (a new store, a scale-up, a recreated pod: not ready since
 * before its container started, never restarted) is starting, not failing: it gets the kubelet's
 * startup budget on top of `failoverAfter`, counted from its creation, so pods that come up seconds
 * apart on a busy node do not move the hub for good or churn the ring while the store is created.
 * The nodes already route around a peer they cannot reach; writing the decision into the config
 * makes every node agree on it, and shows it in status and events.
 */

export interface LeaderPodState {
  ready: boolean;
  /** When the pod's Ready condition last changed (ms since the epoch); its creation time if none or starting. */
  sinceMs: number;
  /** Not ready yet since its creation: not ready since before its container started, never restarted. */
  starting?: boolean;
}

export interface FailoverInput {
  leaders: number;
  topology: "Circle" | "Star" | "AllToAll";
  specHub: number;
  failoverAfterMs: number;
  /** Added to failoverAfterMs for a starting pod: how long the kubelet lets a node start. */
  startingGraceMs: number;
  /** The hub in force (status.hub) before this reconcile; undefined for a new store. */
  previousHub: number | undefined;
  /** The ring in force (status.leaders for Circle) before this reconcile. */
  previousRing: readonly number[] | undefined;
  /** True when the spec changed since status was last written: the spec's hub is asked for again. */
  specChanged: boolean;
  /** Leader pods by ordinal; a pod the cache does not have yet is left out. */
  pods: ReadonlyMap<number, LeaderPodState>;
  nowMs: number;
}

export interface FailoverEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface FailoverDecision {
  hub?: number;
  ring?: number[];
  events: FailoverEvent[];
  /** When a not-ready leader's grace period ends, so the next reconcile comes in time. */
  recheckAfterMs?: number;
}

export function decideFailover(input: FailoverInput): FailoverDecision {
  const ordinals = Array.from({ length: input.leaders }, (_, i) => i);
  const events: FailoverEvent[] = [];
  let recheckAfterMs: number | undefined;
  const failed = (o: number): boolean => {
    const pod = input.pods.get(o);
    if (!pod || pod.ready) return false;
    const grace = input.failoverAfterMs + (pod.starting ? input.startingGraceMs : 0);
    const downFor = input.nowMs - pod.sinceMs;
    if (downFor >= grace) return true;
    const left = grace - downFor;
    recheckAfterMs = Math.min(recheckAfterMs ?? left, left);
    return false;
  };
  const ready = (o: number) => input.pods.get(o)?.ready === true;
  const seconds = Math.round(input.failoverAfterMs / 1000);

  if (input.topology === "Star") {
    const wanted = input.specChanged || input.previousHub === undefined ? input.specHub : input.previousHub;
    let hub = wanted < input.leaders ? wanted : input.specHub;
    if (failed(hub)) {
      const stand = ordinals.find((o) => o !== hub && ready(o));
      if (stand !== undefined) {
        events.push({
          type: "Warning",
          reason: "HubFailover",
          message: `hub pod ${hub} has not been ready for ${seconds}s or more; pod ${stand} is the hub now (edit spec.multiLeader.hub to choose another)`,
        });
        hub = stand;
      }
    } else if (input.previousHub !== undefined && hub !== input.previousHub) {
      events.push({
        type: "Normal",
        reason: "HubChanged",
        message: `pod ${hub} is the hub, as the spec asks`,
      });
    }
    return { hub, events, ...(recheckAfterMs !== undefined ? { recheckAfterMs } : {}) };
  }

  if (input.topology === "Circle") {
    const live = ordinals.filter((o) => !failed(o));
    const ring = live.length > 0 ? live : ordinals;
    const before = input.previousRing ?? ordinals;
    const left = before.filter((o) => !ring.includes(o));
    const back = ring.filter((o) => !before.includes(o));
    if (left.length > 0) {
      events.push({
        type: "Warning",
        reason: "RingChanged",
        message: `leader pod(s) ${left.join(", ")} not ready for ${seconds}s or more: the ring is ${ring.join(" -> ")} until they are back`,
      });
    }
    if (back.length > 0) {
      events.push({
        type: "Normal",
        reason: "RingHealed",
        message: `leader pod(s) ${back.join(", ")} ready again and back in the ring: ${ring.join(" -> ")}`,
      });
    }
    return { ring, events, ...(recheckAfterMs !== undefined ? { recheckAfterMs } : {}) };
  }
  return { events };
}
