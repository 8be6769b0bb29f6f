/**
 * Clock-offset refusal: node-2 runs 5 s ahead (REPLISTORE_CLOCK_SKEW_MS) with maxOffsetMs 500; its
 * peers refuse its timestamps, count and expose the offset, and its W=3 writes fail.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, metricValue, type Store, startStore, uniqueKey } from "../support/index.ts";

const SKEW_MS = 5_000;

describe("clock offset refusal", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startStore({
      nodes: 3,
      factor: 3,
      writeQuorum: 2,
      readQuorum: 2,
      config: { clock: { maxOffsetMs: 500 }, limits: { requestTimeoutMs: 1_500 } },
      nodeEnv: (i): Record<string, string> => (i === 2 ? { REPLISTORE_CLOCK_SKEW_MS: String(SKEW_MS) } : {}),
      waitForPeers: false,
    });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  async function refusedFromSkewed(): Promise<number> {
    let total = 0;
    for (const i of [0, 1]) {
      total +=
        metricValue(await store.client(i).metrics(), "replistore_clock_refused_total", {
          peer: store.id(2),
        }) ?? 0;
    }
    return total;
  }

  it("the skewed node's W=3 write fails with 503, and its peers count the refusals", async () => {
    const before = await refusedFromSkewed();
    const key = uniqueKey("skewed");
    const put = await store.client(2).put(key, "from the future", { w: 3 });
    expect(put.status, put.text).toBe(503);
    expect(put.body).toMatchObject({ error: "quorum_unavailable", needed: 3 });
    expect(put.body.reached).toBeLessThan(3);
    await eventually(async () => expect(await refusedFromSkewed()).toBeGreaterThan(before), {
      what: "replistore_clock_refused_total{peer=node-2} rises",
    });
    // the refused timestamp was not stored by the peers
    for (const i of [0, 1]) expect((await store.client(i).get(key, { local: true })).status).toBe(404);
  });

  it("its peers expose the offset they observe, in /v1/status and as a metric", async () => {
    await store.client(2).put(uniqueKey("probe"), "x", { w: 3 });
    await eventually(
      async () => {
        const status = await store.client(0).status();
        const clock = status.body.clock as { maxOffsetMs: number; peers: Record<string, number> };
        expect(clock.maxOffsetMs).toBe(500);
        expect(clock.peers[store.id(2)]).toBeGreaterThan(SKEW_MS - 1_000);
        expect(clock.peers[store.id(2)]).toBeLessThan(SKEW_MS + 1_000);
        expect(Math.abs(clock.peers[store.id(1)] ?? 0)).toBeLessThan(500);
        const offset = metricValue(await store.client(0).metrics(), "replistore_clock_offset_seconds", {
          peer: store.id(2),
        });
        expect(offset).toBeGreaterThan((SKEW_MS - 1_000) / 1000);
      },
      { timeoutMs: 10_000, what: "node-0 reports node-2's clock offset" },
    );
  });

  it("the healthy nodes keep coordinating writes among themselves", async () => {
    const key = uniqueKey("healthy");
    const put = await store.client(0).put(key, "now");
    expect(put.status, put.text).toBe(200);
    expect(put.body.acks).toBeGreaterThanOrEqual(2);
    const get = await store.client(1).get(key);
    expect(get.status).toBe(200);
    expect(get.text).toBe("now");
  });
});
