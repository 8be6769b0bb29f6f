import { describe, expect, it } from "vitest";
import { decideFailover, type FailoverInput, type LeaderPodState } from "../../../src/operator/failover.ts";

const NOW = 1_000_000;
const up: LeaderPodState = { ready: true, sinceMs: NOW - 60_000 };
const downFor = (ms: number): LeaderPodState => ({ ready: false, sinceMs: NOW - ms });

function input(over: Partial<FailoverInput>, pods: LeaderPodState[]): FailoverInput {
  return {
    leaders: pods.length,
    topology: "Star",
    specHub: 0,
    failoverAfterMs: 10_000,
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

  it("keeps every leader when all of them are down", () => {
    expect(decideFailover(input(circle, [downFor(60_000), downFor(60_000)])).ring).toEqual([0, 1]);
  });

  it("writes nothing new when nothing changed", () => {
    expect(decideFailover(input({ ...circle, previousRing: [0, 1, 2] }, [up, up, up])).events).toEqual([]);
  });
});
