/** Deletes write tombstones; a replica that missed the delete cannot bring the key back. */
import { describe, expect, it } from "vitest";
import {
  eventually,
  SHORT_REQUEST_TIMEOUT,
  THREE_NODES_MAJORITY,
  uniqueKey,
  useStore,
} from "../support/index.ts";

describe("delete and tombstones", () => {
  const env = useStore({
    ...THREE_NODES_MAJORITY,
    config: { hintedHandoff: { enabled: false }, ...SHORT_REQUEST_TIMEOUT },
  });

  it("DELETE answers {key, version, acks}; afterwards every node answers 404", async () => {
    const key = uniqueKey("del");
    const put = await env.store.client(0).put(key, "v", { w: 3 });
    const del = await env.store.client(1).del(key);
    expect(del.status, del.text).toBe(200);
    expect(del.body).toMatchObject({ key, version: expect.any(String) });
    expect(del.body.acks).toBeGreaterThanOrEqual(2);
    expect(del.body.version).not.toBe(put.body.version);
    for (let i = 0; i < 3; i++) {
      const get = await env.store.client(i).get(key);
      expect(get.status).toBe(404);
      expect(get.body.error).toBe("not_found");
    }
  });

  it("a replica that missed the delete cannot resurrect the key through read repair", async () => {
    const key = uniqueKey("zombie");
    expect((await env.store.client(0).put(key, "alive", { w: 3 })).status).toBe(200);

    env.store.partition(2);
    try {
      const del = await env.store.client(0).del(key);
      expect(del.status, del.text).toBe(200);
      expect(del.body.acks).toBe(2);
      expect((await env.store.client(2).get(key, { local: true })).text, "node-2 missed the delete").toBe(
        "alive",
      );
    } finally {
      env.store.heal(2);
    }

    // the stale node coordinates reads, all owners asked: the tombstone is newer than its copy
    await eventually(
      async () => {
        const read = await env.store.client(2).get(key, { r: 3 });
        expect(read.status, read.text).toBe(404);
      },
      { timeoutMs: 15_000, what: "node-2 reaches its peers again" },
    );
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) expect((await env.store.client(i).get(key)).status).toBe(404);
    }
    await eventually(
      async () => {
        await env.store.client(0).get(key, { r: 3 });
        expect((await env.store.client(2).get(key, { local: true })).status).toBe(404);
      },
      { timeoutMs: 15_000, what: "read repair writes the tombstone to node-2" },
    );
    for (let i = 0; i < 3; i++) expect((await env.store.client(i).get(key)).status).toBe(404);
  });

  it("a key can be written again after a delete", async () => {
    const key = uniqueKey("reborn");
    await env.store.client(0).put(key, "first");
    expect((await env.store.client(1).del(key)).status).toBe(200);
    const put = await env.store.client(2).put(key, "second");
    expect(put.status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await env.store.client(i).get(key)).text).toBe("second");
  });

  it("deleting a key that was never written leaves it not found", async () => {
    const key = uniqueKey("never");
    const del = await env.store.client(0).del(key);
    expect([200, 404]).toContain(del.status);
    expect(del.isJson).toBe(true);
    expect((await env.store.client(1).get(key)).status).toBe(404);
  });
});
