/**
 * Switching topology and the leader set through the config file on a live store, while writes
 * keep coming: every write lands everywhere exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Store } from "../../support/index.ts";
import { metric, mlStatus, range, startMultiLeader, updateMultiLeader, waitConverged } from "./support.ts";

describe("live topology switch", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startMultiLeader({ nodes: 4, leaders: 3, topology: "AllToAll" });
  });
  afterAll(() => store?.cleanup());

  it("AllToAll -> Circle -> Star -> 2 leaders, under writes", async () => {
    const expected = new Map<string, string>();
    let writing = true;
    let n = 0;
    const writer = (async () => {
      while (writing) {
        const leaders = store.config.multiLeader?.leaders ?? 1;
        const l = n % leaders;
        const key = `switch-${n}`;
        const r = await store.client(l).put(key, `v${n}`);
        // A node that was just made a follower forwards the write to a leader.
        expect(r.status, r.text).toBe(200);
        expected.set(key, `v${n}`);
        n++;
      }
    })();
    const waitFor = (what: string, check: () => Promise<void>) =>
      eventually(check, { what, timeoutMs: 15_000 });
    try {
      for (const topology of ["Circle", "Star"] as const) {
        const before = n;
        await updateMultiLeader(store, { topology });
        await waitFor(`every node runs ${topology}`, async () => {
          for (const i of range(4)) expect((await mlStatus(store, i)).multiLeader.topology).toBe(topology);
        });
        await waitFor("writes continue", async () => expect(n).toBeGreaterThan(before + 20));
      }
      await updateMultiLeader(store, { leaders: 2 });
      await waitFor("node-2 is a follower", async () =>
        expect((await mlStatus(store, 2)).node.role).toBe("follower"),
      );
      const before = n;
      await waitFor("writes continue", async () => expect(n).toBeGreaterThan(before + 20));
    } finally {
      writing = false;
      await writer;
    }
    await waitConverged(store, range(4), expected, 30_000);
    for (const i of range(4)) {
      expect(await metric(store, i, "replistore_replication_applied_total"), store.id(i)).toBe(expected.size);
    }
  });
});
