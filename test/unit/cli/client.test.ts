import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { callStore } from "../../../src/cli/client.ts";
import { ApiError } from "../../../src/client/api-error.ts";
import { UserError } from "../../../src/errors.ts";

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;
const servers: Server[] = [];

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, Buffer.concat(chunks), res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A URL nothing listens on: a server's port, after the server has closed. */
async function closedUrl(): Promise<string> {
  const url = await serve(() => {});
  const server = servers.pop();
  await new Promise((resolve) => server?.close(resolve));
  return url;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe("callStore", () => {
  it("sends the token, the body and the query", async () => {
    let seen: { url?: string; auth?: string; body?: string } = {};
    const url = await serve((req, body, res) => {
      seen = { url: req.url, auth: req.headers.authorization, body: body.toString() };
      res.end("{}");
    });
    await callStore({ urls: [url], token: "t0k" }, "PUT", "/v1/kv/a%2Fb", {
      body: Buffer.from("v"),
      query: { w: 2, r: undefined },
    });
    expect(seen).toEqual({ url: "/v1/kv/a%2Fb?w=2", auth: "Bearer t0k", body: "v" });
  });

  it("moves on to the next node when one refuses the connection", async () => {
    const down = await closedUrl();
    const up = await serve((_req, _body, res) => res.end("ok"));
    const res = await callStore({ urls: [down, up] }, "GET", "/v1/status");
    expect(res.url).toBe(up);
    expect(res.body.toString()).toBe("ok");
  });

  it("says which endpoint is unreachable and to run replistore up", async () => {
    const down = await closedUrl();
    const call = callStore({ urls: [down], store: "orders" }, "GET", "/v1/status");
    await expect(call).rejects.toThrow(UserError);
    await expect(call).rejects.toThrow(
      `cannot reach store orders at ${down} (connection refused): is it running? start it with replistore up -f store.yaml`,
    );
  });

  it("turns a node's JSON error into its message", async () => {
    const url = await serve((_req, _body, res) => {
      res.statusCode = 503;
      res.end(JSON.stringify({ error: "quorum_unavailable", message: "needed 2 acks, reached 1" }));
    });
    const err = await callStore({ urls: [url] }, "PUT", "/v1/kv/a").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 503,
      code: "quorum_unavailable",
      message: "needed 2 acks, reached 1",
    });
  });

  it("does not fail over on an HTTP error: the node answered", async () => {
    let second = false;
    const first = await serve((_req, _body, res) => {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: "not_found", message: "no such key" }));
    });
    const other = await serve((_req, _body, res) => {
      second = true;
      res.end("x");
    });
    await expect(callStore({ urls: [first, other] }, "GET", "/v1/kv/a")).rejects.toThrow("no such key");
    expect(second).toBe(false);
  });

  it("hints at the token on a 401 when none was sent", async () => {
    const url = await serve((_req, _body, res) => {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: "unauthorized", message: "token required" }));
    });
    await expect(callStore({ urls: [url] }, "GET", "/v1/status")).rejects.toThrow(
      "token required (no token was sent: pass --token or set REPLISTORE_TOKEN)",
    );
  });

  it("shows the start of a non-JSON error body", async () => {
    const url = await serve((_req, _body, res) => {
      res.statusCode = 502;
      res.end("bad gateway");
    });
    await expect(callStore({ urls: [url] }, "GET", "/v1/status")).rejects.toThrow(
      `HTTP 502 from ${url}: bad gateway`,
    );
  });

  it("gives up on a node that does not answer in time", async () => {
    const url = await serve(() => {});
    await expect(callStore({ urls: [url] }, "GET", "/v1/status", { timeoutMs: 200 })).rejects.toThrow(
      `no answer from ${url} within 0.2s`,
    );
  });
});
