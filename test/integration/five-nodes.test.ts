/** 5-node stores: keys live on exactly N owners; N=5 W=3 R=3 tolerates two failures, not three. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Store, startStore, uniqueKey } from "../support/index.ts";

describe("5 nodes, N=3 W=2 R=2: consistent hashing places each key on 3 of the 5", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startStore({ nodes: 5, factor: 3, writeQuorum: 2, readQuorum: 2 });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it("every key is held by exactly 3 nodes, the keys spread over all 5, and any node reads any key", async () => {
    const holders = new Map<string, number>();
    const keys = Array.from({ length: 30 }, (_, i) => uniqueKey(`spread${i}`));
    for (const [i, key] of keys.entries()) {
      const put = await store.client(i % 5).put(key, `value-${key}`, { w: 3 });
      expect(put.status, put.text).toBe(200);
      expect(put.body.acks).toBe(3);
    }
    for (const key of keys) {
      const owners: number[] = [];
      for (let n = 0; n < 5; n++) {
        const local = await store.client(n).get(key, { local: true });
        if (local.status === 200) owners.push(n);
        else expect(local.status).toBe(404);
      }
      expect(owners, `owners of ${key}`).toHaveLength(3);
      for (const n of owners) holders.set(store.id(n), (holders.get(store.id(n)) ?? 0) + 1);
      for (let n = 0; n < 5; n++) {
        const get = await store.client(n).get(key);
        expect(get.status).toBe(200);
        expect(get.text).toBe(`value-${key}`);
      }
    }
    expect([...holders.keys()].sort()).toEqual([...store.ids].sort());
  });

  it("reports N=3 of 5 members in /v1/status", async () => {
    const reply = await store.client(4).status();
    expect(reply.body).toMatchObject({ replication: { factor: 3, writeQuorum: 2, readQuorum: 2 } });
    expect(reply.body.members).toHaveLength(5);
  });
});

describe("5 nodes, N=5 W=3 R=3", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startStore({
      nodes: 5,
      factor: 5,
      writeQuorum: 3,
      readQuorum: 3,
      config: { limits: { requestTimeoutMs: 1_500 } },
    });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it("serves with 2 nodes down, refuses with 3 down (needed 3, reached 2), and recovers", async () => {
    const early = uniqueKey("early");
    expect((await store.client(0).put(early, "early")).status).toBe(200);

    await Promise.all([store.kill(3), store.kill(4)]);
    const during = uniqueKey("during");
    const put = await store.client(1).put(during, "during");
    expect(put.status, put.text).toBe(200);
    expect(put.body.acks).toBe(3);
    expect((await store.client(2).get(early)).text).toBe("early");

    await store.kill(2);
    const refused = await store.client(0).put(uniqueKey("refused"), "x");
    expect(refused.status, refused.text).toBe(503);
    expect(refused.body).toMatchObject({ error: "quorum_unavailable", needed: 3, reached: 2 });
    const unreadable = await store.client(0).get(during);
    expect(unreadable.status).toBe(503);
    expect(unreadable.body).toMatchObject({ error: "quorum_unavailable", needed: 3, reached: 2 });

    await Promise.all([store.start(2), store.start(3), store.start(4)]);
    await eventually(
      async () => {
        const get = await store.client(4).get(during);
        expect(get.status, get.text).toBe(200);
        expect(get.text).toBe("during");
      },
      { timeoutMs: 15_000, what: "reads through a restarted node" },
    );
    const again = await store.client(3).put(uniqueKey("again"), "x");
    expect(again.status, again.text).toBe(200);
  });
});
