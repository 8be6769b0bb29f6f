/**
 * Read repair: an owner that missed a write (its inbound connections cut by the proxy, hinted handoff
 * off so nothing else can fix it) gets the newest version from a quorum read after the partition heals.
 */
import { describe, expect, it } from "vitest";
import {
  eventually,
  metricValue,
  type Reply,
  SHORT_REQUEST_TIMEOUT,
  THREE_NODES_MAJORITY,
  uniqueKey,
  useStore,
} from "../support/index.ts";

describe("read repair", () => {
  const env = useStore({
    ...THREE_NODES_MAJORITY,
    config: { hintedHandoff: { enabled: false }, ...SHORT_REQUEST_TIMEOUT },
  });

  async function repairsTotal(): Promise<number> {
    let total = 0;
    for (let i = 0; i < env.store.size; i++) {
      total += metricValue(await env.store.client(i).metrics(), "replistore_read_repairs_total") ?? 0;
    }
    return total;
  }

  /** Writes v1 everywhere, then v2 while node-2 is cut off; leaves node-2 holding v1. */
  async function staleOnNode2(key: string): Promise<{ v1: string; v2: string }> {
    await env.store.waitForPeers(); // an earlier test's partition is healed and noticed
    const first = await env.store.client(0).put(key, "v1", { w: 3 });
    expect(first.status, first.text).toBe(200);
    env.store.partition(2);
    try {
      const second = await env.store.client(0).put(key, "v2");
      expect(second.status, second.text).toBe(200);
      expect(second.body.acks).toBe(2);
      const stale = await env.store.client(2).get(key, { local: true });
      expect(stale.text, "node-2 should still hold v1 while partitioned").toBe("v1");
      expect(stale.version).toBe(first.body.version);
      expect((await env.store.client(0).status()).body).toMatchObject({ hints: { pending: 0 } });
      return { v1: String(first.body.version), v2: String(second.body.version) };
    } finally {
      env.store.heal(2);
    }
  }

  /**
   * Leaves node-2 stale on `key`, then reads with `read` until it answers v2 and node-2's local copy
   * is v2 again; the nodes count a read repair.
   */
  async function expectReadRepair(key: string, read: () => Promise<Reply>, what: string): Promise<void> {
    const { v2 } = await staleOnNode2(key);
    const before = await repairsTotal();
    await eventually(
      async () => {
        const answer = await read();
        expect(answer.status, answer.text).toBe(200);
        expect(answer.text).toBe("v2");
        expect(answer.version).toBe(v2);
        const local = await env.store.client(2).get(key, { local: true });
        expect(local.text).toBe("v2");
        expect(local.version).toBe(v2);
      },
      { timeoutMs: 15_000, what },
    );
    expect(await repairsTotal()).toBeGreaterThan(before);
  }

  it("a quorum read (default R) coordinated by the stale owner answers v2 and repairs its copy", async () => {
    const key = uniqueKey("self-repair");
    await expectReadRepair(key, () => env.store.client(2).get(key), "node-2's local copy repaired to v2");
  });

  it("a quorum read from another coordinator that reaches the stale owner repairs it over the network", async () => {
    const key = uniqueKey("remote-repair");
    await expectReadRepair(
      key,
      // r=3 makes node-0 ask node-2 whatever order it prefers
      () => env.store.client(0).get(key, { r: 3 }),
      "node-2's local copy repaired to v2 by node-0",
    );
  });

  it("while still cut off, the stale owner coordinates a read that answers the newest version", async () => {
    const key = uniqueKey("newest");
    expect((await env.store.client(1).put(key, "old", { w: 3 })).status).toBe(200);
    env.store.partition(2);
    try {
      const put = await env.store.client(1).put(key, "new");
      expect(put.status, put.text).toBe(200);
      expect((await env.store.client(2).get(key, { local: true })).text).toBe("old");
      // node-2's outgoing calls still work: it asks itself (old) and a peer (new); newest wins
      const read = await env.store.client(2).get(key);
      expect(read.status, read.text).toBe(200);
      expect(read.text).toBe("new");
      expect(read.version).toBe(put.body.version);
    } finally {
      env.store.heal(2);
    }
  });
});
