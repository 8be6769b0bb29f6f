/** Hinted handoff: writes for a crashed owner wait as durable hints on the coordinator and replay when it returns. */
import { afterEach, describe, expect, it } from "vitest";
import { eventually, metricValue, type Store, startStore, uniqueKey } from "../support/index.ts";

describe("hinted handoff", () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.cleanup();
    store = undefined;
  });

  it("hints pile up while an owner is down and replay when it is back", async () => {
    store = await startStore({ nodes: 3, factor: 3, writeQuorum: 2, readQuorum: 2 });
    const s = store;
    await s.kill(2);
    const keys = Array.from({ length: 20 }, (_, i) => uniqueKey(`hint${i}`));
    const versions = new Map<string, string>();
    for (const key of keys) {
      const put = await s.client(0).put(key, `value-of-${key}`);
      expect(put.status, put.text).toBe(200);
      expect(put.body.acks, "hints must not count toward W").toBe(2);
      versions.set(key, String(put.body.version));
    }
    const status = await s.client(0).status();
    const hints = status.body.hints as { pending: number; bytes: number };
    expect(hints.pending).toBeGreaterThanOrEqual(keys.length);
    expect(hints.bytes).toBeGreaterThan(0);
    expect(metricValue(await s.client(0).metrics(), "replistore_hints_pending")).toBeGreaterThanOrEqual(
      keys.length,
    );
    const replayedBefore = metricValue(await s.client(0).metrics(), "replistore_hints_replayed_total") ?? 0;

    await s.start(2);
    await eventually(
      async () => {
        for (const key of keys) {
          const local = await s.client(2).get(key, { local: true });
          expect(local.status, `${key} on node-2`).toBe(200);
          expect(local.text).toBe(`value-of-${key}`);
          expect(local.version).toBe(versions.get(key));
        }
      },
      { timeoutMs: 20_000, what: "node-2 receives every hinted write" },
    );
    await eventually(
      async () => {
        const metrics = await s.client(0).metrics();
        expect(metricValue(metrics, "replistore_hints_replayed_total")).toBeGreaterThanOrEqual(
          replayedBefore + keys.length,
        );
        expect(metricValue(metrics, "replistore_hints_pending")).toBe(0);
        const after = await s.client(0).status();
        expect(after.body).toMatchObject({ hints: { pending: 0 } });
      },
      { timeoutMs: 10_000, what: "coordinator's hint queue drained" },
    );
  });

  it("hints survive a coordinator crash", async () => {
    store = await startStore({ nodes: 3, factor: 3, writeQuorum: 2, readQuorum: 2 });
    const s = store;
    await s.kill(2);
    const key = uniqueKey("durable-hint");
    expect((await s.client(0).put(key, "hinted")).status).toBe(200);
    await s.kill(0);
    await s.start(0);
    expect((await s.client(0).status()).body).toMatchObject({ hints: { pending: 1 } });
    await s.start(2);
    await eventually(
      async () => {
        const local = await s.client(2).get(key, { local: true });
        expect(local.status).toBe(200);
        expect(local.text).toBe("hinted");
      },
      { timeoutMs: 20_000, what: "hint replayed after the coordinator restarted" },
    );
  });

  it("hints beyond maxBytes are dropped and counted", async () => {
    store = await startStore({
      nodes: 3,
      factor: 3,
      writeQuorum: 2,
      readQuorum: 2,
      config: { hintedHandoff: { maxBytes: 4096 } },
    });
    const s = store;
    await s.kill(2);
    for (let i = 0; i < 10; i++) {
      const put = await s.client(0).put(uniqueKey(`big${i}`), Buffer.alloc(1024, 1));
      expect(put.status, put.text).toBe(200);
    }
    const metrics = await s.client(0).metrics();
    expect(metricValue(metrics, "replistore_hints_dropped_total")).toBeGreaterThan(0);
    const status = await s.client(0).status();
    const hints = status.body.hints as { pending: number; bytes: number };
    expect(hints.bytes).toBeLessThanOrEqual(4096);
    expect(hints.pending).toBeLessThan(10);
  });

  it("with hinted handoff disabled, no hints are kept", async () => {
    store = await startStore({
      nodes: 3,
      factor: 3,
      writeQuorum: 2,
      readQuorum: 2,
      config: { hintedHandoff: { enabled: false } },
    });
    await store.kill(2);
    expect((await store.client(0).put(uniqueKey("nohint"), "x")).status).toBe(200);
    expect((await store.client(0).status()).body).toMatchObject({ hints: { pending: 0, bytes: 0 } });
  });
});
