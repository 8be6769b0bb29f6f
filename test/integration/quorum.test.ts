/** 3-node store, N=3 W=2 R=2: quorum writes and reads, per-request overrides, any coordinator. */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Store, startStore, uniqueKey } from "../support/index.ts";

describe("3-node store: quorum writes and reads", () => {
  let store: Store;

  beforeAll(async () => {
    store = await startStore({ nodes: 3, factor: 3, writeQuorum: 2, readQuorum: 2 });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it("reports its replication settings and members in /v1/status", async () => {
    for (let i = 0; i < 3; i++) {
      const reply = await store.client(i).status();
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({
        node: { id: store.id(i), mode: "Leaderless" },
        generation: 1,
        replication: { factor: 3, writeQuorum: 2, readQuorum: 2 },
        clock: { maxOffsetMs: 500 },
        hints: { pending: 0 },
      });
      const members = reply.body.members as { id: string; url: string; self: boolean; healthy: boolean }[];
      expect(members.map((m) => m.id)).toEqual(store.ids);
      expect(members.filter((m) => m.self).map((m) => m.id)).toEqual([store.id(i)]);
      expect(members.every((m) => m.healthy)).toBe(true);
    }
  });

  it("any node coordinates a write; every node reads it back with the same version", async () => {
    const key = uniqueKey("quorum");
    const put = await store.client(1).put(key, "hello");
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ key, version: expect.any(String), acks: expect.any(Number) });
    expect(put.body.acks).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < 3; i++) {
      const get = await store.client(i).get(key);
      expect(get.status).toBe(200);
      expect(get.text).toBe("hello");
      expect(get.version).toBe(put.body.version);
    }
  });

  it("the last write wins, whichever node coordinated each write", async () => {
    const key = uniqueKey("lww");
    const first = await store.client(0).put(key, "one");
    const second = await store.client(2).put(key, "two");
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.version).not.toBe(first.body.version);
    for (let i = 0; i < 3; i++) {
      const get = await store.client(i).get(key);
      expect(get.text).toBe("two");
      expect(get.version).toBe(second.body.version);
    }
  });

  it("stores values byte for byte, whatever the content type", async () => {
    const key = uniqueKey("bytes");
    const value = randomBytes(64 * 1024);
    expect((await store.client(0).put(key, value)).status).toBe(200);
    const get = await store.client(1).get(key);
    expect(get.status).toBe(200);
    expect(get.bytes.equals(value)).toBe(true);

    for (const contentType of ["application/json", "text/plain", "application/x-www-form-urlencoded"]) {
      const k = uniqueKey("ctype");
      const body = contentType === "application/json" ? '{"not": "parsed"' : "a=1&b=2\n";
      const put = await store.client(0).put(k, body, { headers: { "content-type": contentType } });
      expect(put.status, `PUT with content-type ${contentType}: ${put.text}`).toBe(200);
      expect((await store.client(2).get(k)).text).toBe(body);
    }
  });

  it("stores an empty value", async () => {
    const key = uniqueKey("empty");
    expect((await store.client(0).put(key, "")).status).toBe(200);
    const get = await store.client(1).get(key);
    expect(get.status).toBe(200);
    expect(get.bytes.length).toBe(0);
  });

  it("accepts keys with URL-reserved and non-ASCII characters", async () => {
    for (const key of [`a/b/c-${uniqueKey()}`, `sp ace?&#%-${uniqueKey()}`, `ключ-🔑-${uniqueKey()}`]) {
      const put = await store.client(0).put(key, key);
      expect(put.status, `${key}: ${put.text}`).toBe(200);
      expect(put.body.key).toBe(key);
      const get = await store.client(2).get(key);
      expect(get.status).toBe(200);
      expect(get.text).toBe(key);
    }
  });

  it("?w=3 acknowledges only after every owner has it: all local copies exist right away", async () => {
    const key = uniqueKey("w3");
    const put = await store.client(0).put(key, "all", { w: 3 });
    expect(put.status).toBe(200);
    expect(put.body.acks).toBe(3);
    for (let i = 0; i < 3; i++) {
      const local = await store.client(i).get(key, { local: true });
      expect(local.status).toBe(200);
      expect(local.text).toBe("all");
      expect(local.version).toBe(put.body.version);
    }
  });

  it("?w=1 and ?r=1 / ?r=3 override the configured quorums", async () => {
    const key = uniqueKey("w1");
    const put = await store.client(0).put(key, "one", { w: 1 });
    expect(put.status).toBe(200);
    expect(put.body.acks).toBeGreaterThanOrEqual(1);
    const r3 = await store.client(1).get(key, { r: 3 });
    expect(r3.status).toBe(200);
    expect(r3.text).toBe("one");
    const r1 = await store.client(0).get(key, { r: 1 });
    expect(r1.status).toBe(200);
    expect(r1.text).toBe("one");
  });

  it("DELETE honours ?w=", async () => {
    const key = uniqueKey("delw");
    await store.client(0).put(key, "x", { w: 3 });
    const del = await store.client(1).del(key, { w: 3 });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ key, version: expect.any(String), acks: 3 });
    for (let i = 0; i < 3; i++) expect((await store.client(i).get(key, { local: true })).status).toBe(404);
  });

  it("404 not_found (JSON) for a key never written, for quorum and local reads", async () => {
    const key = uniqueKey("missing");
    for (const local of [false, true]) {
      const get = await store.client(0).get(key, { local });
      expect(get.status).toBe(404);
      expect(get.isJson).toBe(true);
      expect(get.body.error).toBe("not_found");
    }
  });

  it("keeps serving with one node crashed (SIGKILL), and the node serves again after restart", async () => {
    const key = uniqueKey("one-down");
    await store.kill(2);
    try {
      const put = await store.client(0).put(key, "v");
      expect(put.status).toBe(200);
      expect(put.body.acks).toBe(2);
      const get = await store.client(1).get(key);
      expect(get.status).toBe(200);
      expect(get.text).toBe("v");
    } finally {
      await store.start(2);
    }
    await store.waitForPeers();
    const get = await store.client(2).get(key);
    expect(get.status).toBe(200);
    expect(get.text).toBe("v");
  });

  it("counts requests in replistore_requests_total and exposes the other metric families", async () => {
    const samples = await store.client(0).metrics();
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      "replistore_requests_total",
      "replistore_request_duration_seconds_bucket",
      "replistore_keys",
      "replistore_bytes",
      "replistore_hints_pending",
      "replistore_peer_up",
      "replistore_memory_trims_total",
    ]) {
      expect(names.has(name), `${name} missing from /metrics`).toBe(true);
    }
    const ok = samples.filter((s) => s.name === "replistore_requests_total" && s.value > 0);
    expect(ok.length).toBeGreaterThan(0);
    for (const s of ok) expect(s.labels).toHaveProperty("op");
    for (const s of ok) expect(s.labels).toHaveProperty("outcome");
    const peerUp = samples.filter((s) => s.name === "replistore_peer_up");
    expect(peerUp.map((s) => s.labels.peer).sort()).toEqual(
      expect.arrayContaining([store.id(1), store.id(2)]),
    );
  });
});
