/**
 * The leaderless sample on a real kubelet: applied with kubectl as a user does, its pods scheduled,
 * volumes provisioned by the default StorageClass, reads and writes from a client pod through the
 * store's Service by DNS, and node processes killed with SIGKILL inside their containers (by
 * containerd, as the OOM killer would) and pods force-deleted, losing no acknowledged write.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.ts";
import { kubectl, kubectlJson, run } from "./support/commands.ts";
import {
  ClientPod,
  createNamespace,
  deleteNamespace,
  sample,
  storeStatus,
  waitStoreReady,
} from "./support/stores.ts";

const NS = `e2e-leaderless-${process.pid}`;
const CLUSTER_DIR = process.env.REPLISTORE_CLUSTER_DIR ?? "/var/lib/replistore-cluster";
let client: ClientPod;

interface PodJson {
  metadata: { uid: string };
  status: {
    podIP?: string;
    containerStatuses?: { containerID?: string; restartCount: number; ready: boolean }[];
  };
}

/** Writes keys one by one from the client pod; returns the keys whose write was acknowledged. */
async function writeKeys(prefix: string, count: number): Promise<string[]> {
  const endpoint = `https://orders.${NS}.svc.cluster.local:7070`;
  const script = `for i in $(seq 1 ${count}); do replistore kv put ${prefix}-$i value-${prefix}-$i --endpoint ${endpoint} >/dev/null 2>&1 && echo ${prefix}-$i; done`;
  const result = await client.exec(["sh", "-c", script], { timeoutMs: 120_000 });
  return result.stdout.split("\n").filter((line) => line.startsWith(`${prefix}-`));
}

/** A node's own copy of a key (no quorum), through the pod's DNS name under the peers Service. */
async function localValue(ordinal: number, key: string): Promise<string | undefined> {
  const endpoint = `https://orders-${ordinal}.orders-peers.${NS}.svc.cluster.local:7070`;
  const result = await client.exec(["replistore", "kv", "get", key, "--local", "--endpoint", endpoint]);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

async function pod(name: string): Promise<PodJson> {
  return kubectlJson<PodJson>(["get", "pod", name, "-n", NS]);
}

beforeAll(async () => {
  await createNamespace(NS);
  await kubectl(["apply", "-n", NS, "-f", "-"], { input: await sample("leaderless.yaml") });
  client = await ClientPod.start(NS, "client", { "replistore.io/client-of": "orders" });
  await waitStoreReady(NS, "orders", 3);
});

afterAll(async () => {
  await deleteNamespace(NS);
});

describe("leaderless sample on a real node", () => {
  it("is Ready with bound volumes, and serves writes and reads through its Service by DNS", async () => {
    const status = await storeStatus(NS, "orders");
    expect(status.phase).toBe("Ready");
    const claims = await kubectlJson<{ items: { status: { phase: string } }[] }>(["get", "pvc", "-n", NS]);
    expect(claims.items.map((c) => c.status.phase)).toEqual(["Bound", "Bound", "Bound"]);

    const put = await client.cli("orders", ["kv", "put", "greeting", "hello from a pod", "-o", "json"]);
    expect(put.code, put.stderr).toBe(0);
    expect(JSON.parse(put.stdout).acks).toBeGreaterThanOrEqual(2);
    const get = await client.cli("orders", ["kv", "get", "greeting", "--r", "3"]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout.trim()).toBe("hello from a pod");
  });

  it("loses no acknowledged write when a node is SIGKILLed in its container, and the node comes back with its data", async () => {
    const before = await writeKeys("before-kill", 15);
    expect(before.length).toBe(15);
    const victim = await pod("orders-1");
    const containerId = victim.status.containerStatuses?.[0]?.containerID?.replace(/^containerd:\/\//, "");
    const restarts = victim.status.containerStatuses?.[0]?.restartCount ?? 0;
    expect(containerId).toBeTruthy();
    await run("ctr", [
      "--address",
      `${CLUSTER_DIR}/containerd/containerd.sock`,
      "-n",
      "k8s.io",
      "tasks",
      "kill",
      "--signal",
      "SIGKILL",
      String(containerId),
    ]);
    // Writes go on with two of three owners (W=2) while the kubelet restarts the container.
    const during = await writeKeys("during-kill", 15);
    expect(during.length).toBeGreaterThan(0);
    await eventually(
      async () => {
        const now = await pod("orders-1");
        const state = now.status.containerStatuses?.[0];
        return (state?.restartCount ?? 0) > restarts && state?.ready === true;
      },
      { timeoutMs: 120_000, intervalMs: 1000, what: "orders-1 restarted and ready" },
    );
    // Written before the kill: still on the restarted node's own disk.
    for (const key of before) expect(await localValue(1, key)).toBe(`value-${key}`);
    // Written while it was down: hinted handoff or read repair bring them to it.
    for (const key of during) {
      await eventually(async () => (await localValue(1, key)) === `value-${key}`, {
        timeoutMs: 60_000,
        intervalMs: 1000,
        what: `${key} on orders-1`,
      });
    }
  });

  it("keeps every acknowledged write when a pod is force-deleted: it returns on the same volume", async () => {
    const acked = await writeKeys("before-delete", 10);
    expect(acked.length).toBe(10);
    const old = await pod("orders-2");
    await kubectl(["delete", "pod", "orders-2", "-n", NS, "--force", "--grace-period=0"]);
    await eventually(
      async () => {
        const now = await pod("orders-2");
        return now.metadata.uid !== old.metadata.uid && now.status.containerStatuses?.[0]?.ready === true;
      },
      { timeoutMs: 120_000, intervalMs: 1000, what: "orders-2 recreated and ready" },
    );
    // CoreDNS may still answer the old pod's address for a while: wait until the new one answers.
    const [first] = acked;
    await eventually(async () => (await localValue(2, String(first))) !== undefined, {
      timeoutMs: 60_000,
      intervalMs: 1000,
      what: "orders-2 answering by its DNS name",
    });
    for (const key of acked) expect(await localValue(2, key)).toBe(`value-${key}`);
    await waitStoreReady(NS, "orders", 3);
  });
});
