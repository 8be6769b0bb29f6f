/**
 * The sender's side of the peer protocol: an op the receiver refused inside a well-formed answer
 * (a record from the future) fails that op alone, as a clock refusal the coordinator counts as no
 * ack and does not hint; an answer that is not a batch response is a peer failure, never a result.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pack } from "msgpackr";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HybridClock } from "../../../src/node/clock/hlc.ts";
import { ClockOffsetError, PeerUnavailableError } from "../../../src/node/peers/errors.ts";
import { PeerClient, type PeerContext } from "../../../src/node/peers/peer-client.ts";
import { BATCH_PATH, FIRST_PEER_PROTOCOL, OP_PUT, PEER_PROTOCOL } from "../../../src/node/peers/protocol.ts";
import { CHANNEL_PATH, CHANNEL_SINCE } from "../../../src/wire/peer-frame.ts";

/** What the fake peer answers to the next batch. */
let answer: unknown;
/** Method and path of every request the fake peer got. */
const seen: string[] = [];
let server: Server;
let url: string;
const clients: PeerClient[] = [];
const refusals: Array<{ peer: string; byPeer: boolean; record: string | undefined }> = [];

function context(): PeerContext {
  return {
    selfId: "node-0",
    clock: new HybridClock("node-0"),
    credentials: { connect: undefined, headers: {}, tls: false },
    maxOffsetMs: () => 500,
    timeoutMs: () => 5_000,
    onOffset: () => {},
    onRefused: (peer, _offsetMs, byPeer, record) => refusals.push({ peer, byPeer, record }),
    onHealthChange: () => {},
  };
}

function client(): PeerClient {
  const c = new PeerClient("node-1", url, context());
  clients.push(c);
  return c;
}

beforeAll(async () => {
  // A peer without channels: Node answers a channel upgrade here as a plain request.
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/msgpack" }).end(pack(answer)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  refusals.length = 0;
  seen.length = 0;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("PeerClient", () => {
  it("fails a refused op with a ClockOffsetError and resolves the others of the batch", async () => {
    answer = {
      clock: [Date.now(), 0],
      results: [
        { refused: "record_from_future", message: 'the record for key "a" is ahead', offsetMs: 9_000_000 },
        [1, null],
      ],
    };
    const peer = client();
    const record: [number, number, string, null] = [Date.now(), 0, "node-0", null];
    const [refused, applied] = await Promise.allSettled([
      peer.send([OP_PUT, "a", record]),
      peer.send([OP_PUT, "b", record]),
    ]);
    expect(refused.status).toBe("rejected");
    const reason = (refused as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(ClockOffsetError);
    expect(reason.message).toContain('the record for key "a" is ahead');
    expect(applied).toEqual({ status: "fulfilled", value: [1, null] });
    expect(refusals).toEqual([{ peer: "node-1", byPeer: true, record: 'the record for key "a" is ahead' }]);
  });

  it("learns the peer's protocol from its answers, and forgets it once the peer fails", async () => {
    const peer = client();
    const record: [number, number, string, null] = [Date.now(), 0, "node-0", null];
    expect(peer.protocol, "until the peer says").toBe(FIRST_PEER_PROTOCOL);
    answer = { clock: [Date.now(), 0], results: [[1, null]], protocol: PEER_PROTOCOL };
    await peer.send([OP_PUT, "a", record]);
    expect(peer.protocol).toBe(PEER_PROTOCOL);
    answer = { clock: [Date.now(), 0], results: [[1, null]] };
    await peer.send([OP_PUT, "a", record]);
    expect(peer.protocol, "an older build says nothing").toBe(FIRST_PEER_PROTOCOL);
    answer = { clock: [Date.now(), 0], results: [[1, null]], protocol: PEER_PROTOCOL };
    await peer.send([OP_PUT, "a", record]);
    answer = { clock: [Date.now(), 0], results: [[1, null]], protocol: 0 };
    await expect(peer.send([OP_PUT, "a", record])).rejects.toBeInstanceOf(PeerUnavailableError);
    expect(peer.protocol, "a peer marked down may come back as another build").toBe(FIRST_PEER_PROTOCOL);
  });

  it("treats an answer that is not a batch response as the peer failing", async () => {
    answer = { clock: "noon", results: [[1, null]] };
    const peer = client();
    const sent = peer.send([OP_PUT, "a", [Date.now(), 0, "node-0", null]]);
    await expect(sent).rejects.toBeInstanceOf(PeerUnavailableError);
    await expect(sent).rejects.toThrow(/malformed batch response: body.clock/);
  });

  it("sends batches as POSTs to a peer that says protocol 3 but does not grant the channel", async () => {
    const peer = client();
    const record: [number, number, string, null] = [Date.now(), 0, "node-0", null];
    answer = { clock: [Date.now(), 0], results: [[1, null]], protocol: CHANNEL_SINCE };
    await peer.send([OP_PUT, "a", record]);
    expect(seen, "a peer not yet known to speak 3 gets a POST").toEqual([`POST ${BATCH_PATH}`]);
    await expect(peer.send([OP_PUT, "b", record])).resolves.toEqual([1, null]);
    expect(seen.slice(1), "then one channel upgrade, refused, and the same batch as a POST").toEqual([
      `GET ${CHANNEL_PATH}`,
      `POST ${BATCH_PATH}`,
    ]);
    await peer.send([OP_PUT, "c", record]);
    expect(seen.slice(3), "no new upgrade until the peer is marked down").toEqual([`POST ${BATCH_PATH}`]);
  });
});
