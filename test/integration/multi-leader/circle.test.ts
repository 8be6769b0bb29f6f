/**
 * Circle: a leader that is down past failoverAfter is routed around, it catches up from its
 * neighbour's outbox when it returns, and an update it had accepted but not passed on before a
 * SIGKILL leaves its outbox after the restart.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Store } from "../../support/index.ts";
import { metric, mlStatus, range, startMultiLeader, waitConverged, waitForValue } from "./support.ts";

describe("circle topology", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startMultiLeader({ nodes: 4, leaders: 3, topology: "Circle", failoverAfterMs: 1_000 });
  });
  afterAll(() => store?.cleanup());

  it("routes around a dead leader and lets it catch up when it returns", async () => {
    await store.kill(1);
    // node-0's successor is node-1; after failoverAfter it sends to node-2 instead.
    await eventually(
      async () => {
        const links = (await mlStatus(store, 0)).multiLeader.sendsTo.map((l) => l.peer);
        expect(links).toContain(store.id(2));
        expect(links).not.toContain(store.id(1));
      },
      { what: "node-0 routes around node-1" },
    );
    const expected = new Map<string, string>();
    for (let k = 0; k < 10; k++) {
      for (const l of [0, 2]) {
        const r = await store.client(l).put(`ring-${l}-${k}`, `v${k}`);
        expect(r.status, r.text).toBe(200);
        expected.set(`ring-${l}-${k}`, `v${k}`);
      }
    }
    await waitConverged(store, [0, 2, 3], expected);

    await store.start(1);
    await waitConverged(store, range(4), expected);
    // node-1 got every update once, and the ring is whole again.
    expect(await metric(store, 1, "replistore_replication_applied_total")).toBe(20);
    await eventually(async () => {
      const links = (await mlStatus(store, 0)).multiLeader.sendsTo.map((l) => l.peer);
      expect(links).toContain(store.id(1));
    });
  });

  it("keeps an update in the outbox across SIGKILL and sends it after the restart", async () => {
    // node-1 passes updates to node-2; cut node-2 off, write on node-1, crash node-1 before
    // the ring can route around.
    store.partition(2);
    const r = await store.client(1).put("survivor", "kept");
    expect(r.status, r.text).toBe(200);
    await store.kill(1);
    store.heal(2);
    await store.start(1);
    for (const i of range(4)) await waitForValue(store, i, "survivor", "kept");
    expect(await metric(store, 2, "replistore_replication_received_total", { result: "duplicate" })).toBe(0);
  });
});
