/**
 * The review page's server without a store: static files with a strict CSP, the API guard header,
 * what is forwarded to a node (path, whitelisted query, token, body) and what comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoreDirectory } from "../../../src/client/discovery/directory.ts";
import type { NodeEndpoint, NodeRequest } from "../../../src/client/endpoint.ts";
import { UnreachableError } from "../../../src/client/errors.ts";
import { buildReviewServer } from "../../../src/review/server.ts";

const calls: { node: string; req: NodeRequest }[] = [];

function endpoint(name: string, answer: "down" | "dropped" | number): NodeEndpoint {
  return {
    name,
    async call(req) {
      calls.push({ node: name, req });
      if (answer === "down") throw new UnreachableError(name, "connection refused");
      if (answer === "dropped") throw new UnreachableError(name, "connection reset", { stage: "dropped" });
      return {
        status: answer,
        contentType: "application/json",
        headers: {},
        body: Buffer.from(
          JSON.stringify(answer === 200 ? { items: [], next: null } : { error: "nope", message: "no" }),
        ),
        node: name,
      };
    },
  };
}

const directory: StoreDirectory = {
  describe: "test",
  stores: async () => [
    { id: "ns/a", namespace: "ns", name: "a", auth: true },
    { id: "ns/down", namespace: "ns", name: "down" },
    { id: "ns/dropping", namespace: "ns", name: "dropping" },
  ],
  endpoints: async (id) => {
    if (id === "ns/a") return [endpoint("a-0", "down"), endpoint("a-1", 200)];
    if (id === "ns/down") return [endpoint("d-0", "down")];
    if (id === "ns/dropping") return [endpoint("x-0", "dropped"), endpoint("x-1", 200)];
    return undefined;
  },
};

const app = buildReviewServer(directory);
const api = { "x-replistore-review": "1" };

beforeAll(() => app.ready());
afterAll(() => app.close());

describe("review server", () => {
  it("serves the page and its assets with a CSP that allows nothing from elsewhere and no inline script", async () => {
    for (const [path, type] of [
      ["/", "text/html"],
      ["/review.js", "text/javascript"],
      ["/review.css", "text/css"],
    ] as const) {
      const res = await app.inject({ url: path });
      expect(res.statusCode, path).toBe(200);
      expect(res.headers["content-type"]).toContain(type);
      const csp = String(res.headers["content-security-policy"]);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
    }
    const html = (await app.inject({ url: "/" })).body;
    expect(html).not.toMatch(/<script>|https?:\/\//);
    // code, not the comments that say why it never does this
    const js = (await app.inject({ url: "/review.js" })).body.replace(/^\s*\/\/.*$/gm, "");
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });

  it("answers the API only with the page's header", async () => {
    const res = await app.inject({ url: "/api/stores" });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: "forbidden" });
    const ok = await app.inject({ url: "/api/stores", headers: api });
    expect(ok.json()).toMatchObject({
      stores: [{ id: "ns/a" }, { id: "ns/down" }, { id: "ns/dropping" }],
      reachedVia: "test",
    });
  });

  it("forwards to the first node that answers, with the page's token and only the known query parameters", async () => {
    calls.length = 0;
    const res = await app.inject({
      url: `/api/stores/${encodeURIComponent("ns/a")}/conflicts?status=pending&limit=5&evil=1&cursor=c%2F1`,
      headers: { ...api, authorization: "Bearer tok" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-replistore-node"]).toBe("a-1");
    expect(calls.map((c) => c.node)).toEqual(["a-0", "a-1"]);
    expect(calls[1]!.req).toMatchObject({
      method: "GET",
      path: "/v1/conflicts?status=pending&limit=5&cursor=c%2F1",
      token: "tok",
    });
  });

  it("passes a resolve body through, ids encoded", async () => {
    calls.length = 0;
    const body = JSON.stringify({ keep: "1:0:n", resolvedBy: "me" });
    const res = await app.inject({
      method: "POST",
      url: `/api/stores/${encodeURIComponent("ns/a")}/conflicts/abc%2F..%2Fx/resolve`,
      headers: { ...api, "content-type": "application/json" },
      payload: body,
    });
    expect(res.statusCode).toBe(200);
    const req = calls[1]!.req;
    expect(req.path).toBe("/v1/conflicts/abc%2F..%2Fx/resolve");
    expect(req.body?.toString()).toBe(body);
    expect(req.token).toBeUndefined();
  });

  it("says when no node answers, and when the store is unknown", async () => {
    const down = await app.inject({
      url: `/api/stores/${encodeURIComponent("ns/down")}/conflicts`,
      headers: api,
    });
    expect(down.statusCode).toBe(502);
    expect(down.json()).toMatchObject({
      error: "unreachable",
      message: expect.stringContaining("d-0: connection refused"),
    });
    const unknown = await app.inject({
      url: `/api/stores/${encodeURIComponent("ns/zzz")}/conflicts`,
      headers: api,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: "unknown_store" });
  });

  it("does not resolve on another node after a connection broke once the resolve was sent", async () => {
    calls.length = 0;
    const res = await app.inject({
      method: "POST",
      url: `/api/stores/${encodeURIComponent("ns/dropping")}/conflicts/c1/resolve`,
      headers: { ...api, "content-type": "application/json" },
      payload: JSON.stringify({ keep: "1:0:n", resolvedBy: "me" }),
    });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({
      error: "unreachable",
      message: expect.stringContaining("x-0: connection reset"),
    });
    expect(calls.map((c) => c.node)).toEqual(["x-0"]);
    // a read is safe to repeat elsewhere
    const read = await app.inject({
      url: `/api/stores/${encodeURIComponent("ns/dropping")}/conflicts`,
      headers: api,
    });
    expect(read.headers["x-replistore-node"]).toBe("x-1");
  });
});
