/**
 * TLS on the wire: nodes serve HTTPS, verify each other by certificate (mutual TLS), keep the peer
 * routes for peers (never a client's token or certificate), and take a renewed certificate
 * without a restart and without failing a request.
 */
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { pack } from "msgpackr";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChannelRefusedError, PeerChannel } from "../../src/node/peers/peer-channel.ts";
import { OP_ML_PUSH, OP_PUT } from "../../src/node/peers/protocol.ts";
import { createCa, issueCertificate } from "../../src/tls/pki.ts";
import { BATCH_PATH } from "../../src/wire/peer-batch.ts";
import { eventually, type Store, send, startStore, uniqueKey } from "../support/index.ts";
import { LOOPBACK_NAMES, writeTlsDir } from "../support/tls.ts";

const TOKEN = "tls-client-token";

/** The serial number of the certificate `port` serves now. */
function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, ca, servername: "localhost" }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.on("error", reject);
  });
}

describe("TLS between clients and nodes, and between peers", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startStore({
      nodes: 3,
      factor: 3,
      writeQuorum: 3,
      readQuorum: 2,
      token: TOKEN,
      tls: true,
      peerPort: true,
    });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  const peerUrl = (i: number) => store.config.members[i]!.peerUrl!;
  const batch = () => pack({ from: store.id(1), clock: [Date.now(), 0], ops: [] });

  it("serves HTTPS, and peers replicate over mutual TLS (a write acked by all three)", async () => {
    expect(store.urls[0]).toMatch(/^https:/);
    const key = uniqueKey("tls");
    const put = await store.client(0).put(key, "over tls", { w: 3 });
    expect(put.status, put.text).toBe(200);
    expect(put.body.acks).toBe(3);
    const got = await store.client(2).get(key, { local: true });
    expect(got.status).toBe(200);
    expect(got.text).toBe("over tls");
  });

  it("a client that does not trust the store's CA is refused by its own TLS check", async () => {
    const other = await createCa("someone else");
    const err = await send(store.urls[0]!, "GET", "/v1/status", { token: TOKEN, ca: other.certPem }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string; cause?: { code?: string } },
    );
    expect(err, "the request must fail").toBeDefined();
    const code = err?.code ?? err?.cause?.code;
    expect(code).toMatch(/UNABLE_TO_VERIFY|SELF_SIGNED|CERT/);
  });

  it("a plain-HTTP request to the TLS port gets no API answer", async () => {
    const plain = store.urls[0]!.replace(/^https:/, "http:");
    const outcome = await send(plain, "GET", "/v1/status", { token: TOKEN, timeoutMs: 3000 }).then(
      (r) => r.status,
      () => "failed",
    );
    expect(outcome === "failed" || outcome === 400).toBe(true);
  });

  it("the client token never opens a peer route: 403 peer_only on the peer port without a peer certificate", async () => {
    const reply = await send(peerUrl(0), "POST", BATCH_PATH, {
      body: batch(),
      headers: { "content-type": "application/msgpack" },
      token: TOKEN,
      ca: store.tls!.caPem,
    });
    expect(reply.status, reply.text).toBe(403);
    expect(reply.body.error).toBe("peer_only");
  });

  it("a client certificate from the store's CA that does not name the store's nodes is not a peer", async () => {
    const tls = store.tls!;
    const app = await issueCertificate(tls.ca, { commonName: "app", dnsNames: ["app.example"] });
    const dispatcher = new Agent({ connect: { ca: tls.caPem, cert: app.certPem, key: app.keyPem } });
    const res = await request(`${peerUrl(0)}${BATCH_PATH}`, {
      method: "POST",
      body: batch(),
      headers: { "content-type": "application/msgpack" },
      dispatcher,
    });
    const body = (await res.body.json()) as { error: string };
    expect(res.statusCode).toBe(403);
    expect(body.error).toBe("peer_only");
    await dispatcher.close();
  });

  it("a node's certificate opens the peer routes", async () => {
    const tls = store.tls!;
    const dispatcher = new Agent({
      connect: { ca: tls.caPem, cert: tls.cert.certPem, key: tls.cert.keyPem },
    });
    const res = await request(`${peerUrl(0)}${BATCH_PATH}`, {
      method: "POST",
      body: batch(),
      headers: { "content-type": "application/msgpack" },
      dispatcher,
    });
    await res.body.arrayBuffer();
    expect(res.statusCode).toBe(200);
    await dispatcher.close();
  });

  it("peer routes are not served on the client port, and the API is not served on the peer port", async () => {
    const onClient = await send(store.urls[0]!, "POST", BATCH_PATH, {
      body: batch(),
      headers: { "content-type": "application/msgpack" },
      token: TOKEN,
      ca: store.tls!.caPem,
    });
    expect(onClient.status).toBe(403);
    expect(onClient.body.error).toBe("peer_only");
    const apiOnPeer = await send(peerUrl(0), "GET", "/v1/status", { token: TOKEN, ca: store.tls!.caPem });
    expect(apiOnPeer.status).toBe(404);
    const probe = await send(peerUrl(0), "GET", "/readyz", { ca: store.tls!.caPem });
    expect(probe.status).toBe(200);
  });

  it("a renewed certificate is served without a restart, and no request fails meanwhile", async () => {
    const tls = store.tls!;
    const port = Number(new URL(store.urls[0]!).port);
    const before = await servedSerial(port, tls.caPem);
    const pid = store.node(0).pid;
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const client = store.client(0);
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        const reply = await client.put(uniqueKey("renew"), `v${i}`, { w: 3 }).catch((e: Error) => e);
        if (reply instanceof Error) failures.push(reply.message);
        else if (reply.status !== 200) failures.push(`${reply.status} ${reply.text}`);
        else ok++;
      }
    })();
    // Write the new files beside the directory, then swap them in whole, as the kubelet does.
    const renewed = await issueCertificate(tls.ca, { commonName: "test store", ...LOOPBACK_NAMES });
    const next = join(store.dir, "tls-next");
    await writeTlsDir(next, tls.ca, renewed);
    for (const f of ["tls.crt", "tls.key", "ca.crt"]) await rename(join(next, f), join(tls.dir, f));
    await eventually(async () => expect(await servedSerial(port, tls.caPem)).not.toBe(before), {
      timeoutMs: 15_000,
    });
    const okAtSwap = ok;
    // Keep going a little past the swap: the peers' new connections use the new certificate too.
    await eventually(() => expect(ok).toBeGreaterThan(okAtSwap + 50), { timeoutMs: 15_000 });
    stop = true;
    await load;
    expect(failures).toEqual([]);
    expect(store.node(0).pid).toBe(pid);
  });
});

describe("peer secret (TLS off)", () => {
  const SECRET = "peer-secret-for-tests";
  let store: Store;
  beforeAll(async () => {
    store = await startStore({ nodes: 3, factor: 3, writeQuorum: 3, token: TOKEN, peerSecret: SECRET });
  });
  afterAll(async () => {
    await store?.cleanup();
  });
  const body = () => pack({ from: "node-1", clock: [Date.now(), 0], ops: [] });

  it("peers replicate with the secret; a client's token alone gets 403 peer_only", async () => {
    const put = await store.client(0).put(uniqueKey("secret"), "v", { w: 3 });
    expect(put.status, put.text).toBe(200);
    const headers = { "content-type": "application/msgpack" };
    const withToken = await send(store.urls[0]!, "POST", BATCH_PATH, { body: body(), headers, token: TOKEN });
    expect(withToken.status).toBe(403);
    expect(withToken.body.error).toBe("peer_only");
    const withSecret = await send(store.urls[0]!, "POST", BATCH_PATH, {
      body: body(),
      headers: { ...headers, "x-replistore-peer-secret": SECRET },
    });
    expect(withSecret.status, withSecret.text).toBe(200);
  });

  const batchFrom = (from: string, ops: unknown[]) =>
    send(store.urls[0]!, "POST", BATCH_PATH, {
      body: pack({ from, clock: [Date.now(), 0], ops }),
      headers: { "content-type": "application/msgpack", "x-replistore-peer-secret": SECRET },
    });

  it("a batch naming the node itself, or multi-leader updates from outside the store, gets 400 unknown_peer", async () => {
    const self = await batchFrom("node-0", []);
    expect(self.status, self.text).toBe(400);
    expect(self.body.error).toBe("unknown_peer");
    const push = await batchFrom("intruder-7", [[OP_ML_PUSH, "", []]]);
    expect(push.status, push.text).toBe(400);
    expect(push.body.error).toBe("unknown_peer");
    expect(push.body.message).toContain("node-0, node-1, node-2");
  });

  it("records from a peer outside the member list (a leaving node's handoff) are checked and kept, under one metric label", async () => {
    const key = uniqueKey("handoff");
    const now = Date.now();
    const ok = await batchFrom("node-9", [[OP_PUT, key, [now, 0, "node-9", Buffer.from("x")]]]);
    expect(ok.status, ok.text).toBe(200);
    expect((await store.client(0).get(key, { local: true })).text).toBe("x");
    const future = await batchFrom("node-9", [
      [OP_PUT, uniqueKey("future"), [now + 3_600_000, 0, "node-9", Buffer.from("y")]],
    ]);
    expect(future.status, future.text).toBe(200);
    const metrics = (await store.client(0).request("GET", "/metrics")).text;
    expect(metrics).toMatch(/replistore_clock_refused_total\{[^}]*peer="non-member"/);
    expect(metrics).not.toContain('peer="node-9"');
  });

  it("the peer channel opens with the secret (and answers like the batch route), and without it gets 403 peer_only", async () => {
    const plain = (headers: Record<string, string>) =>
      new PeerChannel(store.urls[0]!, { connect: undefined, headers, tls: false });
    const granted = plain({ "x-replistore-peer-secret": SECRET });
    try {
      const self = await granted.request(pack({ from: "node-0", clock: [Date.now(), 0], ops: [] }), 5_000);
      expect(self.status).toBe(400);
      expect(JSON.parse(self.payload.toString("utf8")).error).toBe("unknown_peer");
    } finally {
      granted.close();
    }
    const attempts: Array<Record<string, string>> = [
      {},
      { "x-replistore-peer-secret": "wrong" },
      { authorization: `Bearer ${TOKEN}` },
    ];
    for (const headers of attempts) {
      const refused = plain(headers).request(body(), 5_000);
      await expect(refused).rejects.toBeInstanceOf(ChannelRefusedError);
      await expect(refused).rejects.toThrow(/HTTP 403 .*peer_only/);
    }
  });
});
