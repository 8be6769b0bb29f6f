/** Losing a quorum: 503 quorum_unavailable (needed, reached) within a bounded time; recovery after. */
import { afterEach, describe, expect, it } from "vitest";
import { eventually, metricValue, type Store, startStore, uniqueKey } from "../support/index.ts";

const REQUEST_TIMEOUT_MS = 1_500;
/** how much past the configured request timeout a coordinator may take to answer */
const SLACK_MS = 2_000;

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - start };
}

describe("3-node store losing its quorum", () => {
  let store: Store | undefined;

  afterEach(async () => {
    await store?.cleanup();
    store = undefined;
  });

  it("with 2 of 3 killed (SIGKILL): writes and reads get 503 naming needed and reached; recovers when they return", async () => {
    store = await startStore({
      nodes: 3,
      factor: 3,
      writeQuorum: 2,
      readQuorum: 2,
      config: { limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS } },
    });
    const s = store;
    const before = uniqueKey("before");
    expect((await s.client(0).put(before, "kept", { w: 3 })).status).toBe(200);

    await Promise.all([s.kill(1), s.kill(2)]);

    const key = uniqueKey("lost");
    const put = await timed(() => s.client(0).put(key, "v"));
    expect(put.result.status, put.result.text).toBe(503);
    expect(put.result.body).toMatchObject({ error: "quorum_unavailable", needed: 2, reached: 1 });
    expect(typeof put.result.body.message).toBe("string");
    expect(put.ms).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);

    const get = await timed(() => s.client(0).get(before));
    expect(get.result.status, get.result.text).toBe(503);
    expect(get.result.body).toMatchObject({ error: "quorum_unavailable", needed: 2, reached: 1 });
    expect(get.ms).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);

    const del = await s.client(0).del(before);
    expect(del.status).toBe(503);
    expect(del.body).toMatchObject({ error: "quorum_unavailable", needed: 2, reached: 1 });

    // The failed delete cannot be rolled back: node-0 stored the tombstone, so an R=1 read there
    // sees the key deleted, and the coordinator recorded it as a partial write for review.
    const r1 = await s.client(0).get(before, { r: 1 });
    expect(r1.status).toBe(404);
    const partials = (await s.client(0).conflicts({ kind: "partial_write" })).body.items as Array<{
      key: string;
      ownersReached: string[];
    }>;
    expect(partials.find((p) => p.key === before)?.ownersReached).toEqual([s.id(0)]);

    // what one node can still do: W=1 and R=1 are satisfiable
    const w1 = uniqueKey("w1");
    expect((await s.client(0).put(w1, "v", { w: 1 })).status).toBe(200);
    const r1ok = await s.client(0).get(w1, { r: 1 });
    expect(r1ok.status).toBe(200);
    expect(r1ok.text).toBe("v");

    const failures = metricValue(await s.client(0).metrics(), "replistore_quorum_failures_total");
    expect(failures).toBeGreaterThanOrEqual(2);

    await Promise.all([s.start(1), s.start(2)]);
    await eventually(
      async () => {
        const retry = await s.client(0).put(key, "v");
        expect(retry.status, retry.text).toBe(200);
      },
      { timeoutMs: 15_000, what: "writes succeed again once the nodes are back" },
    );
    // The partial delete reached node-0 only, but it was hinted for the others: once they are
    // back it converges everywhere (last write wins) until on-call decides otherwise.
    await eventually(async () => expect((await s.client(1).get(before, { local: true })).status).toBe(404), {
      timeoutMs: 15_000,
      what: "the partial delete reaches node-1 through hint replay",
    });
    expect((await s.client(2).get(key)).text).toBe("v");
  });

  it("a hung owner (SIGSTOP) neither blocks a write that has its quorum nor holds a failing one past the timeout", async () => {
    store = await startStore({
      nodes: 3,
      factor: 3,
      writeQuorum: 2,
      readQuorum: 2,
      config: { limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS }, hintedHandoff: { enabled: false } },
    });
    const s = store;
    s.suspend(2);
    try {
      // several keys, so that the hung node is among the first owners a coordinator asks for some
      const keys = Array.from({ length: 10 }, (_, i) => uniqueKey(`hung${i}`));
      for (const key of keys) {
        const put = await timed(() => s.client(0).put(key, "v"));
        expect(put.result.status, put.result.text).toBe(200);
        expect(put.ms).toBeLessThan(REQUEST_TIMEOUT_MS);
      }
      for (const key of keys) {
        const get = await timed(() => s.client(1).get(key));
        expect(get.result.status, `GET ${key} via node-1 with node-2 hung: ${get.result.text}`).toBe(200);
        expect(get.ms).toBeLessThan(REQUEST_TIMEOUT_MS);
      }
      const key = keys[0] ?? "";

      s.suspend(1);
      const lost = await timed(() => s.client(0).put(uniqueKey("hung2"), "v"));
      expect(lost.result.status, lost.result.text).toBe(503);
      expect(lost.result.body).toMatchObject({ error: "quorum_unavailable", needed: 2, reached: 1 });
      expect(lost.ms).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
      const lostRead = await timed(() => s.client(0).get(key));
      expect(lostRead.result.status, lostRead.result.text).toBe(503);
      expect(lostRead.ms).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    } finally {
      s.resume(1);
      s.resume(2);
    }
    await eventually(
      async () => {
        const put = await s.client(0).put(uniqueKey("resumed"), "v", { w: 3 });
        expect(put.status, put.text).toBe(200);
      },
      { timeoutMs: 15_000, what: "W=3 writes succeed after SIGCONT" },
    );
  });
});
