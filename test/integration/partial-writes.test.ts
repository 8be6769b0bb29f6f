/** A write that misses W but reached some owners is recorded durably as a partial write on its coordinator. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Store, startStore, uniqueKey } from "../support/index.ts";

interface PartialWrite {
  id: string;
  key: string;
  version: string;
  replaced: { version: string } | null;
  ownersReached: string[];
  ownersFailed: string[];
  detectedAt: string | number;
}

describe("partial writes", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startStore({
      nodes: 3,
      factor: 3,
      writeQuorum: 2,
      readQuorum: 2,
      config: { limits: { requestTimeoutMs: 1_500 } },
    });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  async function partialWrites(index: number): Promise<PartialWrite[]> {
    const reply = await store.client(index).partialWrites();
    expect(reply.status, reply.text).toBe(200);
    expect(Array.isArray(reply.body.items)).toBe(true);
    return reply.body.items as PartialWrite[];
  }

  it("W=3 with an owner down: 503 for the client, a partial-write record naming who has it", async () => {
    const fresh = uniqueKey("partial-new");
    const existing = uniqueKey("partial-old");
    const first = await store.client(0).put(existing, "before", { w: 3 });
    expect(first.status).toBe(200);

    await store.kill(2);
    try {
      const failed = await store.client(0).put(fresh, "partial", { w: 3 });
      expect(failed.status, failed.text).toBe(503);
      expect(failed.body).toMatchObject({ error: "quorum_unavailable", needed: 3, reached: 2 });
      const failedOver = await store.client(0).put(existing, "after", { w: 3 });
      expect(failedOver.status, failedOver.text).toBe(503);

      const items = await partialWrites(0);
      const created = items.find((item) => item.key === fresh);
      expect(created, JSON.stringify(items)).toBeDefined();
      expect(created).toMatchObject({ id: expect.any(String), version: expect.any(String), replaced: null });
      expect([...(created?.ownersReached ?? [])].sort()).toEqual([store.id(0), store.id(1)]);
      expect(created?.ownersFailed).toEqual([store.id(2)]);
      expect(created?.detectedAt).toBeTruthy();

      const overwritten = items.find((item) => item.key === existing);
      expect(overwritten, JSON.stringify(items)).toBeDefined();
      // node-0 coordinated and owned the key, so the record also carries the replaced value
      expect(overwritten?.replaced).toEqual({
        version: first.body.version,
        value: Buffer.from("before").toString("base64"),
      });

      // the partial write cannot be rolled back: it stays on the owners that took it
      const local = await store.client(1).get(fresh, { local: true });
      expect(local.status).toBe(200);
      expect(local.text).toBe("partial");
      expect(local.version).toBe(created?.version);

      // and the record is durable: it survives a crash of the coordinator
      await store.kill(0);
      await store.start(0);
      const again = await partialWrites(0);
      expect(again.map((item) => item.key)).toEqual(expect.arrayContaining([fresh, existing]));
    } finally {
      await store.start(2);
      // a coordinator fails fast on a peer it saw go down, until its heartbeat sees it back
      await store.waitForPeers();
    }
  });

  it("a write that reaches its quorum records nothing", async () => {
    const key = uniqueKey("complete");
    expect((await store.client(1).put(key, "v", { w: 3 })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await partialWrites(i)).some((item) => item.key === key)).toBe(false);
  });
});
