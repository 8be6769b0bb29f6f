/**
 * The repair job trusts no answer: each is checked against its src/wire schema, and a malformed one
 * is an error naming the node and the field, never a crash or garbage fed to the repair. Real HTTP
 * servers stand in for nodes that answer wrongly.
 */
import { pack } from "msgpackr";
import { afterEach, describe, expect, it } from "vitest";
import { UserError } from "../../../src/errors.ts";
import { membersFromStatus } from "../../../src/repair/members.ts";
import { NodeCallError, NodeClient, Traffic } from "../../../src/repair/node-client.ts";
import {
  AE_KEYS,
  AE_LOCK,
  AE_PURGE,
  KeysResponse,
  LockResponse,
  PurgeResponse,
} from "../../../src/wire/anti-entropy.ts";
import { Servers } from "../client/servers.ts";

const servers = new Servers();
const clients: NodeClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await servers.closeAll();
});

function msgpackServer(status: number, body: unknown): Promise<string> {
  return servers.serve((_req, _body, res) => {
    res.writeHead(status, { "content-type": "application/msgpack" });
    res.end(pack(body));
  });
}
function jsonServer(status: number, body: unknown): Promise<string> {
  return servers.serve((_req, _body, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
}
function client(url: string): NodeClient {
  const c = new NodeClient("node-7", url, undefined, new Traffic(), 2_000);
  clients.push(c);
  return c;
}
async function failure(p: Promise<unknown>): Promise<NodeCallError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NodeCallError);
  return err as NodeCallError;
}

const STATUS = {
  node: { id: "a", mode: "Leaderless", role: "replica", ready: true },
  generation: 1,
  members: [
    { id: "a", url: "http://a:7000", self: true, healthy: true },
    { id: "b", url: "http://b:7000", self: false, healthy: true },
  ],
  replication: { factor: 2, writeQuorum: 2, readQuorum: 1 },
  clock: { now: "1:0:a", maxOffsetMs: 500, peers: {} },
  hints: { pending: 0, bytes: 0, windowMs: 1, maxBytes: 1 },
};

describe("repair node answers", () => {
  it("takes a well-formed answer", async () => {
    const url = await msgpackServer(200, { entries: [["k", 1, 0, "a"]] });
    const answer = await client(url).post(AE_KEYS, { set: "a,b", segments: [0] }, KeysResponse);
    expect(answer.body.entries).toEqual([["k", 1, 0, "a"]]);
  });

  it("refuses a malformed answer with an error naming the node, the call and the field", async () => {
    const url = await msgpackServer(200, { entries: [["k", "yesterday", 0, "a"]] });
    const err = await failure(client(url).post(AE_KEYS, { set: "a,b", segments: [0] }, KeysResponse));
    expect(err.node).toBe("node-7");
    expect(err.code).toBe("malformed_answer");
    expect(err.message).toMatch(/^node-7: POST \/internal\/v1\/ae\/keys answered a malformed body/);
    expect(err.message).toContain("answer.entries[0][1]");
  });

  it("checks an accepted status's body when it is the same message (the lock's 409), not an error body (purge's 404)", async () => {
    const lock = await msgpackServer(409, { acquired: false });
    const err = await failure(
      client(lock).post(AE_LOCK, { holder: "me", ttlMs: 1 }, LockResponse, {
        accept: [409],
        sameShape: [409],
      }),
    );
    expect(err.message).toContain("HTTP 409");
    expect(err.message).toMatch(/answer .*holder/);

    const purge = await jsonServer(404, { error: "not_found", message: "no such set" });
    const answer = await client(purge).post(AE_PURGE, { set: "x" }, PurgeResponse, { accept: [404] });
    expect(answer.status).toBe(404);
  });

  it("reads members from /v1/status through the node-status schema", async () => {
    const good = await jsonServer(200, STATUS);
    expect(await membersFromStatus([good], undefined, 2_000)).toEqual([
      { id: "a", url: "http://a:7000" },
      { id: "b", url: "http://b:7000" },
    ]);

    const bad = await jsonServer(200, { ...STATUS, members: [{ id: "a", url: 7 }] });
    const err = await membersFromStatus([bad], undefined, 2_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain(`node at ${bad}: GET /v1/status answered a malformed body`);
    expect((err as Error).message).toContain("answer.members[0]");
  });
});
