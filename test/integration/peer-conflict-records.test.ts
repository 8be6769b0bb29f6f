/**
 * Conflict records a peer pushes (OP_CONFLICT_PUT) are checked like kv records: each version's
 * shape, the record's consistency, and the max clock offset rule for every version it names. A
 * refused record is never stored, shown or counted as pending; the rest of the batch still lands.
 */
import { pack, unpack } from "msgpackr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BATCH_PATH, OP_CONFLICT_PUT } from "../../src/node/peers/protocol.ts";
import { metricValue, type Reply, type Store, send, startStore, uniqueKey } from "../support/index.ts";

const TOKEN = "peer-conflicts-secret";
/** 2100-01-01T00:00:00Z: a version no clock within clock.maxOffset can have minted. */
const YEAR_2100_MS = 4_102_444_800_000;

describe("conflict records pushed by a peer", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startStore({ nodes: 3, factor: 3, writeQuorum: 2, readQuorum: 2, token: TOKEN });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  const post = (index: number, value: unknown): Promise<Reply> =>
    send(store.urls[index]!, "POST", BATCH_PATH, {
      body: pack(value),
      headers: { "content-type": "application/msgpack" },
      token: TOKEN,
    });
  const batchOf = (...ops: unknown[]) => ({ from: store.id(1), clock: [Date.now(), 0], ops });

  /** A pending partial write as a peer would push it, with its partial version at `wall`. */
  function record(tag: string, wall: number): Record<string, unknown> {
    const partial = `${wall}:0:${store.id(1)}`;
    const replaced = `${Date.now() - 1000}:0:${store.id(0)}`;
    return {
      id: uniqueKey(tag).replaceAll("/", "-"),
      key: uniqueKey(tag),
      kind: "partial_write",
      versions: [
        { version: partial, value: Buffer.from("partial"), origin: store.id(1), role: "partial" },
        { version: replaced, value: Buffer.from("before"), origin: store.id(0), role: "replaced" },
      ],
      applied: partial,
      detectedAt: new Date().toISOString(),
      detectedBy: store.id(1),
      status: "pending",
      resolution: null,
      ownersReached: [store.id(1)],
      ownersFailed: [store.id(0), store.id(2)],
    };
  }
  const shown = async (index: number, id: string) =>
    (await store.client(index).request("GET", `/v1/conflicts/${id}`)).status;
  const pending = async (index: number) =>
    metricValue(await store.client(index).metrics(), "replistore_conflicts_pending") ?? 0;
  const refusedClocks = async (index: number) =>
    metricValue(await store.client(index).metrics(), "replistore_clock_refused_total", {
      peer: store.id(1),
      direction: "in",
    }) ?? 0;

  it("refuses a record with a version in 2100 for its op alone (record_from_future): not stored, not counted", async () => {
    const future = record("future", YEAR_2100_MS);
    const fine = record("fine", Date.now());
    const pendingBefore = await pending(0);
    const refusedBefore = await refusedClocks(0);

    const reply = await post(
      0,
      batchOf([OP_CONFLICT_PUT, future.id, future], [OP_CONFLICT_PUT, fine.id, fine]),
    );
    expect(reply.status, reply.text).toBe(200);
    const res = unpack(reply.bytes) as { results: unknown[] };
    expect(res.results[0]).toMatchObject({ refused: "record_from_future" });
    expect(String((res.results[0] as { message: string }).message)).toContain(`conflict record ${future.id}`);
    expect(res.results[1]).toEqual([1]);

    expect(await shown(0, String(future.id))).toBe(404);
    expect(await shown(0, String(fine.id))).toBe(200);
    expect(await pending(0)).toBe(pendingBefore + 1);
    expect(await refusedClocks(0)).toBe(refusedBefore + 1);
  });

  it("refuses a resolution whose written version is in 2100 (it would win every merge)", async () => {
    const rec = record("resolved-future", Date.now());
    const resolved = {
      ...rec,
      status: "resolved",
      resolution: {
        by: "mallory",
        at: new Date().toISOString(),
        kept: null,
        written: `${YEAR_2100_MS}:0:x`,
        note: "",
      },
    };
    const reply = await post(2, batchOf([OP_CONFLICT_PUT, rec.id, resolved]));
    expect(reply.status, reply.text).toBe(200);
    expect((unpack(reply.bytes) as { results: unknown[] }).results[0]).toMatchObject({
      refused: "record_from_future",
    });
    expect(await shown(2, String(rec.id))).toBe(404);
  });

  it("answers a malformed or inconsistent record 400 invalid_record naming the field, and stores none of the batch", async () => {
    const base = record("malformed", Date.now());
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ ...base, applied: `${Date.now()}:0:${store.id(2)}` }, "applied"],
      [{ ...base, status: "resolved" }, "status resolved needs resolution"],
      [
        { ...base, versions: [{ ...(base.versions as object[])[0], version: "99999999999999999999:0:n" }] },
        "versions[0].version",
      ],
      [{ ...base, versions: [] }, "versions"],
    ];
    for (const [rec, field] of bad) {
      const alongside = record("alongside", Date.now());
      const reply = await post(1, {
        from: store.id(0),
        clock: [Date.now(), 0],
        ops: [
          [OP_CONFLICT_PUT, alongside.id, alongside],
          [OP_CONFLICT_PUT, rec.id, rec],
        ],
      });
      expect(reply.status, `${field}: ${reply.text}`).toBe(400);
      expect(reply.body.error, field).toBe("invalid_record");
      expect(String(reply.body.message), field).toContain(field);
      expect(await shown(1, String(rec.id))).toBe(404);
      expect(await shown(1, String(alongside.id))).toBe(404);
    }
    expect((await store.client(1).status()).status).toBe(200);
  });
});
