/**
 * Leaders and followers: a follower forwards a write to a leader and says which one took it,
 * skipping a leader that is down; W counts durable copies (the leader's own included), and a
 * write that cannot reach W in time is a 503 that says the write is kept and will replicate.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../support/index.ts";
import { range, startMultiLeader, waitConverged, waitForValue } from "./support.ts";

describe("followers and write quorum", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startMultiLeader({ nodes: 4, leaders: 2, topology: "Circle", writeQuorum: 3 });
  });
  afterAll(() => store?.cleanup());

  it("forwards a follower's write to a leader", async () => {
    const r = await store.client(3).put("from-follower", "hello");
    expect(r.status, r.text).toBe(200);
    const leader = r.headers["x-replistore-leader"];
    expect([store.id(0), store.id(1)]).toContain(leader);
    expect(r.body.leader).toBe(leader);
    expect(r.body.acks).toBe(3);
    const del = await store.client(2).del("from-follower");
    expect(del.status, del.text).toBe(200);
    await waitConverged(store, range(4), new Map());
    for (const i of range(4))
      expect((await store.client(i).get("from-follower", { local: true })).status).toBe(404);
  });

  it("acknowledges after W durable copies, even where the ring has one successor", async () => {
    const r = await store.client(0).put("w3", "three copies");
    expect(r.status, r.text).toBe(200);
    expect(r.body.acks).toBe(3);
    const one = await store.client(1).put("w1", "local only", { w: 1 });
    expect(one.body.acks).toBe(1);
    await waitForValue(store, 3, "w1", "local only");
  });

  it("skips a dead leader when forwarding, and answers 503 when W is out of reach", async () => {
    await store.kill(0);
    const r = await store.client(2).put("leader-down", "still works", { w: 1 });
    expect(r.status, r.text).toBe(200);
    expect(r.headers["x-replistore-leader"]).toBe(store.id(1));

    await store.kill(2);
    await store.kill(3);
    const lonely = await store.client(1).put("lonely", "kept", { w: 2 });
    expect(lonely.status, lonely.text).toBe(503);
    expect(lonely.body.error).toBe("quorum_unavailable");
    expect(lonely.body.needed).toBe(2);
    expect(lonely.body.reached).toBe(1);
    expect(lonely.body.message).toMatch(/outbox/);
    // ...and it replicates once the others are back.
    for (const i of [0, 2, 3]) await store.start(i);
    for (const i of range(4)) await waitForValue(store, i, "lonely", "kept");
  });
});

describe("forwarding with a token", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startMultiLeader({
      nodes: 2,
      leaders: 1,
      topology: "AllToAll",
      store: { token: "s3cret" },
    });
  });
  afterAll(() => store?.cleanup());

  it("passes the caller's credentials on to the leader, in either header", async () => {
    const bearer = await store.client(1).put("t1", "x");
    expect(bearer.status, bearer.text).toBe(200);
    expect(bearer.headers["x-replistore-leader"]).toBe(store.id(0));
    const alt = await store.client(1, null).put("t2", "y", { headers: { "x-replistore-token": "s3cret" } });
    expect(alt.status, alt.text).toBe(200);
    const none = await store.client(1, null).put("t3", "z");
    expect(none.status).toBe(401);
    expect((await store.client(0).get("t3", { local: true })).status).toBe(404);
  });
});
