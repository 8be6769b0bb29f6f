/**
 * The one /v1/status schema (src/wire/node-status.ts) against what real nodes send: every node of a
 * Leaderless and of a MultiLeader store, read through src/client with the store's token.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeStatus } from "../../../src/client/decode-answer.ts";
import { httpEndpoint } from "../../../src/client/http-endpoint.ts";
import { type Store, startStore } from "../../support/index.ts";
import { startMultiLeader } from "../multi-leader/support.ts";

const TOKEN = "node-status-token";

async function statusesOf(store: Store) {
  return Promise.all(
    store.urls.map(async (url, i) => {
      const res = await httpEndpoint(store.id(i), url).call({
        method: "GET",
        path: "/v1/status",
        token: TOKEN,
      });
      expect(res.status, res.body.toString()).toBe(200);
      return decodeStatus(res, store.id(i));
    }),
  );
}

describe("GET /v1/status decoded by its wire schema", () => {
  let leaderless: Store;
  let multiLeader: Store;

  beforeAll(async () => {
    leaderless = await startStore({ nodes: 3, factor: 3, writeQuorum: 2, readQuorum: 2, token: TOKEN });
    multiLeader = await startMultiLeader({ nodes: 3, leaders: 3, topology: "Star", store: { token: TOKEN } });
  });
  afterAll(async () => {
    await leaderless?.cleanup();
    await multiLeader?.cleanup();
  });

  it("reads every node of a Leaderless store", async () => {
    const statuses = await statusesOf(leaderless);
    expect(statuses.map((s) => s.node.id)).toEqual(leaderless.ids);
    for (const s of statuses) {
      expect(s.node).toMatchObject({ mode: "Leaderless", role: "replica" });
      expect(s.members.map((m) => m.id)).toEqual(leaderless.ids);
      expect(s.handoff?.state).toBeDefined();
    }
  });

  it("reads every node of a MultiLeader store, its multi-leader part included", async () => {
    const statuses = await statusesOf(multiLeader);
    for (const s of statuses) {
      expect(s.node.mode).toBe("MultiLeader");
      expect(s.multiLeader?.topology).toBe("Star");
    }
  });
});
