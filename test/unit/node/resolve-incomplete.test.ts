/**
 * A resolution whose owners answered the reachability probe but whose write then missed W (an
 * owner died in between): no new partial-write record, 503 resolve_incomplete naming where the
 * value stayed, and the record still pending. The owners' failures are stubs here because the
 * window between probe and write cannot be hit on purpose with real processes.
 */
import { describe, expect, it } from "vitest";
import type { ClusterConfig } from "../../../src/config/cluster-config.ts";
import { UnavailableError } from "../../../src/errors.ts";
import { HybridClock } from "../../../src/node/clock/hlc.ts";
import type { ConflictQueue } from "../../../src/node/conflicts/conflict-queue.ts";
import type { ConflictRecord } from "../../../src/node/conflicts/record.ts";
import { type ResolveParts, resolveConflict } from "../../../src/node/conflicts/resolve.ts";
import { LeaderlessCoordinator } from "../../../src/node/replication/leaderless.ts";
import type { ReplicaContext } from "../../../src/node/replication/replica-context.ts";
import { buildClusterConfig } from "../../support/cluster-file.ts";

const members = ["a", "b", "c"].map((id) => ({ id, url: `http://${id}` }));
const config: ClusterConfig = buildClusterConfig(members, { factor: 3, writeQuorum: 2, readQuorum: 2 });
const noop = { inc: () => undefined };
const metrics = { quorumFailures: noop, partialWrites: noop, hintsDropped: noop, conflictsResolved: noop };
const log = { error: () => undefined, warn: () => undefined, info: () => undefined };

/** Owners b and c refuse every op, as a node killed after the probe would. */
function coordinator(detected: ConflictRecord[]): LeaderlessCoordinator {
  const ctx = {
    selfId: "a",
    clock: new HybridClock("a"),
    hints: { add: () => undefined },
    conflicts: { detected: async (r: ConflictRecord) => void detected.push(r) },
    metrics,
    log,
    config: () => config,
    ring: () => ({ owners: () => ["a", "b", "c"] }),
    ownersPerKey: () => 3,
    peer: () => ({
      send: () => Promise.reject(new Error("connection refused")),
      health: { downForMs: () => 0 },
    }),
    readLocal: () => undefined,
    applyLocal: async () => ({ applied: true, previous: undefined }),
  };
  return new LeaderlessCoordinator(ctx as unknown as ReplicaContext);
}

const pending: ConflictRecord = {
  id: "c1",
  key: "k",
  kind: "partial_write",
  versions: [{ version: "20:0:b", value: Buffer.from("stray"), origin: "b", role: "partial" }],
  applied: "20:0:b",
  detectedAt: "2026-11-22T00:00:00.000Z",
  detectedBy: "b",
  status: "pending",
  resolution: null,
};

describe("a resolution's write that misses W after the probe", () => {
  it("leaderless: a client write records a partial write, a resolution's write (recordPartial: false) does not", async () => {
    const detected: ConflictRecord[] = [];
    const c = coordinator(detected);
    await expect(c.write("k", Buffer.from("v"), 2)).rejects.toMatchObject({ reached: 1 });
    expect(detected).toHaveLength(1);
    await expect(c.write("k", Buffer.from("v"), 2, { recordPartial: false })).rejects.toMatchObject({
      reached: 1,
      ownersReached: ["a"],
    });
    expect(detected).toHaveLength(1);
  });

  it("answers resolve_incomplete naming where the value stayed, and leaves the record pending", async () => {
    const detected: ConflictRecord[] = [];
    const changed: ConflictRecord[] = [];
    const c = coordinator(detected);
    const parts = {
      selfId: "a",
      conflicts: {
        store: { get: (id: string) => (id === pending.id ? pending : undefined) },
        changed: async (r: ConflictRecord) => void changed.push(r),
      } as unknown as ConflictQueue,
      clock: new HybridClock("a"),
      metrics,
      replication: { write: c.write.bind(c) },
      config: () => config,
      // every owner answers the probe; they fail only afterwards, when the write goes out
      membership: {
        ring: () => ({ owners: () => ["a", "b", "c"] }),
        ownersPerKey: () => 3,
        peers: { get: () => ({ send: async () => null }) },
      },
    } as unknown as ResolveParts;

    const err = await resolveConflict(parts, pending.id, {
      value: Buffer.from("fixed"),
      resolvedBy: "x",
      note: "",
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).toMatchObject({
      code: "resolve_incomplete",
      details: { needed: 2, reached: 1, written: true, ownersReached: ["a"] },
    });
    expect((err as Error).message).toContain("no new partial-write record");
    expect((err as Error).message).toContain("resolve it again");
    expect(detected).toEqual([]);
    expect(changed).toEqual([]);
  });
});
