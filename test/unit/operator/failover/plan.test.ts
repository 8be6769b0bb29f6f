import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  decideFailover,
  type FailoverInput,
  type LeaderPodState,
} from "../../../../src/operator/failover/plan.ts";
import { podState } from "../../../../src/operator/failover/run.ts";

const NOW = 1_000_000;
const up: LeaderPodState = { ready: true, sinceMs: NOW - 60_000 };
const downFor = (ms: number): LeaderPodState => ({ ready: false, sinceMs: NOW - ms });
/** Created `ms` ago and not ready yet. */
const startingFor = (ms: number): LeaderPodState => ({ ready: false, sinceMs: NOW - ms, starting: true });

function input(over: Partial<FailoverInput>, pods: LeaderPodState[]): FailoverInput {
  return {
    leaders: pods.length,
    topology: "Star",
    specHub: 0,
    failoverAfterMs: 10_000,
    startingGraceMs: 120_000,
    previousHub: undefined,
    previousRing: undefined,
    specChanged: false,
    pods: new Map(pods.map((p, i) => [i, p])),
    nowMs: NOW,
    ...over,
  };
}

describe("decideFailover: Star", () => {
  it("keeps the spec's hub while its pod is ready or within the grace period", () => {
    expect(decideFailover(input({}, [up, up, up])).hub).toBe(0);
    const within = decideFailover(input({}, [downFor(4_000), up, up]));
    expect(within.hub).toBe(0);
    expect(within.events).toEqual([]);
    expect(within.recheckAfterMs).toBe(6_000);
  });

  it("moves the hub to the lowest ready leader past the grace period, with a warning", () => {
    const d = decideFailover(input({}, [downFor(10_000), downFor(1_000), up]));
    expect(d.hub).toBe(2);
    expect(d.events[0]).toMatchObject({ type: "Warning", reason: "HubFailover" });
    expect(d.events[0]?.message).toContain("pod 2 is the hub now");
  });

  it("stays on the stand-in when the old hub returns, until the spec asks again", () => {
    expect(decideFailover(input({ previousHub: 1 }, [up, up, up])).hub).toBe(1);
    const asked = decideFailover(input({ previousHub: 1, specChanged: true }, [up, up, up]));
    expect(asked.hub).toBe(0);
    expect(asked.events[0]).toMatchObject({ reason: "HubChanged" });
  });

  it("keeps a failed hub when no other leader is ready", () => {
    expect(decideFailover(input({}, [downFor(60_000), downFor(60_000)])).hub).toBe(0);
  });

  it("does not move the hub off a pod that has not been ready yet, within the startup budget", () => {
    // A new store on a busy node: the spokes came up first.
    const starting = decideFailover(input({ previousHub: 0 }, [startingFor(30_000), up, up]));
    expect(starting).toMatchObject({ hub: 0, events: [], recheckAfterMs: 100_000 });
    const neverStarted = decideFailover(input({ previousHub: 0 }, [startingFor(130_000), up, up]));
    expect(neverStarted.hub).toBe(1);
    expect(neverStarted.events[0]).toMatchObject({ reason: "HubFailover" });
  });

  it("does not fail over for a pod the cache has not seen yet", () => {
    const d = decideFailover({ ...input({}, [up, up]), pods: new Map([[1, up]]) });
    expect(d.hub).toBe(0);
  });
});

describe("decideFailover: Circle", () => {
  const circle = { topology: "Circle" as const };

  it("leaves a leader unready past the grace period out of the ring, and says so", () => {
    const d = decideFailover(input(circle, [up, downFor(20_000), up]));
    expect(d.ring).toEqual([0, 2]);
    expect(d.events[0]).toMatchObject({ type: "Warning", reason: "RingChanged" });
  });

  it("puts it back as soon as it is ready (ring healing)", () => {
    const d = decideFailover(input({ ...circle, previousRing: [0, 2] }, [up, up, up]));
    expect(d.ring).toEqual([0, 1, 2]);
    expect(d.events[0]).toMatchObject({ type: "Normal", reason: "RingHealed" });
  });

  it("keeps leaders that have not been ready yet in the ring while the store starts", () => {
    const d = decideFailover(input(circle, [up, startingFor(20_000), startingFor(20_000)]));
    expect(d.ring).toEqual([0, 1, 2]);
    expect(d.events).toEqual([]);
  });

  it("keeps every leader when all of them are down", () => {
    expect(decideFailover(input(circle, [downFor(60_000), downFor(60_000)])).ring).toEqual([0, 1]);
  });

  it("writes nothing new when nothing changed", () => {
    expect(decideFailover(input({ ...circle, previousRing: [0, 1, 2] }, [up, up, up])).events).toEqual([]);
  });
});

describe("podState", () => {
  const created = "2026-01-01T00:00:00Z";
  function pod(
    ready: string,
    readySince: string,
    node?: { startedAt?: string; restartCount?: number },
  ): V1Pod {
    return {
      metadata: { creationTimestamp: new Date(created) },
      status: {
        conditions: [{ type: "Ready", status: ready, lastTransitionTime: new Date(readySince) }],
        ...(node
          ? {
              containerStatuses: [
                {
                  name: "node",
                  image: "replistore",
                  imageID: "",
                  ready: ready === "True",
                  restartCount: node.restartCount ?? 0,
                  ...(node.startedAt ? { state: { running: { startedAt: new Date(node.startedAt) } } } : {}),
                },
              ],
            }
          : {}),
      },
    };
  }
  const at = (iso: string) => new Date(iso).getTime();

  it("takes a pod not ready since before its container started as starting, from its creation", () => {
    expect(podState(pod("False", "2026-01-01T00:00:05Z", { startedAt: "2026-01-01T00:00:20Z" }))).toEqual({
      ready: false,
      sinceMs: at(created),
      starting: true,
    });
    // Pending: no container yet.
    expect(podState(pod("False", "2026-01-01T00:00:05Z"))).toMatchObject({ starting: true });
  });

  it("takes a pod that became unready after its container started, or was restarted, as failing", () => {
    const hung = podState(pod("False", "2026-01-01T00:05:00Z", { startedAt: "2026-01-01T00:00:20Z" }));
    expect(hung).toEqual({ ready: false, sinceMs: at("2026-01-01T00:05:00Z") });
    const restarted = pod("False", "2026-01-01T00:05:00Z", {
      startedAt: "2026-01-01T00:05:30Z",
      restartCount: 1,
    });
    expect(podState(restarted).starting).toBeUndefined();
    expect(podState(pod("True", "2026-01-01T00:00:30Z", { startedAt: "2026-01-01T00:00:20Z" }))).toEqual({
      ready: true,
      sinceMs: at("2026-01-01T00:00:30Z"),
    });
  });
});
