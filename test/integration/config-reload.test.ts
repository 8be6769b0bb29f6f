/** The node applies a changed cluster.json without a restart: new quorums, new members. */
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  eventually,
  SHORT_REQUEST_TIMEOUT,
  type Store,
  storePerTest,
  THREE_NODES_MAJORITY,
  uniqueKey,
} from "../support/index.ts";

describe("config reload", () => {
  const stores = storePerTest();

  async function expectGeneration(s: Store, index: number, generation: number, writeQuorum: number) {
    await eventually(
      async () => {
        const status = await s.client(index).status();
        expect(status.body).toMatchObject({ generation, replication: { writeQuorum } });
      },
      { timeoutMs: 10_000, what: `${s.id(index)} at generation ${generation}` },
    );
  }

  it("a new writeQuorum applies on every node without a restart", async () => {
    const s = await stores.start({ ...THREE_NODES_MAJORITY, config: SHORT_REQUEST_TIMEOUT });
    const pids = [0, 1, 2].map((i) => s.node(i).pid);

    await s.updateConfig((c) => {
      c.replication.writeQuorum = 3;
    });
    for (let i = 0; i < 3; i++) await expectGeneration(s, i, 2, 3);

    const put = await s.client(0).put(uniqueKey("w3"), "v");
    expect(put.status).toBe(200);
    expect(put.body.acks).toBe(3);
    await s.kill(2);
    const refused = await s.client(0).put(uniqueKey("w3-down"), "v");
    expect(refused.status, refused.text).toBe(503);
    expect(refused.body).toMatchObject({ error: "quorum_unavailable", needed: 3, reached: 2 });
    // back to W=2: the same outage no longer blocks writes
    await s.updateConfig((c) => {
      c.replication.writeQuorum = 2;
    });
    await expectGeneration(s, 0, 3, 2);
    expect((await s.client(0).put(uniqueKey("w2"), "v")).status).toBe(200);
    expect([0, 1].map((i) => s.node(i).pid)).toEqual(pids.slice(0, 2));
  });

  it("a broken config file is ignored (the node keeps its last good config), and the next good one applies", async () => {
    const s = await stores.start(THREE_NODES_MAJORITY);
    const temp = `${s.configPath}.broken.tmp`;
    await writeFile(temp, "{ this is not json");
    const { rename } = await import("node:fs/promises");
    await rename(temp, s.configPath);
    // a bounded negative check: nothing should change, so give the watcher time to (not) act
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (let i = 0; i < 3; i++) {
      expect(s.node(i).running, `${s.id(i)} must survive a broken config file`).toBe(true);
      const status = await s.client(i).status();
      expect(status.body).toMatchObject({ generation: 1, replication: { writeQuorum: 2 } });
    }
    expect((await s.client(0).put(uniqueKey("still"), "v")).status).toBe(200);

    await s.updateConfig((c) => {
      c.replication.readQuorum = 3;
    });
    for (let i = 0; i < 3; i++) {
      await eventually(async () => {
        const status = await s.client(i).status();
        expect(status.body).toMatchObject({ generation: 2, replication: { readQuorum: 3 } });
      });
    }
  });

  it("an added member joins: every node lists it, it is healthy, and it serves reads and writes", async () => {
    const s = await stores.start(THREE_NODES_MAJORITY);
    const before = uniqueKey("before-join");
    expect((await s.client(0).put(before, "old", { w: 3 })).status).toBe(200);

    const added = await s.addNode();
    expect(added).toBe(3);
    for (let i = 0; i < 4; i++) {
      await eventually(
        async () => {
          const status = await s.client(i).status();
          expect(status.body.generation).toBe(2);
          const members = status.body.members as { id: string; healthy: boolean; self: boolean }[];
          expect(members.map((m) => m.id)).toEqual(s.ids);
          expect(
            members.every((m) => m.healthy),
            JSON.stringify(members),
          ).toBe(true);
        },
        { timeoutMs: 15_000, what: `${s.id(i)} sees 4 healthy members` },
      );
    }
    const key = uniqueKey("after-join");
    const put = await s.client(3).put(key, "new");
    expect(put.status, put.text).toBe(200);
    for (let i = 0; i < 4; i++) {
      const get = await s.client(i).get(key);
      expect(get.status).toBe(200);
      expect(get.text).toBe("new");
    }
    // a key written before the join is still readable through the new member
    await eventually(async () => {
      const get = await s.client(3).get(before);
      expect(get.status, get.text).toBe(200);
      expect(get.text).toBe("old");
    });
  });
});
