/** Every bad input gets a clear JSON 4xx (never a 5xx) and loses nothing. The store has a token set. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Reply, type Store, send, startStore, uniqueKey } from "../support/index.ts";

const TOKEN = "s3cret-token";
const MAX_VALUE = 4096;

function expectError(reply: Reply, status: number, error: string) {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.isJson, `expected a JSON body, got: ${reply.headers["content-type"]} ${reply.text}`).toBe(
    true,
  );
  expect(reply.body.error).toBe(error);
  expect(typeof reply.body.message, "errors carry a message saying what to do").toBe("string");
}

describe("bad input", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startStore({
      nodes: 3,
      factor: 3,
      writeQuorum: 2,
      readQuorum: 2,
      token: TOKEN,
      config: { limits: { maxValueBytes: MAX_VALUE } },
    });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  describe("keys", () => {
    it("an empty key is invalid_key for PUT, GET and DELETE", async () => {
      const c = store.client(0);
      expectError(await c.request("PUT", "/v1/kv/", { body: "v" }), 400, "invalid_key");
      expectError(await c.request("GET", "/v1/kv/"), 400, "invalid_key");
      expectError(await c.request("DELETE", "/v1/kv/"), 400, "invalid_key");
    });

    it("1024 bytes of UTF-8 is the longest key; 1025 is invalid_key", async () => {
      const c = store.client(0);
      for (const key of ["k".repeat(1024), "é".repeat(512)]) {
        const put = await c.put(key, "max");
        expect(put.status, put.text).toBe(200);
        expect((await store.client(1).get(key)).text).toBe("max");
      }
      for (const key of ["k".repeat(1025), "é".repeat(513), "k".repeat(5000)]) {
        expectError(await c.put(key, "v"), 400, "invalid_key");
        expectError(await c.get(key), 400, "invalid_key");
        expectError(await c.del(key), 400, "invalid_key");
      }
    });

    it("control characters are invalid_key", async () => {
      for (const char of ["\u0000", "\u0001", "\t", "\n", "\r", "\u001f", "\u007f"]) {
        const key = `bad${char}key`;
        expectError(await store.client(0).put(key, "v"), 400, "invalid_key");
        expectError(await store.client(0).get(key), 400, "invalid_key");
      }
    });

    it("a key that is not valid UTF-8 is invalid_key", async () => {
      expectError(
        await store.client(0).request("PUT", "/v1/kv/bad%FFkey", { body: "v" }),
        400,
        "invalid_key",
      );
    });
  });

  describe("values", () => {
    it(`a value of maxValueBytes (${MAX_VALUE}) is stored; one byte more is 413 value_too_large and stores nothing`, async () => {
      const ok = uniqueKey("max");
      expect((await store.client(0).put(ok, Buffer.alloc(MAX_VALUE, 7))).status).toBe(200);
      expect((await store.client(1).get(ok)).bytes.length).toBe(MAX_VALUE);

      const tooBig = uniqueKey("too-big");
      expectError(await store.client(0).put(tooBig, Buffer.alloc(MAX_VALUE + 1, 7)), 413, "value_too_large");
      expect((await store.client(0).get(tooBig)).status).toBe(404);
    });

    it("a far larger body (4 MiB) is also 413 value_too_large, and the node stays healthy", async () => {
      const key = uniqueKey("huge");
      expectError(await store.client(0).put(key, Buffer.alloc(4 * 1024 * 1024, 1)), 413, "value_too_large");
      expect((await send(store.urls[0] ?? "", "GET", "/healthz")).status).toBe(200);
    });

    it("a failed oversize write does not touch the existing value", async () => {
      const key = uniqueKey("keep");
      await store.client(0).put(key, "original");
      expectError(await store.client(0).put(key, Buffer.alloc(MAX_VALUE + 1)), 413, "value_too_large");
      expect((await store.client(2).get(key)).text).toBe("original");
    });
  });

  describe("quorum parameters", () => {
    const bad = ["0", "4", "99", "-1", "1.5", "abc", ""];

    it.each(bad)("w=%j is invalid_quorum naming the range 1..3 (PUT and DELETE)", async (w) => {
      for (const reply of [
        await store.client(0).put("q-key", "v", { w }),
        await store.client(0).del("q-key", { w }),
      ]) {
        expectError(reply, 400, "invalid_quorum");
        expect(String(reply.body.message)).toMatch(/\b1\b.*\b3\b/);
      }
    });

    it.each(bad)("r=%j is invalid_quorum naming the range 1..3", async (r) => {
      const reply = await store.client(0).get("q-key", { r });
      expectError(reply, 400, "invalid_quorum");
      expect(String(reply.body.message)).toMatch(/\b1\b.*\b3\b/);
    });

    it("a rejected write stores nothing", async () => {
      const key = uniqueKey("badw");
      expectError(await store.client(0).put(key, "v", { w: 0 }), 400, "invalid_quorum");
      expect((await store.client(0).get(key)).status).toBe(404);
    });
  });

  describe("routes and methods", () => {
    it("an unknown route is a JSON 404", async () => {
      for (const path of ["/nope", "/v1/nope", "/v2/kv/x"]) {
        const reply = await store.client(0).request("GET", path);
        expect(reply.status, `${path}: ${reply.text}`).toBe(404);
        expect(reply.isJson, `${path}: ${reply.text}`).toBe(true);
        expect(typeof reply.body.error).toBe("string");
      }
    });

    it("a wrong method on a known route is a JSON 405", async () => {
      for (const [method, path] of [
        ["POST", "/v1/kv/x"],
        ["PATCH", "/v1/kv/x"],
        ["DELETE", "/v1/status"],
        ["PUT", "/v1/status"],
        ["POST", "/metrics"],
      ] as const) {
        const reply = await store
          .client(0)
          .request(method, path, { body: method === "DELETE" ? undefined : "x" });
        expect(reply.status, `${method} ${path}: ${reply.text}`).toBe(405);
        expect(reply.isJson, `${method} ${path}: ${reply.text}`).toBe(true);
        expect(typeof reply.body.error).toBe("string");
      }
    });

    it("QUERY, with or without a Content-Type, and methods HTTP does not define are 405 with Allow", async () => {
      for (const [method, path, headers, allow] of [
        ["QUERY", "/v1/kv/x", {}, "GET, PUT, DELETE"],
        ["QUERY", "/v1/kv/x", { "content-type": "application/json" }, "GET, PUT, DELETE"],
        ["QUERY", "/v1/conflicts", {}, "GET"],
        ["FOO", "/v1/kv/x", {}, "GET, PUT, DELETE"],
        ["BREW", "/v1/admin/drain", {}, "POST"],
        ["FOO", "/v1/status?x=1", {}, "GET"],
      ] as const) {
        const reply = await store.client(0).request(method as "GET", path, {
          headers: { ...headers },
          body: method === "QUERY" ? "{}" : undefined,
        });
        expectError(reply, 405, "method_not_allowed");
        expect(reply.headers.allow, `${method} ${path}`).toBe(allow);
      }
      // the node still serves the same connection pool afterwards
      expect((await store.client(0).status()).status).toBe(200);
    });
  });

  describe("authentication", () => {
    const protectedRoutes = [
      ["PUT", "/v1/kv/auth-key"],
      ["GET", "/v1/kv/auth-key"],
      ["DELETE", "/v1/kv/auth-key"],
      ["GET", "/v1/status"],
      ["GET", "/v1/conflicts"],
    ] as const;

    it("a missing or wrong token is a JSON 401 on every route but the probes and /metrics", async () => {
      for (const token of [undefined, "wrong", `${TOKEN}x`]) {
        const c = store.client(0, token ?? null);
        for (const [method, path] of protectedRoutes) {
          const reply = await c.request(method, path, { body: method === "PUT" ? "v" : undefined });
          expect(reply.status, `${method} ${path} with token ${token}: ${reply.text}`).toBe(401);
          expect(reply.isJson).toBe(true);
          expect(typeof reply.body.error).toBe("string");
        }
      }
      expect((await store.client(0).get("auth-key")).status).toBe(404);
    });

    it("a non-Bearer scheme is refused", async () => {
      const reply = await send(store.urls[0] ?? "", "GET", "/v1/status", {
        headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` },
      });
      expect(reply.status).toBe(401);
    });

    it("probes and /metrics need no token", async () => {
      for (const path of ["/healthz", "/readyz", "/metrics"]) {
        expect((await send(store.urls[1] ?? "", "GET", path)).status, path).toBe(200);
      }
    });

    it("the right token works", async () => {
      const key = uniqueKey("auth");
      expect((await store.client(0).put(key, "v")).status).toBe(200);
      expect((await store.client(1).get(key)).text).toBe("v");
    });
  });
});
