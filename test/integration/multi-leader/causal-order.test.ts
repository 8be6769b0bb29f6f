/**
 * The notes' all-to-all causality problem, for real: A writes x; B reads x and writes y; C gets y
 * before x. C must hold y back until x has arrived, then apply both, in that order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Store } from "../../support/index.ts";
import { metric, mlStatus, startMultiLeader, waitForValue } from "./support.ts";

const A = 0;
const B = 1;
const C = 2;

describe("all-to-all causal delivery", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startMultiLeader({ nodes: 3, leaders: 3, topology: "AllToAll" });
  });
  afterAll(() => store?.cleanup());

  it("holds an update back until the update it depends on has arrived", async () => {
    // Nothing reaches C for now: both A's and B's streams to it wait.
    store.partition(C);
    const x = await store.client(A).put("x", "*");
    expect(x.status, x.text).toBe(200);
    await waitForValue(store, B, "x", "*");
    const seen = await store.client(B).get("x", { local: true });
    const y = await store.client(B).put("y", `${seen.text} changed to #`);
    expect(y.status, y.text).toBe(200);

    // A's update is slow (A is frozen); C is reachable again, so B's update arrives first.
    store.suspend(A);
    store.heal(C);
    await eventually(async () => expect((await mlStatus(store, C)).multiLeader.buffered).toBe(1), {
      timeoutMs: 15_000,
      what: "C buffers y",
    });
    expect((await store.client(C).get("y", { local: true })).status).toBe(404);
    expect((await store.client(C).get("x", { local: true })).status).toBe(404);
    expect(await metric(store, C, "replistore_replication_received_total", { result: "buffered" })).toBe(1);

    // A wakes up and delivers x; y follows it at once.
    store.resume(A);
    await waitForValue(store, C, "y", "* changed to #");
    await waitForValue(store, C, "x", "*");
    expect((await mlStatus(store, C)).multiLeader.buffered).toBe(0);
    expect(await metric(store, C, "replistore_replication_applied_total")).toBe(2);
    // y was written after x had been seen: no conflict anywhere.
    for (const i of [A, B, C]) {
      const list = await store.client(i).conflicts();
      expect(list.body.items, store.id(i)).toEqual([]);
    }
  });
});
