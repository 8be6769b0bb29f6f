/**
 * Each topology with 3 and 5 leaders plus a follower: every node ends with every write, applies
 * each update exactly once, and each update crosses the network exactly (leaders - 1) + followers
 * times: no duplicates, nothing bouncing around. Once every member has everything, the outboxes
 * empty.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Store } from "../../support/index.ts";
import { mlStatus, range, startMultiLeader, sumMetric, type Topology, waitConverged } from "./support.ts";

const WRITES_PER_LEADER = 20;

describe.each([
  ["AllToAll", 3],
  ["Circle", 3],
  ["Star", 3],
  ["AllToAll", 5],
  ["Circle", 5],
  ["Star", 5],
] as Array<[Topology, number]>)("%s with %i leaders and a follower", (topology, leaders) => {
  const nodes = leaders + 1;
  let store: Store;
  beforeAll(async () => {
    store = await startMultiLeader({ nodes, leaders, topology, hub: topology === "Star" ? 1 : 0 });
  });
  afterAll(() => store?.cleanup());

  it("converges, applies every update once and sends it once per node", async () => {
    const expected = new Map<string, string>();
    const writes: Promise<void>[] = [];
    for (const l of range(leaders)) {
      writes.push(
        (async () => {
          for (let k = 0; k < WRITES_PER_LEADER; k++) {
            const key = `${topology}-${l}-${k}`;
            const r = await store.client(l).put(key, `v${k}@${l}`);
            expect(r.status, r.text).toBe(200);
            expect(r.body.leader).toBe(store.id(l));
            expected.set(key, `v${k}@${l}`);
          }
        })(),
      );
    }
    await Promise.all(writes);
    const total = leaders * WRITES_PER_LEADER;
    await waitConverged(store, range(nodes), expected);

    // The outboxes empty once every member has every update: several resend ticks have passed by then.
    await eventually(
      async () => {
        for (const i of range(nodes)) expect((await mlStatus(store, i)).multiLeader.outbox).toBe(0);
      },
      { timeoutMs: 20_000, what: "outboxes truncated" },
    );

    for (const i of range(nodes)) {
      expect(
        await sumMetric(store, [i], "replistore_replication_applied_total"),
        `${store.id(i)} applied`,
      ).toBe(total);
    }
    const all = range(nodes);
    expect(
      await sumMetric(store, all, "replistore_replication_received_total", { result: "duplicate" }),
    ).toBe(0);
    expect(await sumMetric(store, all, "replistore_replication_sent_total")).toBe(total * (nodes - 1));
    for (const i of all) {
      for (const link of (await mlStatus(store, i)).multiLeader.sendsTo) {
        expect(link.updates, `${store.id(i)} -> ${link.peer}`).toBe(0);
      }
    }
  });
});
