/** A node reached at its URL: what is sent, and how a failure to get an answer is told. */
import { afterEach, describe, expect, it } from "vitest";
import { CONNECTION_ERRORS } from "../../../src/client/connection-errors.ts";
import { UnreachableError } from "../../../src/client/errors.ts";
import { httpEndpoint } from "../../../src/client/http-endpoint.ts";
import { Servers } from "./servers.ts";

const servers = new Servers();
afterEach(() => servers.closeAll());

describe("httpEndpoint", () => {
  it("sends the token as a bearer, the body with its type, and returns any status as an answer", async () => {
    let seen: Record<string, string | undefined> = {};
    const url = await servers.serve((req, body, res) => {
      seen = {
        method: req.method,
        url: req.url,
        auth: req.headers.authorization,
        type: req.headers["content-type"],
        body: body.toString(),
      };
      res.statusCode = 409;
      res.setHeader("content-type", "application/json");
      res.setHeader("x-replistore-version", "1:0:a");
      res.end('{"error":"conflict","message":"no"}');
    });
    const res = await httpEndpoint("n-0", `${url}/`).call({
      method: "POST",
      path: "/v1/conflicts/x/resolve",
      body: Buffer.from("{}"),
      token: "t0k",
    });
    expect(seen).toEqual({
      method: "POST",
      url: "/v1/conflicts/x/resolve",
      auth: "Bearer t0k",
      type: "application/json",
      body: "{}",
    });
    expect(res).toMatchObject({ status: 409, contentType: "application/json", node: "n-0" });
    expect(res.headers["x-replistore-version"]).toBe("1:0:a");
    expect(res.body.toString()).toContain("conflict");
  });

  it("sends no authorization without a token, and the body type the caller names", async () => {
    let seen: Record<string, string | undefined> = {};
    const url = await servers.serve((req, _body, res) => {
      seen = { auth: req.headers.authorization, type: req.headers["content-type"] };
      res.end();
    });
    await httpEndpoint("n-0", url).call({
      method: "PUT",
      path: "/v1/kv/a",
      body: Buffer.from("v"),
      contentType: "application/octet-stream",
    });
    expect(seen).toEqual({ auth: undefined, type: "application/octet-stream" });
  });

  it("a refused connection is unreachable before the request was sent, with what to do", async () => {
    const url = await servers.closedUrl();
    const err = await httpEndpoint("n-1", url)
      .call({ method: "PUT", path: "/v1/kv/a", body: Buffer.from("v") })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err).toMatchObject({
      node: "n-1",
      reason: "connection refused",
      stage: "connect",
      advice: CONNECTION_ERRORS.ECONNREFUSED.advice,
      message: "n-1: connection refused",
    });
    expect((err as UnreachableError).mayRetry("PUT")).toBe(true);
  });

  it("a node that does not answer in time is a timeout, which is not retried", async () => {
    const url = await servers.serve(() => {});
    const err = await httpEndpoint("n-2", url)
      .call({ method: "GET", path: "/v1/status", timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err).toMatchObject({ stage: "timeout", reason: "no answer within 0.2s" });
    expect((err as UnreachableError).mayRetry("GET")).toBe(false);
  });

  it("a connection dropped before the answer may be retried for a read only", async () => {
    const url = await servers.serve((req) => req.socket.destroy());
    const err = await httpEndpoint("n-3", url)
      .call({ method: "GET", path: "/v1/kv/a" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err).toMatchObject({ stage: "dropped" });
    expect((err as UnreachableError).mayRetry("GET")).toBe(true);
    expect((err as UnreachableError).mayRetry("POST")).toBe(false);
  });
});
