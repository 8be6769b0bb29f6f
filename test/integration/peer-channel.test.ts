/**
 * Peers carry their batches on one channel each (peer protocol 3): real nodes open them to each
 * other, a channel answers a batch exactly as the batch route does, and it is granted only past the
 * same peer check (a node's certificate, on the peer port). A node whose connection is cut or
 * killed loses no acknowledged write, and the channels come back when it does.
 */
import { connect as tlsConnect } from "node:tls";
import { pack, unpack } from "msgpackr";
import { buildConnector } from "undici";
import { describe, expect, it } from "vitest";
import { ChannelRefusedError, PeerChannel } from "../../src/node/peers/peer-channel.ts";
import type { PeerCredentials } from "../../src/node/tls/peer-credentials.ts";
import { createCa, issueCertificate } from "../../src/tls/pki.ts";
import { BATCH_PATH, OP_GET, PEER_PROTOCOL } from "../../src/wire/peer-batch.ts";
import { CHANNEL_PATH, CHANNEL_SINCE, CHANNEL_UPGRADE } from "../../src/wire/peer-frame.ts";
import {
  eventually,
  metricValue,
  send,
  THREE_NODES_MAJORITY,
  uniqueKey,
  useStore,
} from "../support/index.ts";

const TOKEN = "peer-channel-token";

describe("peer channels", () => {
  const env = useStore({ ...THREE_NODES_MAJORITY, token: TOKEN, tls: true, peerPort: true });
  const store = () => env.store;

  const peerUrl = (i: number) => store().config.members[i]!.peerUrl!;
  const channelsOpenTo = async (i: number) =>
    metricValue(await store().client(i, TOKEN).metrics(), "replistore_peer_channels");
  const credentials = (cert: { certPem: string; keyPem: string }): PeerCredentials => ({
    connect: buildConnector({ ca: store().tls!.caPem, cert: cert.certPem, key: cert.keyPem }),
    headers: {},
    tls: true,
  });
  const nodeCert = () => ({ cert: store().tls!.cert.certPem, key: store().tls!.cert.keyPem });
  const asNode = () => credentials(store().tls!.cert);
  const batchOf = (...ops: unknown[]) => pack({ from: store().id(1), clock: [Date.now(), 0], ops });

  it("is what the nodes replicate over: each node holds one from each other node once they have written", async () => {
    expect(PEER_PROTOCOL).toBeGreaterThanOrEqual(CHANNEL_SINCE);
    // A node's first batches to a peer may go as POSTs, until an answer says protocol 3.
    await eventually(
      async () => {
        for (let i = 0; i < 3; i++) {
          const put = await store()
            .client(i)
            .put(uniqueKey(`channel-${i}`), "v", { w: 3 });
          expect(put.status, put.text).toBe(200);
        }
        for (let j = 0; j < 3; j++) expect(await channelsOpenTo(j), `channels open to node ${j}`).toBe(2);
      },
      { timeoutMs: 10_000 },
    );
  });

  it("answers a batch with the same status and bytes as the batch route", async () => {
    const key = uniqueKey("same");
    expect((await store().client(0).put(key, "held", { w: 3 })).status).toBe(200);
    const channel = new PeerChannel(peerUrl(0), asNode());
    try {
      const viaChannel = await channel.request(batchOf([OP_GET, key]), 5_000);
      const viaPost = await send(peerUrl(0), "POST", BATCH_PATH, {
        body: batchOf([OP_GET, key]),
        headers: { "content-type": "application/msgpack" },
        ca: store().tls!.caPem,
        peer: nodeCert(),
      });
      expect(viaChannel.status).toBe(viaPost.status);
      const a = unpack(viaChannel.payload) as { results: unknown[]; protocol: number };
      const b = unpack(viaPost.bytes) as { results: unknown[] };
      expect(a.protocol).toBe(PEER_PROTOCOL);
      expect(a.results).toEqual(b.results);
      expect((a.results[0] as unknown[])[3]).toEqual(Buffer.from("held"));
    } finally {
      channel.close();
    }
  });

  it("answers a malformed batch with 400 invalid_batch and goes on answering", async () => {
    const channel = new PeerChannel(peerUrl(0), asNode());
    try {
      const bad = await channel.request(Buffer.from("not msgpack \xc1"), 5_000);
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.payload.toString("utf8"))).toMatchObject({ error: "invalid_batch" });
      const worse = await channel.request(pack({ from: store().id(1), clock: "noon", ops: [] }), 5_000);
      expect(worse.status).toBe(400);
      expect(JSON.parse(worse.payload.toString("utf8")).message).toMatch(/clock/);
      const good = await channel.request(batchOf(), 5_000);
      expect(good.status).toBe(200);
    } finally {
      channel.close();
    }
  });

  it("is refused without a node's certificate, or on the client port: 403 peer_only", async () => {
    const tls = store().tls!;
    const app = await issueCertificate(tls.ca, { commonName: "app", dnsNames: ["app.example"] });
    const stranger = await createCa("someone else");
    const strangerCert = await issueCertificate(stranger, { commonName: "x", dnsNames: ["localhost"] });
    const attempts: Array<[string, string, PeerCredentials]> = [
      ["a client certificate of the store's CA", peerUrl(0), credentials(app)],
      ["no client certificate", peerUrl(0), { ...asNode(), connect: buildConnector({ ca: tls.caPem }) }],
      ["a node's certificate on the client port", store().urls[0]!, asNode()],
    ];
    for (const [what, url, creds] of attempts) {
      const channel = new PeerChannel(url, creds);
      const err = await channel.request(batchOf(), 5_000).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, what).toBeInstanceOf(ChannelRefusedError);
      expect(String(err), what).toMatch(/HTTP 403 .*peer_only/);
    }
    // A certificate from another CA does not even finish the TLS handshake.
    const foreign = new PeerChannel(peerUrl(0), credentials(strangerCert));
    await expect(foreign.request(batchOf(), 5_000)).rejects.toThrow();
  });

  it("is closed on a frame longer than the limit; the node goes on serving", async () => {
    const tls = store().tls!;
    const { port, hostname } = new URL(peerUrl(0));
    const closed = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect(
        { host: hostname, port: Number(port), ca: tls.caPem, cert: tls.cert.certPem, key: tls.cert.keyPem },
        () => {
          socket.write(
            `GET ${CHANNEL_PATH} HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: ${CHANNEL_UPGRADE}\r\n\r\n`,
          );
        },
      );
      let head = "";
      socket.on("data", (chunk: Buffer) => {
        head += chunk.toString("latin1");
        if (head.includes("\r\n\r\n") && head.startsWith("HTTP/1.1 101")) {
          head = "upgraded";
          const frame = Buffer.alloc(10);
          frame.writeUInt32BE(0xffffffff, 0);
          socket.write(frame);
        }
      });
      socket.on("close", () => resolve(head));
      socket.on("error", reject);
    });
    expect(closed).toBe("upgraded");
    const put = await store().client(0).put(uniqueKey("after-bad-frame"), "v", { w: 3 });
    expect(put.status, put.text).toBe(200);
  });

  it("a plain GET of the channel path says it needs the upgrade", async () => {
    const reply = await send(peerUrl(0), "GET", CHANNEL_PATH, {
      ca: store().tls!.caPem,
      peer: nodeCert(),
    });
    expect(reply.status, reply.text).toBe(426);
    expect(reply.body.error).toBe("upgrade_required");
  });

  it("a node cut off, then killed, loses no acknowledged write, and the channels to it come back", async () => {
    const written: string[] = [];
    store().partition(2);
    for (let i = 0; i < 20; i++) {
      const key = uniqueKey("cut");
      const put = await store().client(0).put(key, `v${i}`, { w: 2 });
      expect(put.status, put.text).toBe(200);
      written.push(key);
    }
    store().heal(2);
    await eventually(
      async () => expect((await store().client(0).put(uniqueKey("healed"), "v", { w: 3 })).status).toBe(200),
      { timeoutMs: 10_000 },
    );
    await store().kill(1);
    for (let i = 0; i < 20; i++) {
      const key = uniqueKey("killed");
      const put = await store().client(0).put(key, `w${i}`, { w: 2 });
      expect(put.status, put.text).toBe(200);
      written.push(key);
    }
    await store().start(1);
    await eventually(
      async () => {
        const put = await store().client(0).put(uniqueKey("back"), "v", { w: 3 });
        expect(put.status, put.text).toBe(200);
        expect(await channelsOpenTo(1)).toBeGreaterThanOrEqual(1);
        expect(await channelsOpenTo(2)).toBeGreaterThanOrEqual(1);
      },
      { timeoutMs: 15_000 },
    );
    for (const key of written) {
      const got = await store().client(1).get(key, { r: 3 });
      expect(got.status, `${key}: ${got.text}`).toBe(200);
    }
  });
});
