import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { ClusterConfig } from "../../../src/config/cluster-config.ts";
import { ClusterConfigError, loadClusterConfig } from "../../../src/config/load.ts";

function goodConfig(): ClusterConfig {
  return {
    version: 1,
    store: { name: "orders", namespace: "default" },
    generation: 1,
    mode: "Leaderless",
    members: [0, 1, 2].map((i) => ({ id: `orders-${i}`, url: `http://127.0.0.1:${7070 + i}` })),
    replication: { factor: 3, writeQuorum: 2, readQuorum: 2, consistency: "Strong" },
    conflicts: { policy: "Review", retentionMs: 1000 },
    clock: { maxOffsetMs: 500 },
    tombstones: { gracePeriodMs: 1000 },
    hintedHandoff: { enabled: true, windowMs: 1000, maxBytes: 1000 },
    limits: { maxValueBytes: 1000, requestTimeoutMs: 2000 },
    ring: { vnodes: 16 },
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "replistore-load-"));
});

function write(content: unknown): string {
  const path = join(dir, "cluster.json");
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

function failure(path: string): ClusterConfigError {
  try {
    loadClusterConfig(path);
  } catch (err) {
    if (err instanceof ClusterConfigError) return err;
    throw err;
  }
  throw new Error("expected loadClusterConfig to throw");
}

describe("loadClusterConfig", () => {
  it("loads a valid file", () => {
    const path = write(goodConfig());
    expect(loadClusterConfig(path)).toEqual(goodConfig());
  });

  it("names the file when it is missing", () => {
    const path = join(dir, "absent.json");
    expect(() => loadClusterConfig(path)).toThrow(
      `invalid cluster config ${path}: cannot read the file (ENOENT)`,
    );
  });

  it("names the file when it is not JSON", () => {
    const path = write('{"version": 1,');
    expect(failure(path).message).toMatch(new RegExp(`^invalid cluster config ${path}: not valid JSON`));
  });

  it("names the field that breaks the schema", () => {
    const config = goodConfig();
    config.replication.writeQuorum = 0;
    const err = failure(write(config));
    expect(err.file).toBe(join(dir, "cluster.json"));
    expect(err.problems).toEqual(["replication.writeQuorum: must be >= 1 (got 0)"]);
  });

  it("names unknown and missing fields", () => {
    const { ring: _ring, ...rest } = goodConfig();
    const err = failure(write({ ...rest, extra: 1 }));
    expect(err.problems[0]).toBe("ring: required");
    expect(err.problems[1]).toMatch(
      /^extra: unknown field; known fields: version, store, generation, mode, members, /,
    );
    expect(err.problems).toHaveLength(2);
  });

  it.each([
    [{ writeQuorum: 4 }, "replication.writeQuorum (4) must be at most replication.factor (3)"],
    [{ readQuorum: 4 }, "replication.readQuorum (4) must be at most replication.factor (3)"],
    [
      { factor: 4, writeQuorum: 3, readQuorum: 2 },
      "replication.factor (4) must be at most the number of members (3)",
    ],
    [
      { writeQuorum: 1, readQuorum: 2 },
      "replication.writeQuorum (1) + readQuorum (2) must exceed factor (3) with Strong consistency",
    ],
  ])("rejects quorum %j", (replication, problem) => {
    const config = goodConfig();
    Object.assign(config.replication, replication);
    expect(failure(write(config)).problems).toEqual([problem]);
  });

  it("accepts the boundary W = R = N = members", () => {
    const config = goodConfig();
    config.replication = { factor: 3, writeQuorum: 3, readQuorum: 3, consistency: "Strong" };
    expect(loadClusterConfig(write(config)).replication.writeQuorum).toBe(3);
  });

  it("accepts W + R <= N with Eventual consistency", () => {
    const config = goodConfig();
    config.replication = { factor: 3, writeQuorum: 1, readQuorum: 1, consistency: "Eventual" };
    expect(loadClusterConfig(write(config)).replication.consistency).toBe("Eventual");
  });

  it("checks multi-leader settings against the members", () => {
    const config = goodConfig();
    config.mode = "MultiLeader";
    config.multiLeader = { leaders: 4, topology: "Star", hub: 4 };
    expect(failure(write(config)).problems).toEqual([
      "multiLeader.leaders (4) must be at most the number of members (3)",
      "multiLeader.hub (4) must be less than multiLeader.leaders (4)",
    ]);
  });

  it("rejects duplicate member ids and bad URLs", () => {
    const config = goodConfig();
    config.members = [
      { id: "a", url: "http://127.0.0.1:1" },
      { id: "a", url: "not a url" },
      { id: "b", url: "http://127.0.0.1:3" },
    ];
    expect(failure(write(config)).problems).toEqual([
      'members: id "a" appears more than once',
      'members[1].url: not a URL (got "not a url")',
    ]);
  });
});
