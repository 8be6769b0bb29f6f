/**
 * The key routes answer the same whether a request takes the fast path (src/node/http/kv-fast-path.ts)
 * or fastify's routes: each request is sent twice, once with a plainly written key (the fast path
 * takes it) and once with the key's first character percent-encoded (only fastify decodes that),
 * and the two answers must match in status, headers and body.
 */
import { describe, expect, it } from "vitest";
import { fastRequest } from "../../src/node/http/kv-fast-path.ts";
import { type Reply, THREE_NODES_MAJORITY, uniqueKey, useStore } from "../support/index.ts";

const TOKEN = "fast-path-token";
const MAX_VALUE = 4096;

/** The same key, its first character percent-encoded: only fastify's router decodes it. */
const encoded = (key: string) => `%${key.charCodeAt(0).toString(16).toUpperCase()}${key.slice(1)}`;

/** What must match: headers but the date and the version (each write has its own), and the body. */
function shape(reply: Reply) {
  const { date: _date, "x-replistore-version": version, ...headers } = reply.headers;
  let body: Record<string, unknown> | string = reply.text;
  if (reply.isJson) {
    body = { ...reply.body, version: typeof reply.body.version };
    if (typeof reply.body.message === "string") {
      body.message = reply.body.message.replace(/version \S+\)/, "version V)");
    }
  }
  return { status: reply.status, headers, body, hasVersion: version !== undefined };
}

describe("the key routes' fast path", () => {
  const env = useStore({
    ...THREE_NODES_MAJORITY,
    token: TOKEN,
    config: { limits: { maxValueBytes: MAX_VALUE } },
  });

  /** Sends `method path?query` for two fresh keys, one plain and one encoded, after `before` ran on both. */
  async function both(
    method: "PUT" | "GET" | "DELETE",
    query: string,
    options: { body?: string; before?: (key: string) => Promise<unknown>; key?: string } = {},
  ) {
    const plain = options.key ?? uniqueKey("fp");
    const other = options.key ?? uniqueKey("fp");
    await options.before?.(plain);
    await options.before?.(other);
    const c = env.store.client(0);
    const send = (path: string) =>
      c.request(method, `${path}${query}`, {
        ...(options.body !== undefined ? { body: options.body } : {}),
        headers: { "content-type": "application/octet-stream" },
      });
    const fastPath = `/v1/kv/${plain}`;
    const headers = {
      authorization: `Bearer ${TOKEN}`,
      ...(options.body !== undefined ? { "content-length": String(Buffer.byteLength(options.body)) } : {}),
    };
    expect(
      fastRequest({ method, url: `${fastPath}${query}`, headers }, MAX_VALUE, { all: TOKEN }),
    ).toBeDefined();
    expect(
      fastRequest({ method, url: `/v1/kv/${encoded(other)}${query}`, headers }, MAX_VALUE, { all: TOKEN }),
    ).toBeUndefined();
    const fast = await send(fastPath);
    const routed = await send(`/v1/kv/${encoded(other)}`);
    const a = shape(fast);
    const b = shape(routed);
    // The body names its own key.
    if (typeof a.body === "object" && a.body.key === plain) a.body.key = other;
    expect(a).toEqual(b);
    return { fast, routed };
  }

  it("a PUT answers the same, with and without ?w", async () => {
    const { fast } = await both("PUT", "", { body: "hello" });
    expect(fast.status).toBe(200);
    expect(fast.body.acks).toBeGreaterThanOrEqual(2);
    expect((await both("PUT", "?w=3", { body: "x" })).fast.body.acks).toBe(3);
  });

  it("a GET of a stored value, of a missing key and of a deleted key answers the same", async () => {
    const put = (key: string) => env.store.client(1).put(key, "stored value");
    const found = await both("GET", "", { before: put });
    expect(found.fast.status).toBe(200);
    expect(found.fast.text).toBe("stored value");
    expect(found.fast.version).toMatch(/\S/);
    expect((await both("GET", "?r=3", { before: put })).fast.text).toBe("stored value");
    expect((await both("GET", "?local=true", { before: put })).fast.status).toBe(200);

    expect((await both("GET", "")).fast.body.error).toBe("not_found");
    const deleted = await both("GET", "", {
      before: async (key) => {
        await env.store.client(1).put(key, "v");
        await env.store.client(1).del(key);
      },
    });
    expect(deleted.fast.status).toBe(404);
    expect(deleted.fast.body.message).toMatch(/deleted/);
    expect(deleted.fast.version).toMatch(/\S/);
  });

  it("a DELETE answers the same", async () => {
    const { fast } = await both("DELETE", "", { before: (key) => env.store.client(1).put(key, "v") });
    expect(fast.status).toBe(200);
    expect((await env.store.client(2).get(fast.body.key as string)).status).toBe(404);
  });

  it("bad parameters and bad keys are the same 400s", async () => {
    for (const [method, query] of [
      ["PUT", "?w=0"],
      ["PUT", "?w=4"],
      ["DELETE", "?w=abc"],
      ["GET", "?r=9"],
      ["GET", "?local=maybe"],
      ["GET", "?w="],
    ] as const) {
      const { fast } = await both(method, query, method === "PUT" ? { body: "v" } : {});
      expect(fast.status, `${method} ${query}`).toBe(query === "?w=" ? 404 : 400);
    }
    const long = await both("PUT", "", { body: "v", key: "k".repeat(1025) });
    expect(long.fast.body.error).toBe("invalid_key");
  });

  it("what the fast path does not take still gets fastify's answers", async () => {
    const c = env.store.client(0);
    const key = uniqueKey("fp");
    expect((await c.request("PUT", `/v1/kv/${key}`, { body: "x".repeat(MAX_VALUE + 1) })).status).toBe(413);
    expect((await c.request("PUT", `/v1/kv/${key}`, { body: "v", token: null })).status).toBe(401);
    expect((await c.request("PUT", `/v1/kv/${key}?foo=1`, { body: "v" })).status).toBe(200);
    expect((await c.request("HEAD", `/v1/kv/${key}`)).status).toBe(200);
    expect((await c.request("PATCH", `/v1/kv/${key}`)).status).toBe(405);
  });
});
