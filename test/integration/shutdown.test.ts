/** SIGTERM: stop accepting, finish what is in flight, flush, exit 0. */
import { PassThrough } from "node:stream";
import { Client } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { type Store, send, startStore, uniqueKey } from "../support/index.ts";

describe("graceful shutdown", () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.cleanup();
    store = undefined;
  });

  it("requests in flight when SIGTERM arrives complete with 200, then the node exits 0", async () => {
    store = await startStore({ nodes: 3, factor: 3, writeQuorum: 2, readQuorum: 2 });
    const s = store;
    const url = s.urls[0] ?? "";
    const count = 6;
    const half = Buffer.alloc(32 * 1024, 0x61);
    const keys = Array.from({ length: count }, (_, i) => uniqueKey(`inflight${i}`));
    const clients = keys.map(() => new Client(url, { headersTimeout: 30_000, bodyTimeout: 30_000 }));
    try {
      // one connection per request, proven accepted by a first complete request on it
      for (const client of clients) {
        const warm = await client.request({ method: "GET", path: "/healthz" });
        await warm.body.dump();
      }
      const bodies = keys.map(() => new PassThrough());
      const pending = keys.map((key, i) =>
        clients[i]?.request({
          method: "PUT",
          path: `/v1/kv/${encodeURIComponent(key)}`,
          headers: { "content-type": "application/octet-stream", "content-length": String(half.length * 2) },
          body: bodies[i],
        }),
      );
      for (const body of bodies) body.write(half);
      // the headers and half of each body are on the wire; let the node start on them
      await new Promise((resolve) => setTimeout(resolve, 300));

      const exit = s.node(0).stop();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(s.node(0).running, "the node must wait for its in-flight requests").toBe(true);
      for (const body of bodies) body.end(half);

      const replies = await Promise.all(pending);
      for (const reply of replies) {
        const text = await reply?.body.text();
        expect(reply?.statusCode, text).toBe(200);
      }
      expect(await exit).toEqual({ code: 0, signal: null });
    } finally {
      await Promise.all(clients.map((client) => client.destroy()));
    }
    await expect(send(url, "GET", "/healthz", { timeoutMs: 2_000 })).rejects.toThrow();

    // every acknowledged write is there
    for (const key of keys) {
      const get = await s.client(1).get(key);
      expect(get.status).toBe(200);
      expect(get.bytes.length).toBe(half.length * 2);
    }
    await s.start(0);
    for (const key of keys)
      expect((await s.client(0).get(key, { local: true })).bytes.length).toBe(half.length * 2);
  });

  it("under a burst of requests, SIGTERM loses no acknowledged write and never answers 5xx for it", async () => {
    store = await startStore({ nodes: 3, factor: 3, writeQuorum: 2, readQuorum: 2 });
    const s = store;
    const c = s.client(0);
    const acked = new Map<string, string>();
    const statuses = new Map<number, number>();
    let stopping: ReturnType<Store["stop"]> | undefined;
    let sent = 0;
    const worker = async () => {
      while (!stopping || s.node(0).running) {
        const key = uniqueKey("burst");
        sent++;
        if (sent === 200) stopping = s.stop(0);
        try {
          const reply = await c.put(key, `v-${key}`, { timeoutMs: 10_000 });
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          if (reply.status === 200) acked.set(key, `v-${key}`);
        } catch {
          // connection refused or closed before a response: the request was not accepted
          if (stopping) return;
        }
        if (sent > 5_000) return;
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(stopping).toBeDefined();
    expect(await stopping).toEqual({ code: 0, signal: null });
    expect(statuses.get(500) ?? 0).toBe(0);
    expect(acked.size).toBeGreaterThanOrEqual(180);
    await s.start(0);
    await s.waitForPeers();
    for (const [key, value] of acked) {
      const get = await s.client(1).get(key);
      expect(get.status, key).toBe(200);
      expect(get.text).toBe(value);
    }
  });
});
