/**
 * The store's NetworkPolicy enforced on a real node (kube-network-policies, started by
 * hack/cluster/up.sh): only the store's peers, its labelled clients (in its namespace, or any pod
 * of a namespace labelled for it) and the operator reach port 7070. A pod without the label cannot
 * open a connection at all: not through the Service, not to a pod's own address.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl, kubectlJson } from "./support/commands.ts";
import { ClientPod, createNamespace, deleteNamespace, sample, waitStoreReady } from "./support/stores.ts";

const NS = `e2e-netpol-${process.pid}`;
const ELSEWHERE = `e2e-netpol-clients-${process.pid}`;
let client: ClientPod;
let stranger: ClientPod;
let remoteClient: ClientPod;

/**
 * Opens a TCP connection from a pod and says how it went. A dropped SYN (what the policy does)
 * shows as a timeout; 5 s is far beyond a connection on one bridge, which takes under a millisecond.
 */
async function connect(from: ClientPod, host: string, port = 7070): Promise<string> {
  const script = `
    const socket = require("node:net").connect(${port}, process.argv[1]);
    socket.setTimeout(5000);
    socket.on("connect", () => { console.log("connected"); process.exit(0); });
    socket.on("timeout", () => { console.log("timeout"); process.exit(0); });
    socket.on("error", (e) => { console.log("error " + e.code); process.exit(0); });`;
  const result = await from.exec(["node", "-e", script, host]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

beforeAll(async () => {
  await createNamespace(NS);
  await createNamespace(ELSEWHERE, { "replistore.io/client-of": "orders" });
  await kubectl(["apply", "-n", NS, "-f", "-"], { input: await sample("leaderless.yaml") });
  [client, stranger, remoteClient] = await Promise.all([
    ClientPod.start(NS, "client", { "replistore.io/client-of": "orders" }),
    ClientPod.start(NS, "stranger"),
    ClientPod.start(ELSEWHERE, "remote-client"),
  ]);
  remoteClient.trustStoresIn(NS);
  await waitStoreReady(NS, "orders", 3);
});

afterAll(async () => {
  await Promise.all([deleteNamespace(NS), deleteNamespace(ELSEWHERE)]);
});

describe("the store's NetworkPolicy, enforced", () => {
  it("lets peers replicate and labelled clients in: a write acknowledged by all three nodes", async () => {
    // w=3: the coordinator must reach both other nodes on the peer port.
    const put = await client.cli("orders", ["kv", "put", "fenced", "in", "--w", "3", "-o", "json"]);
    expect(put.code, put.stderr).toBe(0);
    expect(JSON.parse(put.stdout).acks).toBe(3);
    expect(await connect(client, `orders.${NS}.svc.cluster.local`)).toBe("connected");
  });

  it("keeps the peer port for the store's own pods: a labelled client cannot open it", async () => {
    const node = await kubectlJson<{ status: { podIP: string } }>(["get", "pod", "orders-1", "-n", NS]);
    expect(await connect(client, node.status.podIP)).toBe("connected");
    expect(await connect(client, node.status.podIP, 7071)).toBe("timeout");
  });

  it("admits every pod of a namespace labelled as a client of the store", async () => {
    expect(await connect(remoteClient, `orders.${NS}.svc.cluster.local`)).toBe("connected");
    const get = await remoteClient.exec([
      "replistore",
      "kv",
      "get",
      "fenced",
      "--endpoint",
      `https://orders.${NS}.svc.cluster.local:7070`,
    ]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout.trim()).toBe("in");
  });

  it("drops connections from a pod without the client label, by Service and by pod address", async () => {
    expect(await connect(stranger, `orders.${NS}.svc.cluster.local`)).toBe("timeout");
    const node = await kubectlJson<{ status: { podIP: string } }>(["get", "pod", "orders-0", "-n", NS]);
    expect(await connect(stranger, node.status.podIP)).toBe("timeout");
    // The same pod reaches what no policy guards: the apiserver's Service.
    const api = await stranger.exec([
      "node",
      "-e",
      `require("node:net").connect(443, "kubernetes.default.svc.cluster.local").on("connect", () => { console.log("connected"); process.exit(0); }).on("error", () => process.exit(1));`,
    ]);
    expect(api.stdout.trim()).toBe("connected");
  });
});
