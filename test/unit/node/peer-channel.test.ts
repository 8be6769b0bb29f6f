/**
 * The sender's side of a peer channel against a hand-driven peer (a raw TCP server): answers find
 * their batch by sequence number whatever their order, a peer that stops answering fails what is
 * in flight within the timeout, and a channel the peer closes is opened again for the next batch.
 */

import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { PeerChannel } from "../../../src/node/peers/peer-channel.ts";
import { CHANNEL_UPGRADE, encodeFrame, type Frame, FrameReader } from "../../../src/wire/peer-frame.ts";

const plain = { connect: undefined, headers: {}, tls: false };
const servers: Server[] = [];
const channels: PeerChannel[] = [];

/** A peer that grants the upgrade (unless `silent`) and hands each request frame to `onFrame`. */
async function peer(opts: {
  silent?: boolean;
  onFrame?: (frame: Frame, socket: Socket) => void;
}): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    let upgraded = false;
    let head = "";
    const reader = new FrameReader();
    socket.on("data", (chunk: Buffer) => {
      if (!upgraded) {
        head += chunk.toString("latin1");
        if (!head.includes("\r\n\r\n") || opts.silent) return;
        upgraded = true;
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: ${CHANNEL_UPGRADE}\r\n\r\n`,
        );
        const rest = Buffer.from(head.slice(head.indexOf("\r\n\r\n") + 4), "latin1");
        if (rest.length === 0) return;
        chunk = rest;
      }
      for (const frame of reader.push(chunk)) opts.onFrame?.(frame, socket);
    });
    socket.on("error", () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
  };
}

function channel(url: string): PeerChannel {
  const c = new PeerChannel(url, plain);
  channels.push(c);
  return c;
}

afterEach(async () => {
  for (const c of channels.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe("PeerChannel", () => {
  it("matches answers to batches by sequence number, whatever their order", async () => {
    const held: Array<[Frame, Socket]> = [];
    const { url } = await peer({
      onFrame: (frame, socket) => {
        held.push([frame, socket]);
        if (held.length < 2) return;
        // Answer the second batch first.
        for (const [f, s] of held.reverse())
          s.write(encodeFrame(f.seq, 200, Buffer.from(`echo ${f.payload}`)));
      },
    });
    const c = channel(url);
    const [a, b] = await Promise.all([
      c.request(Buffer.from("first"), 5_000),
      c.request(Buffer.from("second"), 5_000),
    ]);
    expect([a.status, a.payload.toString()]).toEqual([200, "echo first"]);
    expect([b.status, b.payload.toString()]).toEqual([200, "echo second"]);
  });

  it("fails when the peer does not grant the upgrade within the timeout", async () => {
    const { url } = await peer({ silent: true });
    await expect(channel(url).request(Buffer.from("x"), 200)).rejects.toThrow(/not open within 200 ms/);
  });

  it("fails every batch in flight when the peer stops answering, then opens a new channel", async () => {
    let answer = false;
    const { url, connections } = await peer({
      onFrame: (frame, socket) => {
        if (answer) socket.write(encodeFrame(frame.seq, 200, frame.payload));
      },
    });
    const c = channel(url);
    const stuck = [c.request(Buffer.from("a"), 300), c.request(Buffer.from("b"), 5_000)];
    await expect(stuck[0]).rejects.toThrow(/no answer from the peer within 300 ms/);
    await expect(stuck[1], "the other batch on the dropped channel").rejects.toThrow();
    answer = true;
    const next = await c.request(Buffer.from("c"), 5_000);
    expect(next.payload.toString()).toBe("c");
    expect(connections()).toBe(2);
  });

  it("fails what is in flight when the peer closes the channel, and reconnects for the next batch", async () => {
    let close = true;
    const { url, connections } = await peer({
      onFrame: (frame, socket) => {
        if (close) socket.destroy();
        else socket.write(encodeFrame(frame.seq, 200, frame.payload));
      },
    });
    const c = channel(url);
    await expect(c.request(Buffer.from("a"), 5_000)).rejects.toThrow(/peer closed the channel/);
    close = false;
    expect((await c.request(Buffer.from("b"), 5_000)).payload.toString()).toBe("b");
    expect(connections()).toBe(2);
  });
});
