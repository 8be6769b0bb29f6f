/**
 * What the outbox cannot cover, repair does: a follower whose disk was wiped after every outbox
 * had been truncated gets its keys back from `replistore repair`, which treats all members of a
 * multi-leader store as owners of every key. And the lag metrics say how far a cut-off peer is behind.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRepair } from "../../support/anti-entropy.ts";
import { eventually, type Store } from "../../support/index.ts";
import { metric, mlStatus, range, startMultiLeader, waitConverged } from "./support.ts";

describe("multi-leader repair and lag", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startMultiLeader({ nodes: 3, leaders: 2, topology: "AllToAll" });
  });
  afterAll(() => store?.cleanup());

  it("reports the updates a cut-off peer lacks and how old the oldest is", async () => {
    store.partition(1);
    for (let k = 0; k < 5; k++) expect((await store.client(0).put(`lag-${k}`, "v")).status).toBe(200);
    const labels = { peer: store.id(1) };
    await eventually(async () => {
      expect(await metric(store, 0, "replistore_replication_lag_updates", labels)).toBe(5);
      expect(await metric(store, 0, "replistore_replication_lag_seconds", labels)).toBeGreaterThan(0.2);
    });
    store.heal(1);
    await eventually(
      async () => {
        expect(await metric(store, 0, "replistore_replication_lag_updates", labels)).toBe(0);
        expect(await metric(store, 0, "replistore_replication_lag_seconds", labels)).toBe(0);
      },
      { timeoutMs: 15_000 },
    );
  });

  it("repair restores a member that lost its disk after the outboxes were truncated", async () => {
    const expected = new Map<string, string>();
    for (let k = 0; k < 40; k++) {
      const r = await store.client(k % 2).put(`wiped-${k}`, `v${k}`);
      expect(r.status, r.text).toBe(200);
      expected.set(`wiped-${k}`, `v${k}`);
    }
    await waitConverged(store, range(3), expected);
    await eventually(async () => {
      for (const i of range(3)) expect((await mlStatus(store, i)).multiLeader.outbox).toBe(0);
    });

    await store.stop(2);
    await rm(join(store.dir, store.id(2)), { recursive: true, force: true });
    await store.start(2);
    expect((await store.client(2).get("wiped-0", { local: true })).status).toBe(404);

    const run = await runRepair(store);
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary.keysRepaired).toBeGreaterThanOrEqual(40);
    await waitConverged(store, [2], expected, 5_000);
  });
});
