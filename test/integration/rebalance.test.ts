/**
 * Rebalancing on membership change, under load: every write acknowledged during a scale-up or a
 * drained scale-down is afterwards on all of its owners under the new ring.
 */
import { afterEach, describe, expect, it } from "vitest";
import { HashRing } from "../../src/node/ring/hash-ring.ts";
import { eventually, type Store, startStore, uniqueKey } from "../support/index.ts";

const FACTOR = 3;

/** Writes unique keys through the given nodes until stopped; remembers every acknowledged one. */
function startLoad(store: Store, nodes: () => number[], writers = 6) {
  const acked = new Map<string, string>();
  let running = true;
  const loops = Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; running; i++) {
      const targets = nodes();
      const node = targets[i % targets.length]!;
      const key = uniqueKey(`load-${w}`);
      const value = `${key}-value`;
      const reply = await store.client(node).put(key, value);
      if (reply.status === 200) acked.set(key, value);
    }
  });
  return {
    acked,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

interface HandoffView {
  state: string;
  reason: string | null;
  failed: number;
  startedAt: string | null;
}

async function handoffOf(store: Store, index: number): Promise<HandoffView> {
  return (await store.client(index).status()).body.handoff as HandoffView;
}

/** Every acknowledged key is on each of its owners (local reads) and readable by quorum. */
async function expectOnOwners(store: Store, acked: Map<string, string>, members: number[]) {
  const ids = members.map((i) => store.id(i));
  const ring = new HashRing(ids, store.config.ring.vnodes);
  await eventually(
    async () => {
      const missing: string[] = [];
      for (const [key, value] of acked) {
        for (const owner of ring.owners(key, FACTOR)) {
          const local = await store.client(members[ids.indexOf(owner)]!).get(key, { local: true });
          if (local.status !== 200 || local.text !== value) missing.push(`${key}@${owner}`);
        }
      }
      expect(missing.slice(0, 10), `${missing.length} owner copies missing`).toEqual([]);
    },
    { timeoutMs: 30_000, what: "every acknowledged write on all of its new owners" },
  );
  for (const [key, value] of acked) {
    const reply = await store.client(members[0]!).get(key);
    expect(reply.text, key).toBe(value);
  }
}

describe("rebalancing", () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.cleanup();
    store = undefined;
  });

  it("scale 3 to 5 under load: new owners receive their keys, old owners drop what they no longer own", async () => {
    store = await startStore({ nodes: 3, factor: FACTOR, writeQuorum: 2, readQuorum: 2 });
    const s = store;
    const load = startLoad(s, () => [0, 1, 2]);
    await eventually(() => expect(load.acked.size).toBeGreaterThan(200), { timeoutMs: 10_000 });
    await s.addNode();
    await s.addNode();
    await eventually(() => expect(load.acked.size).toBeGreaterThan(600), { timeoutMs: 10_000 });
    await load.stop();

    await expectOnOwners(s, load.acked, [0, 1, 2, 3, 4]);
    // node-0 kept only what it still owns: no copies left behind
    const ring = new HashRing(s.ids, s.config.ring.vnodes);
    await eventually(
      async () => {
        let strays = 0;
        for (const key of load.acked.keys()) {
          if (ring.owners(key, FACTOR).includes(s.id(0))) continue;
          if ((await s.client(0).get(key, { local: true })).status === 200) strays++;
        }
        expect(strays).toBe(0);
      },
      { timeoutMs: 15_000, what: "node-0 dropped the keys it handed off" },
    );
  });

  it("scale 5 to 3 with drain under load: nothing acknowledged is lost", async () => {
    store = await startStore({ nodes: 5, factor: FACTOR, writeQuorum: 2, readQuorum: 2 });
    const s = store;
    let targets = [0, 1, 2, 3, 4];
    const load = startLoad(s, () => targets);
    await eventually(() => expect(load.acked.size).toBeGreaterThan(300), { timeoutMs: 10_000 });

    const leaving = [s.id(3), s.id(4)];
    for (const i of [3, 4]) {
      const reply = await s
        .client(i)
        .request("POST", "/v1/admin/drain", { body: JSON.stringify({ leaving }) });
      expect(reply.status, reply.text).toBe(202);
    }
    for (const i of [3, 4]) {
      await eventually(async () => expect((await handoffOf(s, i)).state).toBe("done"), {
        timeoutMs: 30_000,
        what: `${s.id(i)} drained`,
      });
    }

    // the operator's next step: the config drops the drained members; clients move off them
    const removedAt = new Date().toISOString();
    targets = [0, 1, 2];
    const next = await s.updateConfig((config) => {
      config.members = config.members.filter((m) => !leaving.includes(m.id));
    });
    // Until every node runs the new config, some coordinator may still send writes to the leaving
    // ones; only after that can their last handoff pass be the last.
    for (const i of [0, 1, 2, 3, 4]) {
      await eventually(
        async () => expect((await s.client(i).status()).body.generation).toBe(next.generation),
        { timeoutMs: 10_000, what: `${s.id(i)} runs generation ${next.generation}` },
      );
    }
    for (const i of [3, 4]) {
      await eventually(
        async () => {
          const h = await handoffOf(s, i);
          expect(h).toMatchObject({ state: "done", reason: "rebalance", failed: 0 });
          expect(h.startedAt! >= removedAt).toBe(true);
          expect((await s.client(i).status()).body.node).toMatchObject({ role: "leaving" });
        },
        { timeoutMs: 30_000, what: `${s.id(i)} handed off what was written after its drain` },
      );
    }
    // writes go on against the three that stay
    const atRemoval = load.acked.size;
    await eventually(() => expect(load.acked.size).toBeGreaterThan(atRemoval + 100), { timeoutMs: 10_000 });
    await load.stop();
    await s.stop(3);
    await s.stop(4);

    expect(load.acked.size).toBeGreaterThan(300);
    await expectOnOwners(s, load.acked, [0, 1, 2]);
  });

  it("refuses a drain that would leave fewer members than the replication factor", async () => {
    store = await startStore({ nodes: 3, factor: FACTOR, writeQuorum: 2, readQuorum: 2 });
    const reply = await store.client(2).request("POST", "/v1/admin/drain", { body: "" });
    expect(reply.status).toBe(409);
    expect(reply.body).toMatchObject({ error: "drain_refused" });
    expect(String(reply.body.message)).toContain("lower the factor first");
    const bad = await store.client(2).request("POST", "/v1/admin/drain", { body: '{"leaving": ["nope"]}' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: "unknown_member" });
  });
});
