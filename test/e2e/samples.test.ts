/**
 * The other deploy/samples (auth, and the three multi-leader topologies) on a real kubelet, applied
 * with kubectl exactly as a user copies them, side by side in namespaces of their own: each comes up
 * Ready with bound volumes and serves writes and reads through its Service by DNS from a client pod
 * the NetworkPolicy admits. The auth sample refuses requests without its generated token; the
 * multi-leader ones take every write on a leader (followers forward) and every node reads it back
 * with the sample's R. The Star sample's hub is then hung (SIGSTOP in its container: the pod stays
 * but never answers) past failoverAfter: the operator moves the hub, writes go on, the old hub
 * catches up when it returns, and an edit of the spec gives the hub back to it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.ts";
import { kubectl } from "./support/commands.ts";
import {
  type NodeStatus,
  podReady,
  SampleStore,
  signalContainer,
  type WriteResult,
} from "./support/samples.ts";
import { deleteNamespace } from "./support/stores.ts";

const auth = new SampleStore("auth.yaml", "orders-auth", 3, "auth");
const circle = new SampleStore("multi-leader-circle.yaml", "sessions", 3, "circle");
const star = new SampleStore("multi-leader-star.yaml", "catalog", 4, "star");
const allToAll = new SampleStore("multi-leader-all-to-all.yaml", "profiles", 5, "alltoall");
const samples = [auth, circle, star, allToAll];

/** Node ids of the given ordinals. */
function ids(store: SampleStore, ordinals: readonly number[]): string[] {
  return ordinals.map((o) => `${store.name}-${o}`);
}

/** Every write acknowledged, each by one of `leaders`. */
function expectTakenBy(writes: WriteResult[], leaders: string[]): void {
  for (const w of writes) {
    expect(w.answer.status, `${w.key}: ${w.answer.body}`).toBe(200);
    expect(leaders, `${w.key}: ${w.answer.body}`).toContain(w.leader);
  }
}

/** Quorum reads (the sample's R) coordinated by each given node all return the written values. */
async function expectQuorumReads(store: SampleStore, ordinals: number[], keys: string[]): Promise<void> {
  const reads = await store.read(ordinals, keys);
  expect(reads.map((r) => [r.ordinal, r.key, r.status, r.value])).toEqual(
    reads.map((r) => [r.ordinal, r.key, 200, `value-${r.key}`]),
  );
}

/**
 * Waits until the nodes' own view of the topology (GET /v1/status of each), as `view` renders it, is
 * `expected`: a node counts a peer available once it has heard from it, a heartbeat or two after both
 * started.
 */
async function expectNodesView<T>(
  store: SampleStore,
  view: (nodes: NodeStatus[]) => T,
  expected: T,
  what: string,
  ordinals: number[] = store.ordinals,
  timeoutMs = 30_000,
): Promise<void> {
  await eventually(async () => expect(view(await store.nodeStatuses(ordinals))).toEqual(expected), {
    timeoutMs,
    intervalMs: 1000,
    what,
  });
}

/** A write with the CLI through the Service, as an application's operator would type it. */
async function cliPut(store: SampleStore, key: string, leaders: string[]): Promise<void> {
  const put = await store.client.cli(store.name, ["kv", "put", key, `value-${key}`]);
  expect(put.code, put.stderr).toBe(0);
  const leader = /, leader (\S+)\)/.exec(put.stdout)?.[1];
  expect(leaders, put.stdout).toContain(leader);
}

beforeAll(async () => {
  // All four at once: their 15 node pods start side by side, far sooner than one store after another.
  await Promise.all(samples.map((s) => s.deploy()));
});

afterAll(async () => {
  await Promise.all(samples.map((s) => deleteNamespace(s.namespace)));
});

describe.each(samples)("$file as it is", (store) => {
  it("is Ready with every node pod ready and one bound volume per replica", async () => {
    const status = await store.status();
    expect(status.phase).toBe("Ready");
    expect(status.readyReplicas).toBe(store.replicas);
    const pods = await store.pods();
    expect(pods.map((p) => p.metadata.name).sort()).toEqual(ids(store, store.ordinals));
    expect(pods.filter((p) => !podReady(p)).map((p) => p.metadata.name)).toEqual([]);
    const claims = await store.claims();
    expect(claims.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      ids(store, store.ordinals).map((id) => ({ name: `data-${id}`, phase: "Bound" })),
    );
  });
});

describe("auth.yaml", () => {
  it("refuses requests without the token of the Secret orders-auth, and serves them with it", async () => {
    const secret = await kubectl([
      "get",
      "secret",
      "orders-auth",
      "-n",
      auth.namespace,
      "-o",
      "jsonpath={.data.token}",
    ]);
    const token = Buffer.from(secret, "base64").toString("utf8");
    expect(token.length).toBeGreaterThanOrEqual(32);
    // The sample turns monitoring on; this cluster has no Prometheus Operator: said, not failed.
    expect(await auth.readyMessage()).toMatch(/serviceMonitor skipped: the ServiceMonitor CRD/);

    const [refused, wrongToken, metrics] = await auth.http(
      [
        { method: "PUT", url: `${auth.serviceUrl}/v1/kv/refused`, body: "x", token: null },
        { method: "GET", url: `${auth.nodeUrl(1)}/v1/kv/refused`, token: "not-the-token" },
        // Probes and /metrics need no token (the pods are Ready, and Prometheus can scrape).
        { method: "GET", url: `${auth.nodeUrl(0)}/metrics`, token: null },
      ],
      true,
    );
    expect(refused?.status).toBe(401);
    expect(JSON.parse(refused?.body ?? "{}")).toMatchObject({ error: "unauthorized" });
    expect(wrongToken?.status).toBe(401);
    expect(metrics?.status).toBe(200);

    const noToken = await auth.client.cli(auth.name, ["kv", "put", "refused", "x"]);
    expect(noToken.code).not.toBe(0);
    expect(noToken.stderr).toContain("this store needs a token: send 'Authorization: Bearer <token>'");
    expect(noToken.stderr).toContain("pass --token or set REPLISTORE_TOKEN");

    const put = await auth.client.cli(auth.name, [
      "kv",
      "put",
      "with-token",
      "value-with-token",
      "--token",
      token,
    ]);
    expect(put.code, put.stderr).toBe(0);
    expect(put.stdout).toMatch(/^put with-token \(version \S+, [23] acks\)/);
    const get = await auth.client.exec([
      "env",
      `REPLISTORE_TOKEN=${token}`,
      "replistore",
      "kv",
      "get",
      "with-token",
      "--endpoint",
      auth.serviceUrl,
    ]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toBe("value-with-token");

    auth.token = token;
    await expectQuorumReads(auth, auth.ordinals, ["with-token"]);
    // Peer traffic carries the token too, so the third copy reaches every node.
    await auth.waitLocalEverywhere(auth.ordinals, ["with-token"]);
    expect((await auth.read([2], ["never-written"]))[0]?.status).toBe(404);
  });
});

describe("multi-leader-circle.yaml", () => {
  it("passes writes around the ring 0 -> 1 -> 2 -> 0, and every node reads them with R=2", async () => {
    const status = await circle.status();
    expect({ topology: status.topology, leaders: status.leaders }).toEqual({
      topology: "Circle",
      leaders: [0, 1, 2],
    });
    await expectNodesView(
      circle,
      (nodes) => nodes.map((n) => [n.node.role, n.multiLeader?.sendsTo.map((l) => l.peer)]),
      [
        ["leader", ["sessions-1"]],
        ["leader", ["sessions-2"]],
        ["leader", ["sessions-0"]],
      ],
      "each leader sending to the next",
    );

    const leaders = ids(circle, [0, 1, 2]);
    await cliPut(circle, "circle-cli", leaders);
    const keys = ["circle-1", "circle-2", "circle-3"];
    expectTakenBy(await circle.put(keys), leaders);
    keys.push("circle-cli");
    await expectQuorumReads(circle, circle.ordinals, keys);
    await circle.waitLocalEverywhere(circle.ordinals, keys);
  });
});

describe("multi-leader-all-to-all.yaml", () => {
  it("takes every write on leader 0 or 1 (a follower forwards it), and all five nodes read it with R=4", async () => {
    // Each leader sends its own writes (ownOnly) to the other leader, and everything to the followers it feeds.
    await expectNodesView(
      allToAll,
      (nodes) =>
        nodes.map((n) => [
          n.node.role,
          n.multiLeader?.sendsTo.map((l) => `${l.peer}${l.ownOnly ? " own" : ""}`),
        ]),
      [
        ["leader", ["profiles-1 own", "profiles-2", "profiles-4"]],
        ["leader", ["profiles-0 own", "profiles-3"]],
        ["follower", ["profiles-0 own"]],
        ["follower", ["profiles-1 own"]],
        ["follower", ["profiles-0 own"]],
      ],
      "leaders 0 and 1 sending to each other and to the followers they feed",
    );

    const leaders = ids(allToAll, [0, 1]);
    await cliPut(allToAll, "a2a-cli", leaders);
    const keys = ["a2a-1", "a2a-2", "a2a-3"];
    expectTakenBy(await allToAll.put(keys), leaders);
    // Sent to a follower by name: it hands the write to the leader that feeds it, profiles-1.
    const [forwarded] = await allToAll.put(["a2a-forwarded"], allToAll.nodeUrl(3));
    expect(forwarded?.leader, forwarded?.answer.body).toBe("profiles-1");
    expect(forwarded?.answer.forwardedTo).toBe("profiles-1");
    keys.push("a2a-cli", "a2a-forwarded");

    await expectQuorumReads(allToAll, allToAll.ordinals, keys);
    await allToAll.waitLocalEverywhere(allToAll.ordinals, keys);
  });
});

describe("multi-leader-star.yaml", () => {
  const others = [1, 2, 3];
  const hublessKeys = ["hubless-1", "hubless-2", "hubless-3"];

  /** Every given node relays through `hub` (each computes it from its config and its peers). */
  async function waitNodesHub(ordinals: number[], hub: string, timeoutMs: number): Promise<void> {
    await expectNodesView(
      star,
      (nodes) => nodes.map((n) => n.multiLeader?.hub),
      ordinals.map(() => hub),
      `catalog-{${ordinals.join(",")}} relaying through ${hub}`,
      ordinals,
      timeoutMs,
    );
  }

  it("relays through hub catalog-0, and every node reads the writes with R=3", async () => {
    const status = await star.status();
    expect({ topology: status.topology, hub: status.hub }).toEqual({ topology: "Star", hub: 0 });
    // A spoke sends only to the hub; the hub to both spokes and to the follower it feeds.
    await expectNodesView(
      star,
      (nodes) =>
        nodes.map((n) => [n.node.role, n.multiLeader?.hub, n.multiLeader?.sendsTo.map((l) => l.peer).sort()]),
      [
        ["leader", "catalog-0", ["catalog-1", "catalog-2", "catalog-3"]],
        ["leader", "catalog-0", ["catalog-0"]],
        ["leader", "catalog-0", ["catalog-0"]],
        ["follower", "catalog-0", ["catalog-0"]],
      ],
      "every node relaying through catalog-0",
    );

    const leaders = ids(star, [0, 1, 2]);
    await cliPut(star, "star-cli", leaders);
    const keys = ["star-1", "star-2", "star-3"];
    expectTakenBy(await star.put(keys), leaders);
    keys.push("star-cli");
    await expectQuorumReads(star, star.ordinals, keys);
    await star.waitLocalEverywhere(star.ordinals, keys);
  });

  it("moves the hub to catalog-1 while catalog-0 hangs past failoverAfter, takes writes meanwhile, and catalog-0 catches up", async () => {
    const hub = await star.pod(0);
    const restarts = hub.status.containerStatuses?.[0]?.restartCount ?? 0;
    expect(await signalContainer(hub, "SIGSTOP")).toBe(true);
    let resumed = false;
    try {
      // Three failed readiness probes (~15 s), then failoverAfter (10 s). The kubelet's liveness
      // probe would restart the container after about a minute: everything below fits before.
      await eventually(async () => (await star.status()).hub === 1, {
        timeoutMs: 60_000,
        intervalMs: 1000,
        what: "status.hub moved to 1",
      });
      expect(await star.events("HubFailover")).toContain(
        "hub pod 0 has not been ready for 10s or more; pod 1 is the hub now (edit spec.multiLeader.hub to choose another)",
      );
      // The nodes find catalog-0 unreachable themselves and agree on the lowest available leader.
      await waitNodesHub(others, "catalog-1", 20_000);

      // The Service no longer sends to catalog-0; catalog-3 forwards to a leader that answers.
      expectTakenBy(await star.put(hublessKeys), ids(star, [1, 2]));
      await expectQuorumReads(star, others, hublessKeys);
      await star.waitLocalEverywhere(others, hublessKeys, 20_000);
      const during = await star.pod(0);
      expect(podReady(during), "catalog-0 still hung").toBe(false);
      expect(
        during.status.containerStatuses?.[0]?.restartCount ?? 0,
        "catalog-0 not restarted meanwhile",
      ).toBe(restarts);
    } finally {
      resumed = await signalContainer(hub, "SIGCONT");
    }
    expect(resumed).toBe(true);
    await eventually(async () => podReady(await star.pod(0)), {
      timeoutMs: 60_000,
      intervalMs: 1000,
      what: "catalog-0 ready again",
    });
    // Same process, same disk: what it missed comes from the others' outboxes.
    await star.waitLocalEverywhere([0], hublessKeys);
    // The operator keeps the stand-in hub when the old one returns (src/operator/failover/plan.ts).
    expect((await star.status()).hub).toBe(1);
    expect((await star.configuredMultiLeader())?.hub).toBe(1);
  });

  it("gives the hub back to spec.multiLeader.hub, catalog-0, on an edit of the spec", async () => {
    // Any change of the spec re-applies spec.multiLeader.hub (writing hub: 0 again changes nothing, so
    // does not): here a longer failoverAfter.
    const patch = { spec: { multiLeader: { failoverAfter: "15s" } } };
    await kubectl([
      "patch",
      "rstore",
      "catalog",
      "-n",
      star.namespace,
      "--type",
      "merge",
      "-p",
      JSON.stringify(patch),
    ]);
    await eventually(async () => (await star.status()).hub === 0, {
      timeoutMs: 60_000,
      intervalMs: 1000,
      what: "status.hub back to 0",
    });
    expect(await star.events("HubChanged")).toContain("pod 0 is the hub, as the spec asks");
    expect(await star.configuredMultiLeader()).toMatchObject({ topology: "Star", hub: 0 });
    // The ConfigMap reaches each pod's volume at the kubelet's next sync of that pod (up to ~1.5 min).
    await waitNodesHub(star.ordinals, "catalog-0", 150_000);
    const keys = ["hub-back-1", "hub-back-2"];
    expectTakenBy(await star.put(keys), ids(star, [0, 1, 2]));
    await expectQuorumReads(star, star.ordinals, [...hublessKeys, ...keys]);
    await star.waitLocalEverywhere(star.ordinals, keys);
  });
});
