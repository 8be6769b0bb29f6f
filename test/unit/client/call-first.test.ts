/** A request to a store: the next node is asked only when the first cannot have applied it. */
import { afterEach, describe, expect, it } from "vitest";
import { callFirst } from "../../../src/client/call-first.ts";
import { NoNodeReachableError, UnreachableError } from "../../../src/client/errors.ts";
import { httpEndpoint } from "../../../src/client/http-endpoint.ts";
import { Servers } from "./servers.ts";

const servers = new Servers();
afterEach(() => servers.closeAll());

describe("callFirst", () => {
  it("moves past a refused connection, even for a write", async () => {
    const down = await servers.closedUrl();
    const up = await servers.serve((_req, body, res) => res.end(`got ${body.toString()}`));
    const res = await callFirst([httpEndpoint("a", down), httpEndpoint("b", up)], {
      method: "PUT",
      path: "/v1/kv/a",
      body: Buffer.from("v"),
    });
    expect(res.node).toBe("b");
    expect(res.body.toString()).toBe("got v");
  });

  it("an HTTP error is an answer: the next node is not asked", async () => {
    let asked = false;
    const first = await servers.serve((_req, _body, res) => {
      res.statusCode = 503;
      res.end();
    });
    const second = await servers.serve((_req, _body, res) => {
      asked = true;
      res.end();
    });
    const res = await callFirst([httpEndpoint("a", first), httpEndpoint("b", second)], {
      method: "GET",
      path: "/v1/kv/a",
    });
    expect(res.status).toBe(503);
    expect(asked).toBe(false);
  });

  it("does not send a write elsewhere once the connection broke after it was sent", async () => {
    let writes = 0;
    const dropping = await servers.serve((req) => req.socket.destroy());
    const other = await servers.serve((_req, _body, res) => {
      writes++;
      res.end();
    });
    const endpoints = [httpEndpoint("a", dropping), httpEndpoint("b", other)];
    const write = callFirst(endpoints, { method: "POST", path: "/v1/admin/drain", body: Buffer.from("{}") });
    await expect(write).rejects.toBeInstanceOf(UnreachableError);
    expect(writes).toBe(0);
    // A read is safe to repeat: it goes on to the next node.
    expect((await callFirst(endpoints, { method: "GET", path: "/v1/status" })).node).toBe("b");
  });

  it("lists every node that could not be reached", async () => {
    const a = await servers.closedUrl();
    const b = await servers.closedUrl();
    const err = await callFirst([httpEndpoint("a", a), httpEndpoint("b", b)], {
      method: "GET",
      path: "/v1/status",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoNodeReachableError);
    expect((err as Error).message).toBe("no node answered: a: connection refused; b: connection refused");
    expect((err as NoNodeReachableError).unreachable.map((e) => e.node)).toEqual(["a", "b"]);
  });

  it("says so when there is no node to ask", async () => {
    await expect(callFirst([], { method: "GET", path: "/v1/status" })).rejects.toThrow(
      "the store has no nodes to ask",
    );
  });
});
