/**
 * The peer protocol trusts nothing: a batch or anti-entropy message from a buggy or hostile peer
 * (here: the test, holding the store's token) gets a clear 4xx, stores nothing it should not, and
 * leaves the node answering normally. Every record's version obeys the max clock offset rule.
 */
import { pack, unpack } from "msgpackr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BATCH_PATH, OP_GET, OP_GET_NEWER, OP_PUT, PEER_PROTOCOL } from "../../src/node/peers/protocol.ts";
import { AE_APPLY, AE_LOCK, AE_REPORT, AE_UNLOCK } from "../../src/wire/anti-entropy.ts";
import { metricValue, type Reply, type Store, send, startStore, uniqueKey } from "../support/index.ts";

const TOKEN = "peer-protocol-secret";
/** 2100-01-01T00:00:00Z: a version no clock within clock.maxOffset can have minted. */
const YEAR_2100_MS = 4_102_444_800_000;

describe("peer protocol", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startStore({ nodes: 3, factor: 3, writeQuorum: 2, readQuorum: 2, token: TOKEN });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  /** POSTs raw bytes (msgpack or not) to node `index`'s internal route, as a peer would. */
  const postRaw = (index: number, path: string, body: Buffer): Promise<Reply> =>
    send(store.urls[index]!, "POST", path, {
      body,
      headers: { "content-type": "application/msgpack" },
      token: TOKEN,
    });
  const post = (index: number, path: string, value: unknown) => postRaw(index, path, pack(value));
  const batchOf = (...ops: unknown[]) => ({ from: store.id(1), clock: [Date.now(), 0], ops });

  function expectClientError(reply: Reply, status: number, error: string, what: string) {
    expect(reply.status, `${what}: ${reply.text}`).toBe(status);
    expect(reply.isJson, `${what}: a JSON error, got ${reply.headers["content-type"]} ${reply.text}`).toBe(
      true,
    );
    expect(reply.body.error, what).toBe(error);
    expect(String(reply.body.message).length, `${what}: the message says what is wrong`).toBeGreaterThan(10);
  }

  async function localValue(index: number, key: string): Promise<Reply> {
    return store.client(index).get(key, { local: true });
  }

  describe("a record whose version is beyond clock.maxOffset", () => {
    it("is refused for its op alone, with record_from_future; the batch's other ops are applied", async () => {
      const future = uniqueKey("future");
      const fine = uniqueKey("fine");
      const reply = await post(
        0,
        BATCH_PATH,
        batchOf(
          [OP_PUT, future, [YEAR_2100_MS, 0, store.id(1), Buffer.from("from 2100")]],
          [OP_PUT, fine, [Date.now(), 0, store.id(1), Buffer.from("now")]],
        ),
      );
      expect(reply.status, reply.text).toBe(200);
      const res = unpack(reply.bytes) as { results: unknown[] };
      expect(res.results[0]).toMatchObject({ refused: "record_from_future" });
      expect(String((res.results[0] as { message: string }).message)).toContain(JSON.stringify(future));
      expect(res.results[1]).toEqual([1, null]);
      expect((await localValue(0, future)).status).toBe(404);
      expect((await localValue(0, fine)).text).toBe("now");
    });

    it("never hides later acknowledged writes to its key", async () => {
      const key = uniqueKey("hidden");
      await post(0, BATCH_PATH, batchOf([OP_PUT, key, [YEAR_2100_MS, 0, store.id(1), Buffer.from("2100")]]));
      const put = await store.client(1).put(key, "today", { w: 3 });
      expect(put.status, put.text).toBe(200);
      for (let i = 0; i < store.size; i++) {
        expect((await store.client(i).get(key, { r: 3 })).text, store.id(i)).toBe("today");
        expect((await localValue(i, key)).text, `${store.id(i)}'s own copy`).toBe("today");
      }
    });

    it("is counted as a refused clock", async () => {
      const before =
        metricValue(await store.client(2).metrics(), "replistore_clock_refused_total", {
          peer: store.id(1),
          direction: "in",
        }) ?? 0;
      const key = uniqueKey("counted");
      await post(2, BATCH_PATH, batchOf([OP_PUT, key, [YEAR_2100_MS, 0, store.id(1), null]]));
      const after = metricValue(await store.client(2).metrics(), "replistore_clock_refused_total", {
        peer: store.id(1),
        direction: "in",
      });
      expect(after).toBe(before + 1);
    });
  });

  describe("a malformed batch", () => {
    it("with a malformed record is 400 invalid_record naming the field, and stores nothing", async () => {
      const key = uniqueKey("malformed");
      const records: Array<[unknown, string]> = [
        [["x", 0], "[2][0]"],
        [[Date.now(), 0, store.id(1), "a string, not bytes"], "[2][3]"],
        [[Date.now(), -1, store.id(1), null], "[2][1]"],
        [[Date.now(), 0, "", null], "[2][2]"],
        [[Date.now() + 0.5, 0, store.id(1), null], "[2][0]"],
      ];
      for (const [record, field] of records) {
        const reply = await post(
          0,
          BATCH_PATH,
          batchOf([OP_PUT, uniqueKey("ok"), [Date.now(), 0, store.id(1), null]], [OP_PUT, key, record]),
        );
        expectClientError(reply, 400, "invalid_record", JSON.stringify(record));
        expect(String(reply.body.message)).toContain(`ops[1]${field}`);
      }
      expect((await localValue(0, key)).status).toBe(404);
      const put = await store.client(0).put(key, "after", { w: 3 });
      expect(put.status, put.text).toBe(200);
      expect((await localValue(0, key)).text).toBe("after");
    });

    it("is 400 invalid_batch for a body that is not a batch, before anything is applied", async () => {
      const key = uniqueKey("partial");
      const bodies: Array<[Buffer, string]> = [
        [Buffer.from([0xc1]), "a byte msgpack never uses"],
        [Buffer.from("not msgpack at all, just text"), "text"],
        [Buffer.alloc(0), "an empty body"],
        [pack({ hello: 1 }), "an object without from, clock, ops"],
        [pack(5), "a number"],
        [pack({ from: store.id(1), clock: [Date.now()], ops: [] }), "a clock without its logical part"],
        [pack({ from: store.id(1), clock: [Date.now(), 0], ops: {} }), "ops not a list"],
        [pack(batchOf([OP_PUT, key, [Date.now(), 0, store.id(1), null]], [99, "k"])), "an unknown op code"],
        [pack(batchOf([OP_PUT, key, [Date.now(), 0, store.id(1), null]], [OP_GET])), "a get without a key"],
        [pack(batchOf([OP_PUT, key, [Date.now(), 0, store.id(1), null]], "op")), "an op that is not a tuple"],
        [pack(batchOf([OP_GET, "bad\u0000key"])), "a key with a control character"],
        [pack(batchOf([OP_GET_NEWER, key])), "a get-newer without the version it knows"],
        [pack(batchOf([OP_GET_NEWER, key, [Date.now(), 0]])), "a get-newer version without its node"],
      ];
      for (const [body, what] of bodies) {
        const reply = await postRaw(0, BATCH_PATH, body);
        expect(reply.status, `${what}: ${reply.text}`).toBe(400);
        expect(reply.isJson, what).toBe(true);
        expect(["invalid_batch", "invalid_record"], what).toContain(reply.body.error);
      }
      expect((await localValue(0, key)).status, "the well-formed op of a refused batch").toBe(404);
      expect((await send(store.urls[0]!, "GET", "/healthz")).status).toBe(200);
    });
  });

  describe("a get-newer (digest read)", () => {
    it("sends the value only when the node's copy is newer than the version named, else its version", async () => {
      const key = uniqueKey("digest");
      const put = await store.client(0).put(key, "held", { w: 3 });
      expect(put.status, put.text).toBe(200);
      const held = unpack((await post(0, BATCH_PATH, batchOf([OP_GET, key]))).bytes) as {
        results: [[number, number, string, Uint8Array]];
      };
      const [wall, logical, node] = held.results[0];
      const missing = uniqueKey("digest-missing");
      const reply = await post(
        0,
        BATCH_PATH,
        batchOf(
          [OP_GET_NEWER, key, [wall, logical, node]],
          [OP_GET_NEWER, key, [wall - 1, 0, node]],
          [OP_GET_NEWER, key, [wall + 1, 0, node]],
          [OP_GET_NEWER, key, null],
          [OP_GET_NEWER, missing, [wall, logical, node]],
        ),
      );
      expect(reply.status, reply.text).toBe(200);
      const res = unpack(reply.bytes) as { results: unknown[]; protocol: number };
      expect(res.protocol, "the answer says which peer protocol the node speaks").toBe(PEER_PROTOCOL);
      const value = Buffer.from("held");
      expect(res.results).toEqual([
        [[wall, logical, node]], // the sender holds the same version: no value
        [wall, logical, node, value], // the sender's is older: the whole record
        [[wall, logical, node]], // the sender's is newer: this copy's version, to repair
        [wall, logical, node, value], // the sender holds none: the whole record
        [null], // this node holds none
      ]);
    });

    it("is what the ping says it speaks", async () => {
      const ping = await send(store.urls[1]!, "GET", "/internal/v1/ping", { token: TOKEN });
      expect(ping.status, ping.text).toBe(200);
      expect(ping.body).toMatchObject({ id: store.id(1), protocol: PEER_PROTOCOL });
    });
  });

  describe("anti-entropy routes", () => {
    it("answer a malformed body with a 4xx JSON error, never a 5xx", async () => {
      const paths = ["level", "keys", "records", "apply", "purge", "lock", "unlock", "report"];
      const bodies: Array<[Buffer, string]> = [
        [Buffer.from([0xc1]), "not msgpack"],
        [pack({}), "an empty object"],
        [pack(5), "a number"],
        [pack(null), "null"],
        [pack({ set: 7, level: "x", keys: "k", records: {}, holder: 3, ttlMs: "soon" }), "wrong types"],
      ];
      for (const path of paths) {
        for (const [body, what] of bodies) {
          const reply = await postRaw(0, `/internal/v1/ae/${path}`, body);
          expect(reply.status, `${path} with ${what}: ${reply.text}`).toBeGreaterThanOrEqual(400);
          expect(reply.status, `${path} with ${what}: ${reply.text}`).toBeLessThan(500);
          expect(reply.isJson, `${path} with ${what}: ${reply.text}`).toBe(true);
        }
      }
    });

    it("apply refuses a malformed record with 400 and stores none of the request", async () => {
      const good = uniqueKey("ae-good");
      const reply = await post(0, AE_APPLY, {
        records: [
          [good, [Date.now(), 0, store.id(1), Buffer.from("v")]],
          [uniqueKey("ae-bad"), [Date.now(), 0, store.id(1), "text"]],
        ],
      });
      expectClientError(reply, 400, "invalid_request", "apply with a string value");
      expect(String(reply.body.message)).toContain("records[1][1][3]");
      expect((await localValue(0, good)).status).toBe(404);
    });

    it("refuses an empty or partial report with 400 invalid_report; /metrics keeps working", async () => {
      for (const report of [{}, { ok: true }, { finishedAt: "yesterday", ok: true }]) {
        const reply = await post(1, AE_REPORT, report);
        expectClientError(reply, 400, "invalid_report", JSON.stringify(report));
        const metrics = await send(store.urls[1]!, "GET", "/metrics");
        expect(metrics.status, `/metrics after ${JSON.stringify(report)}: ${metrics.text}`).toBe(200);
      }
      const valid = {
        finishedAt: Date.now(),
        ok: true,
        setsCompared: 1,
        setsSkipped: 0,
        keysCompared: 10,
        keysRepaired: 3,
        bytesSent: 512,
        durationMs: 42,
      };
      expect((await post(1, AE_REPORT, valid)).status).toBe(200);
      const metrics = await store.client(1).metrics();
      expect(metricValue(metrics, "replistore_repair_last_keys_repaired")).toBe(3);
    });

    it("refuses a garbage lock request with 400 invalid_lock and takes no lock", async () => {
      const garbage: unknown[] = [
        {},
        { holder: "" },
        { holder: "x" },
        { holder: "x", ttlMs: -5 },
        { holder: "x", ttlMs: "60s" },
        { holder: 42, ttlMs: 1000 },
      ];
      for (const body of garbage) {
        expectClientError(await post(2, AE_LOCK, body), 400, "invalid_lock", JSON.stringify(body));
      }
      expectClientError(await post(2, AE_UNLOCK, {}), 400, "invalid_lock", "unlock without a holder");
      const lock = await post(2, AE_LOCK, { holder: "real-holder", ttlMs: 60_000 });
      expect(lock.status, "nothing above took the lock").toBe(200);
      expect((unpack(lock.bytes) as { acquired: boolean }).acquired).toBe(true);
      expect((await post(2, AE_UNLOCK, { holder: "real-holder" })).status).toBe(200);
    });
  });
});
