import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { uniqueKey } from "../../support/index.ts";
import { useControlPlane } from "../../support/k8s/fixture.ts";
import { createNamespace, setPodReady } from "../../support/k8s/index.ts";
import { createStore, replaceStoreStatus } from "../operator/harness.ts";
import { type MadeConflict, makePartialWrite } from "../review/helpers.ts";
import { createNodePod, expectFits80, nodePod, plugin } from "./plugin-run.ts";
import { canMakePodNetwork, PodNetwork, PodStore } from "./pod-network.ts";

const TOKEN = "kubectl-plugin-token";
/** A token with only the read role, beside the all-roles TOKEN. */
const READ_TOKEN = "kubectl-plugin-read-token";
const unavailable = canMakePodNetwork();

describe.skipIf(unavailable !== undefined)(
  `kubectl replistore${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    let net: PodNetwork;
    let nodes: PodStore;
    let dir: string;
    let ns: string;
    let conflict: MadeConflict;
    const store = "orders";
    const names = [0, 1, 2].map((i) => `${store}-${i}`);
    let kube: string[];

    const env = useControlPlane({
      crds: [CRD_FILE],
      alongside: async () => {
        dir = await mkdtemp(join(tmpdir(), "replistore-kubectl-"));
        net = PodNetwork.create(4);
        // TLS on, as the operator's default: the plugin reaches the nodes through the https pod proxy
        nodes = new PodStore(net, dir, names, {
          tls: true,
          token: TOKEN,
          nodeEnv: { REPLISTORE_TOKEN: TOKEN, REPLISTORE_READ_TOKEN: READ_TOKEN },
        });
        await nodes.boot({ limits: { requestTimeoutMs: 1_500 } });
      },
    });

    beforeAll(async () => {
      kube = ["--kubeconfig", env.plane.kubeconfigPath];
      ns = await createNamespace(env.clients, "plugin");
      kube.push("-n", ns);
      await createStore(env.clients, ns, store, { replicas: 3, auth: { secretName: `${store}-token` } });
      await env.clients.core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name: `${store}-token` }, stringData: { token: TOKEN } },
      });
      for (const [i, name] of names.entries())
        await createNodePod(env.clients, ns, name, store, net.podIp(i));
      conflict = await makePartialWrite(nodes, uniqueKey("kubectl"), "the value before", "half written");
    });

    afterAll(async () => {
      await nodes?.stop();
      net?.destroySync();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("lists the store's pending conflicts through the pod proxy, with the token from the auth Secret", async () => {
      const run = await plugin(["conflicts", "list", store, ...kube]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(conflict.id);
      expect(run.stdout).toMatch(/partial_write\s+pending\s+2/);
      expectFits80(run.stdout);

      const json = await plugin(["conflicts", "list", store, ...kube, "-o", "json"]);
      expect(json.code, json.stderr).toBe(0);
      const body = JSON.parse(json.stdout) as { items: { id: string; key: string }[] };
      expect(body.items.map((c) => c.id)).toEqual([conflict.id]);
    });

    it("shows one conflict's versions side by side, with the plugin's own resolve command", async () => {
      const run = await plugin(["conflicts", "show", store, conflict.id, ...kube]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("the value before");
      expect(run.stdout).toContain("half written");
      expect(run.stdout).toContain(
        `kubectl replistore -n ${ns} conflicts resolve ${store} ${conflict.id} --keep ${conflict.replaced}`,
      );
      const yaml = await plugin(["conflicts", "show", store, conflict.id, ...kube, "-o", "yaml"]);
      expect(load(yaml.stdout)).toMatchObject({ id: conflict.id, status: "pending" });
    });

    it("summarises the store like kubectl cnpg status", async () => {
      const now = new Date().toISOString();
      await replaceStoreStatus(env.clients, ns, store, {
        observedGeneration: 1,
        phase: "Ready",
        replicas: 3,
        readyReplicas: 3,
        quorum: "N=3 W=2 R=2",
        conflictsPending: 1,
        lastAntiEntropy: {
          jobName: `${store}-repair-1`,
          startTime: now,
          completionTime: now,
          result: "Succeeded",
          keysRepaired: 12,
        },
        conditions: [
          {
            type: "Ready",
            status: "True",
            reason: "AllReplicasReady",
            message: "3 of 3 replicas are ready and the quorum holds; nothing to do",
            lastTransitionTime: now,
          },
          {
            type: "ConflictsPending",
            status: "True",
            reason: "ConflictsAwaitReview",
            message:
              "1 conflict waits for a person: kubectl replistore conflicts list orders, or the operator's review page, which is a rather long way to say it",
            lastTransitionTime: now,
          },
        ],
      });
      const run = await plugin(["status", store, ...kube]);
      expect(run.code, run.stderr).toBe(0);
      expectFits80(run.stdout);
      expect(run.stdout).toContain(`Store:          ${ns}/${store}`);
      expect(run.stdout).toContain("Leaderless, N=3 W=2 R=2 (Strong)");
      expect(run.stdout).toContain("3 wanted, 3/3 ready");
      expect(run.stdout).toMatch(/Conflicts:\s+1 pending, oldest \d+s ago/);
      expect(run.stdout).toMatch(/Last repair:\s+Succeeded \d+s ago, 12 keys repaired/);
      expect(run.stdout).toMatch(/ConflictsPending\s+True\s+ConflictsAwaitReview/);
      for (const [i, name] of names.entries()) {
        expect(run.stdout).toMatch(
          new RegExp(`${name}\\s+true\\s+Running\\s+0\\s+${net.podIp(i).replaceAll(".", "\\.")}\\s+yes`),
        );
      }

      const yaml = await plugin(["status", store, ...kube, "-o", "yaml"]);
      expect(yaml.code, yaml.stderr).toBe(0);
      expect(load(yaml.stdout)).toMatchObject({
        namespace: ns,
        name: store,
        spec: { replicas: 3 },
        status: { phase: "Ready" },
        node: { conflicts: { pending: 1, more: false } },
      });
    });

    it("says what to do when the token is wrong", async () => {
      const run = await plugin(["conflicts", "list", store, ...kube, "--token", "wrong"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `error: store ${ns}/${store} needs a token with the read role: pass --token or set REPLISTORE_TOKEN`,
      );
    });

    it("resolve needs the admin role: a read token lists, but resolving with it says so and writes nothing", async () => {
      const list = await plugin(["conflicts", "list", store, ...kube, "--token", READ_TOKEN]);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toContain(conflict.id);
      const run = await plugin([
        "conflicts",
        "resolve",
        store,
        conflict.id,
        ...kube,
        "--keep",
        conflict.replaced,
        "--by",
        "oncall@example.com",
        "--token",
        READ_TOKEN,
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("needs the admin role");
      expect(run.stderr).toContain("pass --token with a token that has the admin role");
      const rec = await nodes.client(1).request("GET", `/v1/conflicts/${conflict.id}`);
      expect(rec.body.status).toBe("pending");
    });

    it("goes on to the next pod when one does not answer, and resolves the conflict", async () => {
      await nodes.kill(0);
      try {
        const run = await plugin([
          "conflicts",
          "resolve",
          store,
          conflict.id,
          ...kube,
          "--keep",
          conflict.replaced,
          "--by",
          "oncall@example.com",
          "--note",
          "the half write never finished",
        ]);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toContain(`resolved by oncall@example.com`);
        expect(run.stdout).toContain(`kept ${conflict.replaced}`);
        // another node has the decision
        const rec = await nodes.client(2).request("GET", `/v1/conflicts/${conflict.id}`);
        expect(rec.body).toMatchObject({
          status: "resolved",
          resolution: { note: "the half write never finished" },
        });
        const list = await plugin(["conflicts", "list", store, ...kube]);
        expect(list.stdout).toBe("no conflicts\n");
      } finally {
        await nodes.start(0);
      }
    });

    it("cannot use loopback pod IPs: the apiserver refuses to proxy to them", async () => {
      await env.clients.core.createNamespacedPod({ namespace: ns, body: nodePod("loopback-0", "loopback") });
      await setPodReady(env.clients, ns, "loopback-0", true, "127.0.0.1");
      await createStore(env.clients, ns, "loopback", { replicas: 1 });
      const run = await plugin(["conflicts", "list", "loopback", ...kube]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /cannot reach store .*\/loopback: no node answered: loopback-0: .*address not allowed/,
      );
    });
  },
);
