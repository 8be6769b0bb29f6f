import { describe, expect, it } from "vitest";
import type { LeaderlessCoordinator } from "../../../../src/node/replication/leaderless.ts";
import { LeaderlessStrategy, leaderlessModel } from "../../../../src/node/replication/leaderless-strategy.ts";
import { modelFor } from "../../../../src/node/replication/model-for.ts";
import { multiLeaderModel } from "../../../../src/node/replication/multileader/multi-leader-strategy.ts";

describe("replication models", () => {
  it("own N keys per member set leaderless, and every key on every member multi-leader", () => {
    expect(leaderlessModel.ownersPerKey(3, 5)).toBe(3);
    expect(multiLeaderModel.ownersPerKey(3, 5)).toBe(5);
  });

  it("leaderless: takes every write itself, and answers multi-leader ops with empty vectors", async () => {
    const calls: string[] = [];
    const coordinator = {
      write: async (key: string) => {
        calls.push(`write ${key}`);
        return { version: { wall: 1, logical: 0, node: "a" }, acks: 2 };
      },
      read: async (key: string) => {
        calls.push(`read ${key}`);
        return undefined;
      },
    } as unknown as LeaderlessCoordinator;
    const s = new LeaderlessStrategy(coordinator);
    expect(s.forwardTo()).toBeUndefined();
    expect(s.role()).toBe("replica");
    expect(s.status()).toEqual({});
    expect(s.status()).toBe(s.status()); // no allocation per status request
    expect(s.receiveUpdates("b", [])).toEqual([]);
    expect(s.vector()).toEqual([]);
    expect((await s.write("k", null, 2)).acks).toBe(2);
    await s.read("k", 2);
    expect(calls).toEqual(["write k", "read k"]);
  });
});

describe("modelFor", () => {
  it("picks the model from the config's mode", () => {
    expect(modelFor("Leaderless")).toBe(leaderlessModel);
    expect(modelFor("MultiLeader")).toBe(multiLeaderModel);
  });
});
