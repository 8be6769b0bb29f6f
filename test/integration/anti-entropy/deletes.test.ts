/**
 * Deletes take part in repair as tombstones: a replica that missed a delete gets the tombstone, never
 * the other way round, and tombstones past the grace period go only once every owner has them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runRepair } from "../../support/anti-entropy.ts";
import { type Expected, expectConverged } from "../../support/convergence.ts";
import { metricValue, type Store, startStore, uniqueKey } from "../../support/index.ts";

async function purgedTotal(store: Store, nodes: number[]): Promise<number> {
  let total = 0;
  for (const i of nodes) {
    total += metricValue(await store.client(i).metrics(), "replistore_tombstones_purged_total") ?? 0;
  }
  return total;
}

async function writeThenDeleteWhileDown(
  store: Store,
  prefix: string,
  count: number,
): Promise<Map<string, Expected>> {
  const keys = Array.from({ length: count }, (_, i) => uniqueKey(`${prefix}${i}`));
  for (const key of keys) expect((await store.client(0).put(key, "alive", { w: 3 })).status).toBe(200);
  await store.stop(2);
  for (const key of keys) expect((await store.client(0).del(key)).status).toBe(200);
  await store.start(2);
  for (const key of keys) {
    expect((await store.client(2).get(key, { local: true })).text, "node-2 missed the delete").toBe("alive");
  }
  return new Map(keys.map((k) => [k, { deleted: true }]));
}

describe("repair and deletes", () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.cleanup();
    store = undefined;
  });

  it("a delete a node missed wins over its older value: nothing resurrects", async () => {
    store = await startStore({ nodes: 3, factor: 3, config: { hintedHandoff: { enabled: false } } });
    const s = store;
    const expected = await writeThenDeleteWhileDown(s, "d-", 10);

    const run = await runRepair(s);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ status: "complete", keysRepaired: 10, tombstonesPurged: 0 });
    await expectConverged(s, expected);
    for (const key of expected.keys()) expect((await s.client(2).get(key, { r: 3 })).status).toBe(404);

    const again = await runRepair(s);
    expect(again.summary).toMatchObject({ status: "complete", keysRepaired: 0 });
    await expectConverged(s, expected);
  });

  it("tombstones past the grace period are purged only once every owner has them", async () => {
    store = await startStore({
      nodes: 3,
      factor: 3,
      config: { hintedHandoff: { enabled: false }, tombstones: { gracePeriodMs: 1 } },
    });
    const s = store;
    const expected = await writeThenDeleteWhileDown(s, "p-", 10);

    // node-2 down: its set cannot be compared, so no owner may purge (node-2 still holds "alive")
    await s.kill(2);
    const partial = await runRepair(s);
    expect(partial.code).toBe(1);
    expect(partial.summary).toMatchObject({ status: "incomplete", tombstonesPurged: 0 });
    expect(await purgedTotal(s, [0, 1])).toBe(0);

    await s.start(2);
    const run = await runRepair(s);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ status: "complete", keysRepaired: 10, tombstonesPurged: 30 });
    expect(await purgedTotal(s, [0, 1, 2])).toBe(30);
    await expectConverged(s, expected);

    const again = await runRepair(s);
    expect(again.summary).toMatchObject({ status: "complete", keysRepaired: 0, tombstonesPurged: 0 });
    expect(again.summary.setsClean).toBe(again.summary.setsCompared);
    await expectConverged(s, expected);
  });
});
