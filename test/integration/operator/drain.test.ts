/**
 * Drain before scale-down, on a real control plane with real nodes standing in for the pods: the
 * StatefulSet controller makes the pods, the test plays kubelet (pod IPs and readiness, the
 * ConfigMap copied into the nodes' config file as a volume refresh would), and four node processes
 * answer at those pod IPs in a network namespace (kubectl-plugin/pod-network.ts).
 *
 * Scaling 4 -> 3 under writes: the operator keeps the StatefulSet at 4 and the config at 4 members
 * while orders-3 drains (first failing, with orders-3 down: Degraded with the reason, then
 * succeeding once it is back), then drops orders-3 from the config, waits until every node runs it
 * and orders-3 has handed off what it took meanwhile, and only then lowers the StatefulSet. Every
 * key written before and during the scale-down is on each of the three nodes that stay.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { eventually } from "../../support/eventually.ts";
import { createNamespace, refusal } from "../../support/k8s/index.ts";
import { uniqueKey } from "../../support/keys.ts";
import { canMakePodNetwork, PodNetwork, PodStore } from "../kubectl-plugin/pod-network.ts";
import {
  conditionOf,
  createStore,
  patchSpec,
  readScale,
  readStore,
  scaleStore,
  storeEvents,
  useOperatorPlane,
  waitForEvent,
  waitForStatus,
} from "./harness.ts";
import { nodeConfig, playKubelet, syncConfigMap } from "./pod-nodes.ts";

/** The nodes take read and admin tokens only: a drain works only if the operator sends the admin one. */
const TOKEN = "drain-test-admin-token";
const READ_TOKEN = "drain-test-read-token";
const NAMES = ["orders-0", "orders-1", "orders-2", "orders-3"];
/** How long the stand-in kubelet takes to bring a changed ConfigMap to the nodes. */
const CONFIG_LAG_MS = 2_000;
const unavailable = canMakePodNetwork();

describe.skipIf(unavailable !== undefined)(
  `operator: drain before scale-down${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    const env = useOperatorPlane({ crds: [CRD_FILE] });
    let net: PodNetwork;
    let pods: PodStore;
    let dir: string;
    let namespace: string;
    let stopSync: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "replistore-drain-"));
      net = PodNetwork.create(NAMES.length);
      pods = new PodStore(net, join(dir, "orders"), NAMES, {
        token: TOKEN,
        nodeEnv: { REPLISTORE_ADMIN_TOKEN: TOKEN, REPLISTORE_READ_TOKEN: READ_TOKEN },
      });
      namespace = await createNamespace(env.clients, "drain");
      await env.clients.core.createNamespacedSecret({
        namespace,
        body: { metadata: { name: "orders-admin" }, stringData: { token: TOKEN } },
      });
      await env.clients.core.createNamespacedSecret({
        namespace,
        body: { metadata: { name: "orders-read" }, stringData: { token: READ_TOKEN } },
      });
      await createStore(env.clients, namespace, "orders", {
        replicas: 4,
        replication: { factor: 3, writeQuorum: 2, readQuorum: 2 },
        auth: { read: { secretName: "orders-read" }, admin: { secretName: "orders-admin" } },
        // The test's node processes serve plain HTTP at the pod IPs (tls.test.ts covers HTTPS).
        tls: { mode: "Disabled" },
      });
      // the nodes start on the operator's config, as pods mounting its ConfigMap do
      const first = await eventually(
        async () => {
          const current = await nodeConfig(env.clients, namespace, "orders-config", pods);
          if (!current) throw new Error("no ConfigMap yet");
          return current.config;
        },
        { timeoutMs: 30_000, what: "the operator's ConfigMap" },
      );
      expect(first.members).toHaveLength(4);
      await pods.boot(first);
      stopSync = syncConfigMap(env.clients, namespace, "orders-config", pods, CONFIG_LAG_MS);
      for (const [i, name] of NAMES.entries()) await playKubelet(env.clients, namespace, name, pods.podIp(i));
      await waitForStatus(
        env.clients,
        namespace,
        "orders",
        (s) => conditionOf(s, "Ready")?.status === "True",
        "4 pods ready",
      );
    });

    const loops: { stop: () => Promise<void> }[] = [];

    afterAll(async () => {
      for (const loop of loops) await loop.stop();
      await stopSync?.();
      await pods?.stop();
      net?.destroySync();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("refuses a scale-down below the replication factor, with a message naming the fix", async () => {
      const refused = await refusal(() => patchSpec(env.clients, namespace, "orders", { replicas: 2 }));
      expect(refused.code).toBe(422);
      expect(refused.message).toContain(
        "spec.replication.factor must be at most spec.replicas: lower factor or raise replicas",
      );
      // kubectl scale goes through the scale subresource: the same rule holds there
      const scaled = await refusal(() => scaleStore(env.clients, namespace, "orders", 2));
      expect(scaled.code).toBe(422);
      expect(scaled.message).toContain(
        "spec.replication.factor must be at most spec.replicas: lower factor or raise replicas",
      );
      expect((await readStore(env.clients, namespace, "orders")).spec.replicas).toBe(4);
    });

    it("scales 4 -> 3 (kubectl scale) only after orders-3 drained and handed off; no key is lost", async () => {
      // keys written while all four run
      const before = new Map<string, string>();
      for (let i = 0; i < 200; i++) {
        const key = uniqueKey("before");
        const reply = await pods.client(i % 4).put(key, `${key}-value`);
        expect(reply.status, reply.text).toBe(200);
        before.set(key, `${key}-value`);
      }

      // writes go on through the nodes that stay, for the whole scale-down
      const during = new Map<string, string>();
      let writing = true;
      const writers = Array.from({ length: 3 }, async (_, w) => {
        for (let i = 0; writing; i++) {
          const key = uniqueKey(`during-${w}`);
          try {
            const reply = await pods.client(i % 3).put(key, `${key}-value`, { timeoutMs: 5_000 });
            if (reply.status === 200) during.set(key, `${key}-value`);
          } catch {
            // not acknowledged: not counted
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      });

      // What the cluster shows, sampled throughout: pods never go before their members do. As soon
      // as the StatefulSet is lowered, orders-3 is stopped, as a kubelet stops a deleted pod well
      // before the other nodes' ConfigMap volumes refresh: whatever it has not handed off is lost.
      const samples: { pods: number; members: number }[] = [];
      type NodeStatus = { node: { role: string }; handoff: { state: string; failed: number } };
      let lastWords: NodeStatus | undefined;
      let sampling = true;
      loops.push({
        stop: async () => {
          sampling = false;
          writing = false;
          await Promise.all([sampler, ...writers]);
        },
      });
      const sampler = (async () => {
        while (sampling) {
          try {
            const sts = await env.clients.apps.readNamespacedStatefulSet({ namespace, name: "orders" });
            const cm = await env.clients.core.readNamespacedConfigMap({ namespace, name: "orders-config" });
            const config = JSON.parse(cm.data?.["cluster.json"] ?? "{}") as { members: unknown[] };
            samples.push({ pods: sts.spec?.replicas ?? -1, members: config.members.length });
            if (sts.spec?.replicas === 3 && !lastWords) {
              lastWords = (await pods.client(3).status()).body as unknown as NodeStatus;
              await pods.kill(3);
            }
          } catch {
            // the test is over (the apiserver stops)
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();

      // orders-3 is down when the scale-down starts: the drain fails, says why, and holds
      await pods.kill(3);
      await scaleStore(env.clients, namespace, "orders", 3);
      const failing = await waitForStatus(
        env.clients,
        namespace,
        "orders",
        (s) => conditionOf(s, "Degraded")?.reason === "DrainFailed",
        "Degraded with DrainFailed while orders-3 is down",
      );
      expect(conditionOf(failing, "Degraded")?.message).toContain("orders-3 could not be reached");
      expect(conditionOf(failing, "Degraded")?.message).toContain("replistore.io/skip-drain=true");
      expect(conditionOf(failing, "Progressing")).toMatchObject({ status: "True", reason: "Draining" });
      expect(conditionOf(failing, "Ready")?.status).toBe("False");
      await waitForEvent(env.clients, namespace, "orders", "DrainFailed");
      await waitForEvent(env.clients, namespace, "orders", "Draining");
      let sts = await env.clients.apps.readNamespacedStatefulSet({ namespace, name: "orders" });
      expect(sts.spec?.replicas).toBe(4);

      // back: the drain runs, the config drops orders-3, it hands off, then the pod goes
      await pods.start(3);
      await eventually(
        async () => {
          sts = await env.clients.apps.readNamespacedStatefulSet({ namespace, name: "orders" });
          expect(sts.spec?.replicas).toBe(3);
        },
        { timeoutMs: 90_000, intervalMs: 200, what: "the StatefulSet lowered to 3" },
      );
      await eventually(() => expect(lastWords).toBeDefined(), { what: "orders-3 stopped" });
      // what the operator waited for before lowering the StatefulSet
      expect(lastWords?.node.role).toBe("leaving");
      expect(lastWords?.handoff).toMatchObject({ state: "done", failed: 0 });
      for (const i of [0, 1, 2]) {
        const status = (await pods.client(i).status()).body as { members: { id: string }[] };
        expect(status.members.map((m) => m.id)).toEqual(NAMES.slice(0, 3));
      }

      sampling = false;
      await sampler;
      expect(samples.filter((s) => s.pods < s.members)).toEqual([]);
      const firstThreeMembers = samples.findIndex((s) => s.members === 3);
      const firstThreePods = samples.findIndex((s) => s.pods === 3);
      expect(firstThreeMembers).toBeGreaterThanOrEqual(0);
      expect(firstThreePods).toBeGreaterThan(firstThreeMembers);

      // the StatefulSet controller deletes the pod
      await eventually(
        async () => {
          const list = await env.clients.core.listNamespacedPod({ namespace });
          expect(list.items.map((p) => p.metadata?.name)).not.toContain("orders-3");
        },
        { timeoutMs: 30_000, what: "pod orders-3 deleted" },
      );
      writing = false;
      await Promise.all(writers);
      expect(during.size).toBeGreaterThan(20);

      // every key on each node that stays, read locally (no read repair), then by quorum
      const every = new Map([...before, ...during]);
      await eventually(
        async () => {
          const missing: string[] = [];
          for (const [key, value] of every) {
            for (const i of [0, 1, 2]) {
              const local = await pods.client(i).get(key, { local: true });
              if (local.status !== 200 || local.text !== value) missing.push(`${key}@${NAMES[i]}`);
            }
          }
          expect(missing.slice(0, 10), `${missing.length} copies missing of ${every.size} keys`).toEqual([]);
        },
        { timeoutMs: 30_000, what: "every key on all three nodes that stay" },
      );
      for (const [key, value] of every) {
        const reply = await pods.client(0).get(key);
        expect(reply.text, key).toBe(value);
      }

      const done = await waitForStatus(
        env.clients,
        namespace,
        "orders",
        (s) =>
          s.status?.observedGeneration === 2 &&
          conditionOf(s, "Ready")?.status === "True" &&
          conditionOf(s, "Degraded")?.status === "False",
        "Ready with 3 pods",
      );
      expect(done.status?.replicas).toBe(3);
      expect(conditionOf(done, "Progressing")?.reason).toBe("Reconciled");
      const reasons = (await storeEvents(env.clients, namespace, "orders")).map((e) => e.reason);
      expect(reasons).toEqual(expect.arrayContaining(["Draining", "DrainFailed", "Recovered", "Ready"]));
      expect((await readStore(env.clients, namespace, "orders")).spec.replicas).toBe(3);
      expect(await readScale(env.clients, namespace, "orders")).toMatchObject({
        spec: { replicas: 3 },
        status: {
          replicas: 3,
          selector:
            "app.kubernetes.io/name=replistore,app.kubernetes.io/instance=orders,app.kubernetes.io/component=node",
        },
      });
    });
  },
);
