import { describe, expect, it } from "vitest";
import {
  feederOf,
  hubOf,
  type TopologyInput,
  topologyView,
} from "../../../../src/node/replication/multileader/topology.ts";

const members = ["n0", "n1", "n2", "n3", "n4"];

function input(self: string, over: Partial<TopologyInput> = {}, down: string[] = []): TopologyInput {
  return {
    members,
    leaders: 3,
    topology: "AllToAll",
    hub: 0,
    self,
    available: (id) => !down.includes(id),
    ...over,
  };
}

const peers = (i: TopologyInput) => topologyView(i).links.map((l) => `${l.peer}${l.ownOnly ? "(own)" : ""}`);

describe("topologyView", () => {
  it("all-to-all: a leader sends its own updates to every leader and everything to the followers it feeds", () => {
    expect(peers(input("n0"))).toEqual(["n1(own)", "n2(own)", "n3"]);
    expect(peers(input("n1"))).toEqual(["n0(own)", "n2(own)", "n4"]);
    expect(peers(input("n2"))).toEqual(["n0(own)", "n1(own)"]);
    expect(topologyView(input("n2")).role).toBe("leader");
  });

  it("a follower sends only what it originated, to its feeder", () => {
    const v = topologyView(input("n3"));
    expect(v.role).toBe("follower");
    expect(peers(input("n3"))).toEqual(["n0(own)"]);
    expect(peers(input("n4"))).toEqual(["n1(own)"]);
  });

  it("circle: each leader sends everything to the next, routing around unavailable ones", () => {
    const circle = { topology: "Circle" as const };
    expect(peers(input("n0", circle))).toEqual(["n1", "n3"]);
    expect(peers(input("n2", circle))).toEqual(["n0"]);
    expect(peers(input("n0", circle, ["n1"]))).toEqual(["n2", "n3"]);
    // With every other leader down there is no ring to send around.
    expect(peers(input("n0", circle, ["n1", "n2"]))).toEqual(["n3", "n4"]);
  });

  it("star: spokes send to the hub, the hub to every other leader", () => {
    const star = { topology: "Star" as const, hub: 1 };
    expect(peers(input("n0", star))).toEqual(["n1", "n3"]);
    expect(peers(input("n1", star))).toEqual(["n0", "n2", "n4"]);
    expect(topologyView(input("n2", star)).hub).toBe("n1");
  });

  it("star: the lowest available leader takes over from an unavailable hub, and the configured hub wins back", () => {
    const star = { topology: "Star" as const, hub: 1 };
    expect(hubOf(input("n2", star, ["n1"]))).toBe("n0");
    expect(hubOf(input("n2", star, ["n0", "n1"]))).toBe("n2");
    // The configured hub considers itself available whatever others think.
    expect(hubOf(input("n1", star, ["n1"]))).toBe("n1");
    // The stand-in hub keeps a stream to the old hub: it catches up from there when it returns.
    expect(peers(input("n0", star, ["n1"]))).toEqual(["n1", "n2", "n3"]);
  });

  it("spreads followers over leaders and moves them off an unavailable one", () => {
    expect(feederOf(input("n0"), "n3")).toBe("n0");
    expect(feederOf(input("n0"), "n4")).toBe("n1");
    expect(feederOf(input("n2", {}, ["n1"]), "n4")).toBe("n2");
  });

  it("a single leader sends only to followers", () => {
    expect(peers(input("n0", { leaders: 1 }))).toEqual(["n1", "n2", "n3", "n4"]);
  });
});

describe("circle with a configured ring", () => {
  const circle = (self: string, ring: string[], down: string[] = []) =>
    peers(input(self, { topology: "Circle", ring }, down))[0];

  it("follows the ring the operator wrote, leaving out the failed leader", () => {
    expect(circle("n0", ["n0", "n2"])).toBe("n2");
    expect(circle("n2", ["n0", "n2"])).toBe("n0");
  });

  it("lets a leader outside the ring send into it, so its own writes still go round", () => {
    expect(circle("n1", ["n0", "n2"])).toBe("n0");
    expect(circle("n1", ["n0", "n2"], ["n0"])).toBe("n2");
  });

  it("falls back to every leader by ordinal when the ring names none of them", () => {
    expect(circle("n0", ["n9"])).toBe("n1");
  });
});
