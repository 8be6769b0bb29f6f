/**
 * Roles on a real store whose nodes have only role tokens (REPLISTORE_READ_TOKEN, _WRITE_, _ADMIN_,
 * no all-roles token): each route opens to a token with its role and refuses the rest with 403, an
 * unknown token is 401, and the peer routes are not a client token's business at all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Reply, type Store, send, startStore, uniqueKey } from "../support/index.ts";
import { startMultiLeader } from "./multi-leader/support.ts";

const READ = "read-token-r1";
const WRITE = "write-token-w2";
const ADMIN = "admin-token-a3";

function expectError(reply: Reply, status: number, error: string): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.body.error, reply.text).toBe(error);
  expect(typeof reply.body.message).toBe("string");
}

describe("roles: read, write and admin tokens", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startStore({
      nodes: 3,
      factor: 3,
      writeQuorum: 2,
      readQuorum: 2,
      clientToken: READ,
      config: { limits: { requestTimeoutMs: 1_500 } },
      nodeEnv: () => ({
        REPLISTORE_READ_TOKEN: READ,
        REPLISTORE_WRITE_TOKEN: WRITE,
        REPLISTORE_ADMIN_TOKEN: ADMIN,
      }),
    });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it("a read token reads but cannot write or resolve: 403 naming the role needed", async () => {
    const key = uniqueKey("roles-read");
    const reader = store.client(0, READ);
    expect((await reader.get(key)).status).toBe(404);
    expect((await reader.status()).status).toBe(200);
    expect((await reader.conflicts()).status).toBe(200);
    const put = await reader.put(key, "v");
    expectError(put, 403, "forbidden");
    expect(put.body.message).toContain("needs the write role");
    expectError(await reader.request("DELETE", `/v1/kv/${key}`), 403, "forbidden");
    const resolve = await reader.resolve("no-such-id", { value: "x", resolvedBy: "me" });
    expectError(resolve, 403, "forbidden");
    expect(resolve.body.message).toContain("needs the admin role");
    // nothing was written
    expect((await store.client(1, ADMIN).get(key)).status).toBe(404);
  });

  it("a write token writes (to every owner: peers need no client token) but cannot resolve or drain", async () => {
    const key = uniqueKey("roles-write");
    const writer = store.client(1, WRITE);
    const put = await writer.put(key, "written", { w: 3 });
    expect(put.status, put.text).toBe(200);
    expect(put.body.acks).toBe(3);
    expect((await store.client(2, READ).get(key, { r: 3 })).text).toBe("written");
    const resolve = await writer.resolve("no-such-id", { value: "x", resolvedBy: "me" });
    expectError(resolve, 403, "forbidden");
    expect(resolve.body.message).toContain("needs the admin role");
    expectError(await writer.request("POST", "/v1/admin/drain", { body: "" }), 403, "forbidden");
  });

  it("a missing, wrong or non-Bearer token is 401 on every guarded route", async () => {
    for (const token of [null, "wrong", `${ADMIN}x`]) {
      const c = store.client(0, token);
      for (const [method, path] of [
        ["GET", "/v1/kv/k"],
        ["PUT", "/v1/kv/k"],
        ["GET", "/v1/status"],
        ["POST", "/v1/conflicts/x/resolve"],
        ["POST", "/v1/admin/drain"],
      ] as const) {
        const reply = await c.request(method, path, { body: method === "GET" ? undefined : "{}" });
        expectError(reply, 401, "unauthorized");
      }
    }
    const basic = await send(store.urls[0] ?? "", "GET", "/v1/status", {
      headers: { authorization: `Basic ${Buffer.from(`x:${ADMIN}`).toString("base64")}` },
    });
    expectError(basic, 401, "unauthorized");
  });

  it("the pod proxy's header carries a role too", async () => {
    const reply = await send(store.urls[0] ?? "", "PUT", `/v1/kv/${uniqueKey("roles-hdr")}`, {
      headers: { "x-replistore-token": READ },
      body: "v",
    });
    expectError(reply, 403, "forbidden");
  });

  it("an admin token resolves a partial write", async () => {
    const key = uniqueKey("roles-admin");
    expect((await store.client(0, WRITE).put(key, "before", { w: 3 })).status).toBe(200);
    await store.kill(2);
    try {
      const failed = await store.client(0, WRITE).put(key, "partial", { w: 3 });
      expect(failed.status, failed.text).toBe(503);
      const list = await store.client(0, READ).conflicts({ key });
      expect(list.status, list.text).toBe(200);
      const [record] = list.body.items as { id: string; kind: string }[];
      expect(record?.kind).toBe("partial_write");
      const id = record?.id ?? "";
      expectError(
        await store.client(0, WRITE).resolve(id, { value: "mine", resolvedBy: "writer" }),
        403,
        "forbidden",
      );
      const resolved = await store.client(0, ADMIN).resolve(id, { value: "settled", resolvedBy: "oncall" });
      expect(resolved.status, resolved.text).toBe(200);
      expect((await store.client(1, READ).get(key)).text).toBe("settled");
    } finally {
      await store.start(2);
    }
  });

  it("probes, /metrics and /openapi.json stay open", async () => {
    for (const path of ["/healthz", "/readyz", "/metrics", "/openapi.json"]) {
      expect((await send(store.urls[1] ?? "", "GET", path)).status, path).toBe(200);
    }
  });

  // Peer routes are for peer authentication (peer-auth.ts, built separately): here we check only
  // that a client token neither opens nor guards them; whether a client may reach them at all is
  // that hook's decision.
  it("the client-token check leaves /internal/ alone: no token is not a 401 there", async () => {
    const ping = await send(store.urls[0] ?? "", "GET", "/internal/v1/ping");
    expect(ping.status, ping.text).not.toBe(401);
  });
});

describe("roles on a multi-leader store: a follower forwards the client's own token", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startMultiLeader({
      nodes: 2,
      leaders: 1,
      topology: "AllToAll",
      store: {
        clientToken: READ,
        nodeEnv: () => ({ REPLISTORE_READ_TOKEN: READ, REPLISTORE_WRITE_TOKEN: WRITE }),
      },
    });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it("a write token's write reaches the leader through the follower; a read token's stops at the follower", async () => {
    const key = uniqueKey("roles-ml");
    const put = await store.client(1, WRITE).put(key, "via follower");
    expect(put.status, put.text).toBe(200);
    expect(put.headers["x-replistore-leader"]).toBe(store.id(0));
    const refused = await store.client(1, READ).put(key, "no");
    expectError(refused, 403, "forbidden");
    expect(refused.headers["x-replistore-leader"]).toBeUndefined();
    expect((await store.client(0, READ).get(key)).text).toBe("via follower");
  });
});
