import { describe, expect, it } from "vitest";
import { fastRequest } from "../../../../src/node/http/kv-fast-path.ts";

const MAX = 1024;
const req = (method: string, url: string, headers: Record<string, string> = {}) => ({ method, url, headers });

describe("fastRequest: which requests the fast path takes", () => {
  it("takes PUT, GET and DELETE of a plainly written key, with w, r and local", () => {
    expect(
      fastRequest(req("PUT", "/v1/kv/a/b:c.d_e-f~1", { "content-length": "5" }), MAX, undefined),
    ).toEqual({
      op: "put",
      key: "a/b:c.d_e-f~1",
      query: {},
      length: 5,
    });
    expect(fastRequest(req("GET", "/v1/kv/k?r=3&local=true"), MAX, undefined)?.query).toEqual({
      r: "3",
      local: "true",
    });
    expect(fastRequest(req("DELETE", "/v1/kv/k?w=2"), MAX, undefined)?.op).toBe("delete");
    // a bad value is still the fast path's to refuse, with the same 400 as fastify's
    expect(fastRequest(req("GET", "/v1/kv/k?r=x"), MAX, undefined)?.query).toEqual({ r: "x" });
  });

  it("leaves to fastify what needs decoding or is not a plain key request", () => {
    for (const r of [
      req("PUT", "/v1/kv/%6B"),
      req("PUT", "/v1/kv/a+b"),
      req("PUT", "/v1/kv/a%2Fb"),
      req("GET", "/v1/kv/"),
      req("GET", "/v1/kvx/k"),
      req("GET", "/v1/status"),
      req("HEAD", "/v1/kv/k"),
      req("PATCH", "/v1/kv/k"),
      req("GET", "/v1/kv/k?foo=1"),
      req("GET", "/v1/kv/k?r=1&r=2"),
      req("GET", "/v1/kv/k?local"),
      req("GET", "/v1/kv/k?r=%31"),
      req("GET", "/v1/kv/k?"),
    ]) {
      expect(fastRequest(r, MAX, undefined), `${r.method} ${r.url}`).toBeUndefined();
    }
  });

  it("leaves to fastify bodies it must refuse or cannot size up front", () => {
    expect(fastRequest(req("PUT", "/v1/kv/k", { "content-length": "1025" }), MAX, undefined)).toBeUndefined();
    expect(fastRequest(req("PUT", "/v1/kv/k", { "content-length": "1024" }), MAX, undefined)).toBeDefined();
    expect(
      fastRequest(req("PUT", "/v1/kv/k", { "transfer-encoding": "chunked" }), MAX, undefined),
    ).toBeUndefined();
    expect(fastRequest(req("PUT", "/v1/kv/k", { "content-length": "1e3" }), MAX, undefined)).toBeUndefined();
    expect(fastRequest(req("GET", "/v1/kv/k", { "content-length": "3" }), MAX, undefined)).toBeUndefined();
    expect(fastRequest(req("DELETE", "/v1/kv/k", { "content-length": "0" }), MAX, undefined)).toBeDefined();
  });

  it("with tokens, takes only a request whose token has the route's role", () => {
    const tokens = { read: "r-token", write: "w-token" };
    const as = (method: string, token?: string) =>
      fastRequest(
        req(method, "/v1/kv/k", token ? { authorization: `Bearer ${token}`, "content-length": "0" } : {}),
        MAX,
        tokens,
      );
    expect(as("GET")).toBeUndefined();
    expect(as("GET", "nope")).toBeUndefined();
    expect(as("GET", "r-token")).toBeDefined();
    expect(as("PUT", "r-token")).toBeUndefined();
    expect(as("PUT", "w-token")).toBeDefined();
    expect(as("DELETE", "w-token")).toBeDefined();
    const alt = req("GET", "/v1/kv/k", { "x-replistore-token": "r-token" });
    expect(fastRequest(alt, MAX, tokens)).toBeDefined();
  });
});
