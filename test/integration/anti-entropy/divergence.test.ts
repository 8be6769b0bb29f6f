/**
 * Divergence made for real (a node stopped with hints off, writes to one node only, an old data
 * directory restored), then `replistore repair` as a real process, then every owner holds the same
 * newest version.
 */
import { cp, rm } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { applyTo, freshTuple, runRepair, versionText } from "../../support/anti-entropy.ts";
import { type Expected, expectConverged, staleCount } from "../../support/convergence.ts";
import { type Store, startStore, uniqueKey } from "../../support/index.ts";

const NO_HINTS = { hintedHandoff: { enabled: false } } as const;

async function put(store: Store, key: string, value: string, w = 2): Promise<Expected> {
  const reply = await store.client(0).put(key, value, { w });
  expect(reply.status, reply.text).toBe(200);
  return { version: String(reply.body.version), value };
}

async function del(store: Store, key: string, w = 2): Promise<Expected> {
  const reply = await store.client(0).del(key, { w });
  expect(reply.status, reply.text).toBe(200);
  return { deleted: true };
}

describe("repair after divergence", () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.cleanup();
    store = undefined;
  });

  it("copies what a stopped node missed while hinted handoff was off", async () => {
    store = await startStore({ nodes: 3, factor: 3, config: NO_HINTS });
    const s = store;
    const expected = new Map<string, Expected>();
    const old = Array.from({ length: 20 }, (_, i) => uniqueKey(`a-old${i}`));
    for (const key of old) expected.set(key, await put(s, key, `v1-${key}`, 3));

    await s.stop(2);
    for (const key of old.slice(0, 10)) expected.set(key, await put(s, key, `v2-${key}`));
    for (const key of old.slice(10, 15)) expected.set(key, await del(s, key));
    for (let i = 0; i < 30; i++) {
      const key = uniqueKey(`a-new${i}`);
      expected.set(key, await put(s, key, `v1-${key}`));
    }
    await s.start(2);
    expect(await staleCount(s, expected), "node-2 missed 45 writes").toBe(45);

    const run = await runRepair(s);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ status: "complete", ok: true, setsSkipped: 0, keysRepaired: 45 });
    expect(run.summary.recordsSent).toBe(45);
    await expectConverged(s, expected);

    const again = await runRepair(s);
    expect(again.code, again.stderr).toBe(0);
    expect(again.summary).toMatchObject({ status: "complete", keysRepaired: 0, recordsSent: 0 });
    expect(again.summary.setsClean).toBe(again.summary.setsCompared);
  });

  it("copies writes that reached one node only, newer versions of existing keys included", async () => {
    store = await startStore({ nodes: 3, factor: 3, config: NO_HINTS });
    const s = store;
    const expected = new Map<string, Expected>();
    const existing = Array.from({ length: 20 }, (_, i) => uniqueKey(`b-${i}`));
    for (const key of existing) expected.set(key, await put(s, key, `old-${key}`, 3));

    const records: Array<[string, ReturnType<typeof freshTuple>]> = [];
    for (const key of existing.slice(0, 10)) records.push([key, freshTuple("node-1", `direct-${key}`, 5)]);
    for (const key of existing.slice(10, 12)) records.push([key, freshTuple("node-1", null, 5)]);
    for (let i = 0; i < 10; i++)
      records.push([uniqueKey(`b-only${i}`), freshTuple("node-1", `only-${i}`, 5)]);
    expect(await applyTo(s, 1, records)).toBe(records.length);
    for (const [key, t] of records) {
      expected.set(
        key,
        t[3] === null ? { deleted: true } : { version: versionText(t), value: t[3].toString() },
      );
    }
    expect(await staleCount(s, expected)).toBe(22);

    const run = await runRepair(s);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ status: "complete", keysRepaired: 22, recordsSent: 44 });
    expect(run.summary.segmentsCompared).toBeGreaterThan(0);
    await expectConverged(s, expected);
  });

  it("the naive mode (every key from every owner) repairs the same divergence", async () => {
    store = await startStore({ nodes: 3, factor: 3, config: NO_HINTS });
    const s = store;
    const expected = new Map<string, Expected>();
    for (let i = 0; i < 10; i++) {
      const key = uniqueKey(`n-${i}`);
      expected.set(key, await put(s, key, `v-${key}`, 3));
    }
    const records: Array<[string, ReturnType<typeof freshTuple>]> = [];
    for (let i = 0; i < 5; i++) records.push([uniqueKey(`n-only${i}`), freshTuple("node-2", `only-${i}`, 5)]);
    await applyTo(s, 2, records);
    for (const [key, t] of records) expected.set(key, { version: versionText(t), value: String(t[3]) });

    const run = await runRepair(s, ["--naive"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({
      mode: "naive",
      status: "complete",
      keysRepaired: 5,
      recordsSent: 10,
    });
    expect(run.summary.keysCompared).toBe(15);
    await expectConverged(s, expected);
  });

  it("repairs a node whose data directory was restored from an old copy", async () => {
    store = await startStore({ nodes: 3, factor: 3, config: NO_HINTS });
    const s = store;
    const expected = new Map<string, Expected>();
    const first = Array.from({ length: 20 }, (_, i) => uniqueKey(`c-${i}`));
    for (const key of first) expected.set(key, await put(s, key, `v1-${key}`, 3));

    const dataDir = s.node(2).spec.dataDir;
    const backup = `${dataDir}.backup`;
    await s.stop(2);
    await cp(dataDir, backup, { recursive: true });
    await s.start(2);
    await s.waitForPeers();
    for (const key of first.slice(0, 10)) expected.set(key, await put(s, key, `v2-${key}`, 3));
    for (const key of first.slice(10, 15)) expected.set(key, await del(s, key, 3));
    for (let i = 0; i < 20; i++) {
      const key = uniqueKey(`c-later${i}`);
      expected.set(key, await put(s, key, `v1-${key}`, 3));
    }
    await s.stop(2);
    await rm(dataDir, { recursive: true, force: true });
    await cp(backup, dataDir, { recursive: true });
    await s.start(2);
    expect(await staleCount(s, expected), "the restored node is 35 writes behind").toBe(35);

    const run = await runRepair(s);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ status: "complete", keysRepaired: 35 });
    await expectConverged(s, expected);
  });

  it("works the same on a MultiLeader store, where every member owns every key", async () => {
    store = await startStore({
      nodes: 3,
      factor: 3,
      config: { mode: "MultiLeader", multiLeader: { leaders: 2, topology: "AllToAll", hub: 0 } },
    });
    const s = store;
    const expected = new Map<string, Expected>();
    const records: Array<[string, ReturnType<typeof freshTuple>]> = [];
    for (let i = 0; i < 10; i++) records.push([uniqueKey(`ml-${i}`), freshTuple("node-2", `follower-${i}`)]);
    await applyTo(s, 2, records);
    for (const [key, t] of records) expected.set(key, { version: versionText(t), value: String(t[3]) });

    const run = await runRepair(s);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({ status: "complete", keysRepaired: 10 });
    await expectConverged(s, expected);
  });

  it("a store in sync: repair compares roots only and moves nothing", async () => {
    store = await startStore({ nodes: 3, factor: 3, token: "repair-secret" });
    const s = store;
    for (let i = 0; i < 30; i++) await put(s, uniqueKey(`h-${i}`), "same", 3);

    const run = await runRepair(s, ["--endpoint", s.urls[1]!]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({
      status: "complete",
      ok: true,
      keysRepaired: 0,
      recordsSent: 0,
      keysCompared: 0,
      treeNodesCompared: 0,
      setsSkipped: 0,
    });
    expect(run.summary.setsCompared).toBeGreaterThan(0);
    expect(run.summary.setsClean).toBe(run.summary.setsCompared);
  });
});
