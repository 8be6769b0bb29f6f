/**
 * Day-2 operations on a real kubelet, done the way a user does them (kubectl patch, kubectl create
 * job --from=cronjob). Scaling a leaderless store 5 -> 3 must drain the leaving nodes before their
 * pods go (the operator holds the StatefulSet at 5 until the config has dropped them and they have
 * handed their keys over), so every acknowledged key is still on every remaining node; the removed
 * pods' claims are retained (storage.retainOnDelete, docs/operator.md) and reused when it scales
 * back to 5. Then a repair Job started by hand from the operator's CronJob finds versions that only
 * one replica holds, copies them to the other owners, and the store's status.lastAntiEntropy
 * reports that run.
 *
 * The nodes load a new config when the kubelet refreshes their ConfigMap volume, on its periodic
 * pod sync (a minute or more, twice per scale-down). To keep the file's runtime small the test makes
 * the kubelet sync the pods whenever the operator or the test waits for that (nudgeKubelet): the
 * order of what the operator does is unchanged, only the waits are shorter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.ts";
import { kubectl, kubectlJson } from "./support/commands.ts";
import {
  applyToOneNode,
  clusterConfig,
  getKeys,
  nodeConfigs,
  nodeUrl,
  nudgeKubelet,
  ownersOf,
  putKeys,
  serviceUrl,
  wrongReads,
} from "./support/day2.ts";
import {
  ClientPod,
  condition,
  createNamespace,
  deleteNamespace,
  type StoreStatus,
  storeStatus,
  waitStoreReady,
} from "./support/stores.ts";

const NS = `e2e-day2-${process.pid}`;
const STORE = "ledger";
const SERVICE = serviceUrl(NS, STORE);
const NODE_SELECTOR = `replistore.io/store=${STORE},app.kubernetes.io/component=node`;

// The leaderless sample with 5 replicas and N=3 (so keys move when members leave), small volumes,
// and a schedule that will not fire during the test: the only repair run is the one it starts.
const MANIFEST = `
apiVersion: replistore.io/v1alpha1
kind: ReplicatedStore
metadata:
  name: ${STORE}
spec:
  replicas: 5
  mode: Leaderless
  replication:
    factor: 3
    writeQuorum: 2
    readQuorum: 2
    consistency: Strong
  antiEntropy:
    schedule: "0 0 1 1 *"
    suspend: false
  storage:
    size: 64Mi
    retainOnDelete: true
`;

let client: ClientPod;
/** Every key whose write was acknowledged, in any test so far. */
const acked: string[] = [];

interface ClaimJson {
  metadata: { name: string; uid: string };
  status: { phase: string };
}

interface StatefulSetJson {
  spec: {
    replicas: number;
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
  };
}

interface AntiEntropyRunJson {
  jobName?: string;
  startTime?: string;
  completionTime?: string;
  result?: string;
  keysRepaired?: number;
  message?: string;
}

/** The objects of one `kubectl get rstore,statefulset,configmap,pod`, told apart by kind. */
interface ObjectJson {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { replicas?: number };
  data?: Record<string, string>;
  status?: StoreStatus;
}

/** One look at the scale-down: what the operator said and what it let the cluster do. */
interface Sample {
  stsReplicas?: number;
  pods: number;
  members?: number;
  progressing?: string;
  ready?: string;
  message?: string;
}

const names = (ordinals: number[]): string[] => ordinals.map((i) => `${STORE}-${i}`);
const claimNames = (ordinals: number[]): string[] => ordinals.map((i) => `data-${STORE}-${i}`);

async function claims(): Promise<Map<string, ClaimJson>> {
  const list = await kubectlJson<{ items: ClaimJson[] }>(["get", "pvc", "-n", NS]);
  return new Map(list.items.map((c) => [c.metadata.name, c]));
}

async function podNames(): Promise<string[]> {
  const out = await kubectl(["get", "pods", "-n", NS, "-l", NODE_SELECTOR, "-o", "name"]);
  return out
    .split("\n")
    .filter(Boolean)
    .map((p) => p.replace("pod/", ""))
    .sort();
}

/** Store, StatefulSet, ConfigMap and node pods in one request, so the four agree in time. */
async function sample(): Promise<Sample> {
  const list = await kubectlJson<{ items: ObjectJson[] }>([
    "get",
    "replicatedstore,statefulset,configmap,pod",
    "-n",
    NS,
  ]);
  const find = (kind: string, name: string) =>
    list.items.find((o) => o.kind === kind && o.metadata.name === name);
  const json = find("ConfigMap", `${STORE}-config`)?.data?.["cluster.json"];
  const status = find("ReplicatedStore", STORE)?.status ?? {};
  const progressing = condition(status, "Progressing");
  return {
    stsReplicas: find("StatefulSet", STORE)?.spec?.replicas,
    pods: list.items.filter(
      (o) =>
        o.kind === "Pod" &&
        o.metadata.labels?.["replistore.io/store"] === STORE &&
        o.metadata.labels?.["app.kubernetes.io/component"] === "node",
    ).length,
    members: json ? (JSON.parse(json) as { members: unknown[] }).members.length : undefined,
    progressing: progressing?.status === "True" ? progressing.reason : undefined,
    ready: condition(status, "Ready")?.reason,
    message: progressing?.message,
  };
}

async function patchReplicas(replicas: number): Promise<void> {
  await kubectl([
    "patch",
    "rstore",
    STORE,
    "-n",
    NS,
    "--type",
    "merge",
    "-p",
    JSON.stringify({ spec: { replicas } }),
  ]);
}

function keys(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
}

function ordinalOf(pod: string): number {
  return Number(pod.slice(pod.lastIndexOf("-") + 1));
}

/** Until every node runs the ConfigMap's generation with `members` members (nudging the kubelet). */
async function waitNodesOnConfig(members: number): Promise<void> {
  await eventually(
    async () => {
      const config = await clusterConfig(NS, STORE);
      const views = await nodeConfigs(
        client,
        [...Array(members).keys()].map((i) => nodeUrl(NS, STORE, i)),
      );
      const behind = views.filter(
        (v) => v.generation !== config.generation || v.members !== config.members.length,
      );
      if (config.members.length !== members || behind.length > 0) {
        await nudgeKubelet(NS, STORE);
        throw new Error(`config generation ${config.generation}; nodes: ${JSON.stringify(views)}`);
      }
    },
    { timeoutMs: 150_000, intervalMs: 2000, what: `every node on the config with ${members} members` },
  );
}

beforeAll(async () => {
  await createNamespace(NS);
  await kubectl(["apply", "-n", NS, "-f", "-"], { input: MANIFEST });
  client = await ClientPod.start(NS, "client", { "replistore.io/client-of": STORE });
  await waitStoreReady(NS, STORE, 5, 240_000);
});

afterAll(async () => {
  await deleteNamespace(NS);
});

describe("day-2 operations on a real node", () => {
  it("scales 5 -> 3 draining the leaving nodes first: every acknowledged key stays on every remaining node", async () => {
    const written = await putKeys(client, SERVICE, keys("before-down", 40));
    expect(written.length).toBe(40);
    acked.push(...written);
    const claimsBefore = await claims();
    expect([...claimsBefore.keys()].sort()).toEqual(claimNames([0, 1, 2, 3, 4]));

    // as an operator would type it: through the CRD's scale subresource
    await kubectl(["scale", `rstore/${STORE}`, "-n", NS, "--replicas=3"]);
    // Looked at continuously until the StatefulSet has gone down: the order of what happened is the proof.
    const samples: Sample[] = [];
    let nudged = 0;
    await eventually(
      async () => {
        const now = await sample();
        samples.push(now);
        // "does not run config generation ...", "still runs a config with 5 members", "has not loaded the config".
        if (now.message?.includes("config") && Date.now() - nudged > 3000) {
          nudged = Date.now();
          await nudgeKubelet(NS, STORE);
        }
        return now.stsReplicas === 3 && now.pods === 3;
      },
      { timeoutMs: 240_000, intervalMs: 250, what: `${STORE} scaled down to 3 pods` },
    );
    const timeline = samples.map((s) => JSON.stringify(s)).join("\n");
    const firstDown = samples.findIndex((s) => s.stsReplicas !== 5);
    expect(firstDown, timeline).toBeGreaterThan(0);
    const held = samples.slice(0, firstDown);
    // No pod left while the nodes still counted it as a member.
    expect(
      samples.every((s) => s.members === 3 || (s.stsReplicas === 5 && s.pods === 5)),
      timeline,
    ).toBe(true);
    // 1. Drain: all 5 pods kept and in the config, Progressing and Ready say Draining, naming the leaving pods.
    const draining = held.find((s) => s.members === 5 && s.progressing === "Draining");
    expect(draining, timeline).toBeDefined();
    expect(draining?.message).toContain(`draining ${STORE}-3, ${STORE}-4`);
    expect(
      held.some((s) => s.members === 5 && s.ready === "Draining"),
      timeline,
    ).toBe(true);
    // 2. Handover: the config dropped them while their pods still ran.
    expect(
      held.some((s) => s.members === 3 && s.pods === 5 && s.progressing === "Draining"),
      timeline,
    ).toBe(true);
    // 3. Only then did the StatefulSet go down; the removed pods are the highest ordinals.
    expect(await podNames()).toEqual(names([0, 1, 2]));

    const events = await kubectlJson<{ items: { reason: string; message: string }[] }>([
      "get",
      "events",
      "-n",
      NS,
      "--field-selector",
      `involvedObject.kind=ReplicatedStore,involvedObject.name=${STORE},reason=Draining`,
    ]);
    expect(events.items.some((e) => e.message.includes(`${STORE}-3, ${STORE}-4`))).toBe(true);

    const status = await waitStoreReady(NS, STORE, 3);
    expect(status.phase).toBe("Ready");
    expect(condition(status, "Degraded")?.status).toBe("False");

    // With 3 members and N=3 every node owns every key. Read locally (no read repair) first: each
    // remaining node must hold every acknowledged key on its own disk, which only the drain ensures.
    for (const ordinal of [0, 1, 2]) {
      const local = await getKeys(client, nodeUrl(NS, STORE, ordinal), acked, true);
      expect(wrongReads(local, acked), `${STORE}-${ordinal}'s own copies`).toEqual([]);
    }
    const quorum = await getKeys(client, SERVICE, acked);
    expect(wrongReads(quorum, acked)).toEqual([]);

    // retainOnDelete: true is Retain when scaled too (docs/operator.md): the leaving pods' claims stay.
    const sts = await kubectlJson<StatefulSetJson>(["get", "statefulset", STORE, "-n", NS]);
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    const claimsAfter = await claims();
    for (const name of claimNames([3, 4])) {
      expect(claimsAfter.get(name)?.metadata.uid, name).toBe(claimsBefore.get(name)?.metadata.uid);
      expect(claimsAfter.get(name)?.status.phase, name).toBe("Bound");
    }
  });

  it("scales back 3 -> 5 on the retained claims: every key still readable, and new writes work", async () => {
    const claimsBefore = await claims();
    const written = await putKeys(client, SERVICE, keys("at-three", 20));
    expect(written.length).toBe(20);
    acked.push(...written);

    await patchReplicas(5);
    const status = await waitStoreReady(NS, STORE, 5, 240_000);
    expect(status.phase).toBe("Ready");
    expect(await podNames()).toEqual(names([0, 1, 2, 3, 4]));
    expect((await clusterConfig(NS, STORE)).members.map((m) => m.id)).toEqual(names([0, 1, 2, 3, 4]));
    // The returning pods mounted the claims they had, not new ones.
    const claimsAfter = await claims();
    expect([...claimsAfter.keys()].sort()).toEqual(claimNames([0, 1, 2, 3, 4]));
    for (const name of claimNames([3, 4])) {
      expect(claimsAfter.get(name)?.metadata.uid, name).toBe(claimsBefore.get(name)?.metadata.uid);
    }

    // Ready comes as soon as the pods are: the new pods start on the 5-member config while the old
    // ones keep the 3-member one until the kubelet refreshes it, and meanwhile a quorum read on the
    // old ring can miss a write acknowledged on the new one (reported as a product bug). So the
    // reads wait until every node runs the new config, as `kubectl replistore status` would show.
    await waitNodesOnConfig(5);
    const quorum = await getKeys(client, SERVICE, acked);
    expect(wrongReads(quorum, acked)).toEqual([]);
    const fresh = await putKeys(client, SERVICE, keys("after-up", 20));
    expect(fresh.length).toBe(20);
    acked.push(...fresh);
    const back = await getKeys(client, SERVICE, fresh);
    expect(wrongReads(back, fresh)).toEqual([]);
  });

  it("a repair Job created from the operator's CronJob copies versions one replica holds to the other owners, and status reports the run", async () => {
    const cronJob = await kubectlJson<{ spec: { schedule: string; suspend: boolean } }>([
      "get",
      "cronjob",
      `${STORE}-repair`,
      "-n",
      NS,
    ]);
    expect(cronJob.spec).toMatchObject({ schedule: "0 0 1 1 *", suspend: false });

    // Versions on one owner only (its primary), as a write that reached a single replica leaves them.
    const config = await clusterConfig(NS, STORE);
    const diverged = keys("lone", 6);
    const owners = new Map(diverged.map((key) => [key, ownersOf(config, key)]));
    const primary = (key: string): string => owners.get(key)?.[0] ?? "";
    for (const node of new Set(diverged.map(primary))) {
      const mine = diverged.filter((key) => primary(key) === node);
      const applied = await applyToOneNode(
        { namespace: NS, store: STORE, ordinal: ordinalOf(node) },
        node,
        mine.map((key) => [key, `value-${key}`]),
      );
      expect(applied).toEqual({ status: 200, body: { applied: mine.length, refused: 0 } });
    }
    // What each owner holds on its own disk (local reads: no read repair), one request batch per node.
    const ownerStatuses = async (): Promise<Record<string, number[]>> => {
      const byNode = new Map<string, Record<string, number>>();
      for (const node of new Set([...owners.values()].flat())) {
        const mine = diverged.filter((key) => owners.get(key)?.includes(node));
        const reads = await getKeys(client, nodeUrl(NS, STORE, ordinalOf(node)), mine, true);
        byNode.set(node, Object.fromEntries(mine.map((key) => [key, reads[key]?.status ?? 0])));
      }
      return Object.fromEntries(
        diverged.map((key) => [key, (owners.get(key) ?? []).map((node) => byNode.get(node)?.[key] ?? 0)]),
      );
    };
    const everyKey = (statuses: number[]) => Object.fromEntries(diverged.map((key) => [key, statuses]));
    expect(await ownerStatuses()).toEqual(everyKey([200, 404, 404]));

    const jobName = `manual-repair-${Date.now()}`;
    const createdAt = Date.now();
    await kubectl(["create", "job", `--from=cronjob/${STORE}-repair`, jobName, "-n", NS]);
    await kubectl(["wait", "-n", NS, `job/${jobName}`, "--for=condition=complete", "--timeout=150s"], {
      timeoutMs: 160_000,
    });
    const job = await kubectlJson<{ status: { succeeded?: number; failed?: number } }>([
      "get",
      "job",
      jobName,
      "-n",
      NS,
    ]);
    expect(job.status.succeeded).toBe(1);
    expect(job.status.failed ?? 0).toBe(0);

    const run = await eventually(
      async () => {
        const store = await kubectlJson<{ status?: { lastAntiEntropy?: AntiEntropyRunJson } }>([
          "get",
          "rstore",
          STORE,
          "-n",
          NS,
        ]);
        const last = store.status?.lastAntiEntropy;
        if (last?.jobName !== jobName) throw new Error(`lastAntiEntropy: ${JSON.stringify(last)}`);
        return last;
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: `status.lastAntiEntropy showing ${jobName}` },
    );
    expect(run.result).toBe("Succeeded");
    // Exactly the diverged keys: the scale-down and scale-up left no other difference behind.
    expect(run.keysRepaired).toBe(diverged.length);
    expect(run.message).toMatch(new RegExp(`^complete: .*\\b${diverged.length} keys repaired`));
    const started = Date.parse(run.startTime ?? "");
    const completed = Date.parse(run.completionTime ?? "");
    // Timestamps have second precision.
    expect(started).toBeGreaterThanOrEqual(Math.floor(createdAt / 1000) * 1000 - 1000);
    expect(completed).toBeGreaterThanOrEqual(started);
    const healthy = await eventually(
      async () => {
        const now = condition(await storeStatus(NS, STORE), "AntiEntropyHealthy");
        if (now?.status !== "True") throw new Error(`AntiEntropyHealthy: ${JSON.stringify(now)}`);
        return now;
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: "AntiEntropyHealthy True" },
    );
    expect(healthy.reason).toBe("RepairSucceeded");

    // Every owner now holds the version on its own disk, and quorum reads see it with everything else.
    expect(await ownerStatuses()).toEqual(everyKey([200, 200, 200]));
    const all = [...acked, ...diverged];
    expect(wrongReads(await getKeys(client, SERVICE, all), all)).toEqual([]);
  });
});
