/**
 * Concurrent writes on two leaders while the connection between them is cut: after healing,
 * every node applies the same winner (newest HLC) and holds one conflict record with both
 * versions; resolving it through a follower writes a value that wins everywhere and marks the
 * record resolved on every node.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Store } from "../../support/index.ts";
import { metric, range, startMultiLeader, waitConverged } from "./support.ts";

interface ConflictView {
  id: string;
  key: string;
  kind: string;
  status: string;
  applied: string;
  versions: Array<{ version: string; origin: string; value: string | null; applied: boolean }>;
  resolution: { by: string; kept: string | null; written: string; note: string } | null;
}

async function conflictsOn(store: Store, i: number, query: Record<string, string> = {}) {
  const r = await store.client(i).conflicts(query);
  expect(r.status, r.text).toBe(200);
  return r.body.items as unknown as ConflictView[];
}

describe("multi-leader concurrent writes", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startMultiLeader({ nodes: 3, leaders: 2, topology: "AllToAll" });
  });
  afterAll(() => store?.cleanup());

  it("picks one winner everywhere and queues one record with both versions", async () => {
    // Cut both leaders off: nothing passes between them (or to the follower) until healed.
    store.partition(0);
    store.partition(1);
    const a = await store.client(0).put("cart", "apples");
    const b = await store.client(1).put("cart", "bananas");
    expect(a.status, a.text).toBe(200);
    expect(b.status, b.text).toBe(200);
    store.heal(0);
    store.heal(1);

    const versions = [a.body.version as string, b.body.version as string];
    const winner = [...versions].sort(compareVersions).at(-1)!;
    const winnerValue = winner === a.body.version ? "apples" : "bananas";
    await waitConverged(store, range(3), new Map([["cart", winnerValue]]));
    for (const i of range(3)) {
      const got = await store.client(i).get("cart", { local: true });
      expect(got.headers["x-replistore-version"]).toBe(winner);
    }

    const records = await eventually(
      async () => {
        const per = await Promise.all(range(3).map((i) => conflictsOn(store, i, { kind: "concurrent" })));
        for (const list of per) expect(list).toHaveLength(1);
        return per;
      },
      { what: "one concurrent record on every node" },
    );
    const ids = new Set(records.map((list) => list[0]!.id));
    expect(ids.size).toBe(1);
    const rec = records[2]![0]!;
    expect(rec.key).toBe("cart");
    expect(rec.status).toBe("pending");
    expect(rec.applied).toBe(winner);
    expect(rec.versions.map((v) => v.version).sort()).toEqual([...versions].sort());
    expect(rec.versions.map((v) => v.value).sort()).toEqual(["apples", "bananas"]);
    expect(rec.versions.map((v) => v.origin).sort()).toEqual([store.id(0), store.id(1)]);
    // Every node sees both versions and detects the conflict on its own; the queue keeps one record.
    await eventually(
      async () => {
        for (const i of range(3)) {
          const detected = await metric(store, i, "replistore_conflicts_detected_total", {
            kind: "concurrent",
          });
          expect(detected, store.id(i)).toBe(1);
        }
      },
      { what: "each node detected the conflict once" },
    );
  });

  it("resolves through a follower; the kept value wins on every node", async () => {
    const [rec] = await conflictsOn(store, 2, { kind: "concurrent" });
    const loser = rec!.versions.find((v) => !v.applied)!;
    const r = await store
      .client(2)
      .resolve(rec!.id, { keep: loser.version, resolvedBy: "oncall@example.com", note: "the first cart" });
    expect(r.status, r.text).toBe(200);
    expect(r.headers["x-replistore-leader"]).toMatch(/node-[01]/);

    await waitConverged(store, range(3), new Map([["cart", loser.value!]]));
    await eventually(
      async () => {
        for (const i of range(3)) {
          const [view] = await conflictsOn(store, i, { kind: "concurrent" });
          expect(view?.status, store.id(i)).toBe("resolved");
          expect(view?.resolution?.kept).toBe(loser.version);
          expect(view?.resolution?.by).toBe("oncall@example.com");
          expect(view?.resolution?.note).toBe("the first cart");
        }
      },
      { what: "resolution visible on every node" },
    );
    // The resolution saw both versions: it is not a new conflict.
    for (const i of range(3)) expect(await conflictsOn(store, i, { status: "pending" })).toEqual([]);

    const again = await store.client(0).resolve(rec!.id, { keep: loser.version, resolvedBy: "x" });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe("already_resolved");
  });
});

describe("multi-leader with conflicts.policy Automatic", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startMultiLeader({
      nodes: 2,
      leaders: 2,
      topology: "AllToAll",
      store: { config: { conflicts: { policy: "Automatic" } } },
    });
  });
  afterAll(() => store?.cleanup());

  it("counts concurrent writes without queueing them", async () => {
    store.partition(0);
    store.partition(1);
    const a = await store.client(0).put("auto", "a");
    const b = await store.client(1).put("auto", "b");
    expect([a.status, b.status]).toEqual([200, 200]);
    store.heal(0);
    store.heal(1);
    await eventually(async () => {
      for (const i of range(2)) {
        expect(await metric(store, i, "replistore_conflicts_detected_total", { kind: "concurrent" })).toBe(1);
      }
    });
    for (const i of range(2)) expect(await conflictsOn(store, i)).toEqual([]);
  });
});

function compareVersions(a: string, b: string): number {
  const [aw, al, ...an] = a.split(":");
  const [bw, bl, ...bn] = b.split(":");
  return Number(aw) - Number(bw) || Number(al) - Number(bl) || an.join(":").localeCompare(bn.join(":"));
}
