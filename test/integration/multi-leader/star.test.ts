/**
 * Star: when the hub is down past failoverAfter, the leaders agree on the lowest ready one and
 * writes keep flowing; when the configured hub returns it is the hub again and catches up; a hub
 * written into the config (as the operator does) wins.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Store } from "../../support/index.ts";
import { mlStatus, range, startMultiLeader, updateMultiLeader, waitConverged } from "./support.ts";

async function hubs(store: Store, nodes: readonly number[]): Promise<string[]> {
  const out: string[] = [];
  for (const i of nodes) out.push((await mlStatus(store, i)).multiLeader.hub ?? "none");
  return out;
}

describe("star topology", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startMultiLeader({
      nodes: 5,
      leaders: 4,
      topology: "Star",
      hub: 0,
      failoverAfterMs: 1_000,
    });
  });
  afterAll(() => store?.cleanup());

  it("fails over to the lowest ready leader and back", async () => {
    expect(await hubs(store, range(5))).toEqual(range(5).map(() => store.id(0)));
    await store.kill(0);
    await eventually(
      async () => expect(await hubs(store, [1, 2, 3, 4])).toEqual(Array(4).fill(store.id(1))),
      {
        what: "every live node relays through node-1",
      },
    );
    const expected = new Map<string, string>();
    for (const l of [1, 2, 3]) {
      for (let k = 0; k < 5; k++) {
        const r = await store.client(l).put(`star-${l}-${k}`, `v${k}`);
        expect(r.status, r.text).toBe(200);
        expected.set(`star-${l}-${k}`, `v${k}`);
      }
    }
    await waitConverged(store, [1, 2, 3, 4], expected);

    await store.start(0);
    await eventually(async () => expect(await hubs(store, range(5))).toEqual(Array(5).fill(store.id(0))), {
      what: "node-0 is the hub again",
    });
    await waitConverged(store, range(5), expected);
  });

  it("takes the hub the config names", async () => {
    await updateMultiLeader(store, { hub: 2 });
    await eventually(async () => expect(await hubs(store, range(5))).toEqual(Array(5).fill(store.id(2))), {
      what: "node-2 is the hub",
    });
    const r = await store.client(3).put("after-switch", "yes");
    expect(r.status, r.text).toBe(200);
    await waitConverged(store, range(5), new Map([["after-switch", "yes"]]));
    const links = (await mlStatus(store, 3)).multiLeader.sendsTo.map((l) => l.peer);
    expect(links).toContain(store.id(2));
    expect(links).not.toContain(store.id(0));
  });
});
