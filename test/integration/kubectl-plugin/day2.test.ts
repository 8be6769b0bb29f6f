/**
 * The on-call commands of `kubectl replistore` against a real kube-apiserver (and its controller
 * manager: the Job controller makes the repair Job's pod) with real node processes behind the
 * apiserver's pod proxy (pod-network.ts). No kubelet and no StatefulSet controller run: the test
 * plays them where a command waits for them (a Job's pod ending with its termination message, a
 * deleted pod coming back and its node restarting).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { load } from "js-yaml";
import { list as tarList } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from "../../../src/api/names.ts";
import { eventually, runCli, uniqueKey } from "../../support/index.ts";
import { useControlPlane } from "../../support/k8s/fixture.ts";
import { createNamespace, setPodReady } from "../../support/k8s/index.ts";
import { createStore, replaceStoreStatus } from "../operator/harness.ts";
import { finishJobPod, jobPods } from "../operator/pod-nodes.ts";
import { createNodePod, expectFits80, expectNoStack, nodePod, plugin } from "./plugin-run.ts";
import { canMakePodNetwork, PodNetwork, PodStore } from "./pod-network.ts";

const TOKEN = "kubectl-day2-token";
const FAST = { REPLISTORE_PLUGIN_POLL_MS: "200" };
const unavailable = canMakePodNetwork();

describe.skipIf(unavailable !== undefined)(
  `kubectl replistore day-2 commands${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    let net: PodNetwork;
    let nodes: PodStore;
    let dir: string;
    let ns: string;
    let other: string;
    let kube: string[];
    let kubeconfig: string[];
    const store = "orders";
    const names = [0, 1, 2].map((i) => `${store}-${i}`);

    const env = useControlPlane({
      crds: [CRD_FILE],
      alongside: async () => {
        dir = await mkdtemp(join(tmpdir(), "replistore-kubectl-day2-"));
        net = PodNetwork.create(5);
        nodes = new PodStore(net, dir, names, { token: TOKEN, tls: true });
        await nodes.boot({ limits: { requestTimeoutMs: 1_500 } });
      },
    });

    beforeAll(async () => {
      kubeconfig = ["--kubeconfig", env.plane.kubeconfigPath];
      ns = await createNamespace(env.clients, "day2");
      other = await createNamespace(env.clients, "day2-edge");
      kube = [...kubeconfig, "-n", ns];
      await createStore(env.clients, ns, store, {
        replicas: 3,
        auth: { secretName: `${store}-token` },
        antiEntropy: { schedule: "17 3 * * *" },
      });
      await env.clients.core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name: `${store}-token` }, stringData: { token: TOKEN } },
      });
      await createStore(env.clients, other, "edge", {
        replicas: 3,
        mode: "MultiLeader",
        multiLeader: { leaders: 2, topology: "Star", hub: 0 },
      });
      for (const [i, name] of names.entries())
        await createNodePod(env.clients, ns, name, store, net.podIp(i));
    });

    afterAll(async () => {
      await nodes?.stop();
      net?.destroySync();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("status -A: one line per store of every namespace; -o json the stores; a store and -A refused", async () => {
      await replaceStoreStatus(env.clients, ns, store, {
        phase: "Ready",
        readyReplicas: 3,
        replicas: 3,
        quorum: "N=3 W=2 R=2",
      });
      const run = await plugin(["status", "-A", ...kubeconfig]);
      expect(run.code, run.stderr).toBe(0);
      expectFits80(run.stdout);
      expect(run.stdout).toMatch(/^NAMESPACE\s+NAME\s+MODE\s+READY\s+PHASE/);
      expect(run.stdout).toMatch(new RegExp(`${ns}\\s+orders\\s+Leaderless\\s+3/3\\s+Ready\\s+0\\s+none`));
      expect(run.stdout).toMatch(new RegExp(`${other}\\s+edge\\s+MultiLeader\\s+0/3\\s+Unknown`));

      const json = await plugin(["status", "--all-namespaces", ...kubeconfig, "-o", "json"]);
      expect(json.code, json.stderr).toBe(0);
      const body = JSON.parse(json.stdout) as { items: { namespace: string; name: string }[] };
      expect(body.items.map((s) => `${s.namespace}/${s.name}`)).toEqual(
        expect.arrayContaining([`${ns}/orders`, `${other}/edge`]),
      );

      const here = await plugin(["status", ...kube, "-o", "yaml"]);
      expect(here.code, here.stderr).toBe(0);
      expect((load(here.stdout) as { items: { name: string }[] }).items.map((s) => s.name)).toEqual([
        "orders",
      ]);

      const both = await plugin(["status", store, "-A", ...kubeconfig]);
      expect(both.code).toBe(1);
      expect(both.stderr).toContain("give a store or -A, not both");
      expectNoStack(both);
    });

    it("kv put, get and delete through the pod proxy with the token from the auth Secret", async () => {
      const key = uniqueKey("plugin-kv");
      const put = await plugin(["kv", "put", store, key, "from kubectl", ...kube]);
      expect(put.code, put.stderr).toBe(0);
      expect(put.stdout).toMatch(new RegExp(`^put ${key} \\(version \\S+, \\d acks\\)`));
      const direct = await nodes.client(1).request("GET", `/v1/kv/${encodeURIComponent(key)}`);
      expect(direct.text).toBe("from kubectl");

      const get = await plugin(["kv", "get", store, key, ...kube]);
      expect(get.code, get.stderr).toBe(0);
      expect(get.stdout).toBe("from kubectl");
      const yaml = await plugin(["kv", "get", store, key, ...kube, "-o", "yaml"]);
      expect(load(yaml.stdout)).toMatchObject({ key, value: "from kubectl", encoding: "utf8" });

      const piped = await plugin(["kv", "put", store, key, ...kube, "-o", "json"], {}, { stdin: "piped in" });
      expect(piped.code, piped.stderr).toBe(0);
      expect(JSON.parse(piped.stdout)).toMatchObject({ key });
      expect((await plugin(["kv", "get", store, key, ...kube])).stdout).toBe("piped in");

      const del = await plugin(["kv", "delete", store, key, ...kube]);
      expect(del.code, del.stderr).toBe(0);
      expect(del.stdout).toMatch(new RegExp(`^deleted ${key} `));
      const gone = await plugin(["kv", "get", store, key, ...kube]);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toBe(`error: no key "${key}" in store ${ns}/${store}\n`);

      const novalue = await plugin(["kv", "put", store, key, ...kube]);
      expect(novalue.code).toBe(1);
      expect(novalue.stderr).toContain(
        `no value for ${key}: kubectl replistore kv put ${store} ${key} VALUE`,
      );
      const wrong = await plugin(["kv", "get", store, key, ...kube, "--token", "wrong"]);
      expect(wrong.stderr).toContain(
        "needs a token with the read role: pass --token or set REPLISTORE_TOKEN",
      );
      for (const run of [gone, novalue, wrong]) expectNoStack(run);
    });

    it("every command names the fix for an unknown store or the wrong namespace", async () => {
      for (const args of [
        ["kv", "get", "nope", "k"],
        ["hub", "nope"],
        ["repair", "now", "nope"],
        ["restart", "nope"],
        ["report", "nope"],
        ["status", "nope"],
      ]) {
        const run = await plugin([...args, ...kube]);
        expect(run.code, args.join(" ")).toBe(1);
        expect(run.stderr).toBe(
          `error: no ReplicatedStore nope in namespace ${ns}: see kubectl get rstore -A, and pass -n NAMESPACE\n`,
        );
      }
      const elsewhere = await plugin(["hub", "edge", ...kube]);
      expect(elsewhere.stderr).toContain(`no ReplicatedStore edge in namespace ${ns}`);
    });

    it("hub: shows spec and status, moves it with --set, refuses non-Star stores and ordinals out of range", async () => {
      const edge = [...kubeconfig, "-n", other];
      await replaceStoreStatus(env.clients, other, "edge", { phase: "Ready", hub: 1 });
      const show = await plugin(["hub", "edge", ...edge]);
      expect(show.code, show.stderr).toBe(0);
      expectFits80(show.stdout);
      expect(show.stdout).toContain(`Store:        ${other}/edge (Star, 2 leaders)`);
      expect(show.stdout).toContain("Hub (spec):   0 (edge-0)");
      expect(show.stdout).toContain("Hub (status): 1 (edge-1)");
      expect(show.stdout).toContain("the hub failed over from 0 to 1: move it back with --set 0");
      const json = await plugin(["hub", "edge", ...edge, "-o", "json"]);
      expect(JSON.parse(json.stdout)).toEqual({
        namespace: other,
        name: "edge",
        leaders: 2,
        spec: 0,
        status: 1,
      });

      const set = await plugin(["hub", "edge", "--set", "1", ...edge]);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toContain(`hub of ${other}/edge set to 1 (edge-1), was 0`);
      expectFits80(set.stdout);
      const after = (await env.clients.custom.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: other,
        plural: PLURAL,
        name: "edge",
      })) as { spec: { multiLeader: { hub: number; leaders: number } } };
      expect(after.spec.multiLeader).toMatchObject({ hub: 1, leaders: 2 });

      const far = await plugin(["hub", "edge", "--set", "2", ...edge]);
      expect(far.code).toBe(1);
      expect(far.stderr).toBe(
        "error: --set 2: the hub must be a leader's ordinal, 0 to 1 (spec.multiLeader.leaders is 2)\n",
      );
      const word = await plugin(["hub", "edge", "--set", "two", ...edge]);
      expect(word.stderr).toContain("--set two: the hub must be a leader's ordinal, 0 to 1");
      const leaderless = await plugin(["hub", store, ...kube]);
      expect(leaderless.code).toBe(1);
      expect(leaderless.stderr).toBe(
        `error: store ${ns}/${store} is Leaderless: only a MultiLeader store with topology Star has a hub\n`,
      );
      for (const run of [far, word, leaderless]) expectNoStack(run);
    });

    it("repair now: a Job from the CronJob as kubectl create job --from makes it, followed to its summary", async () => {
      const cron = `${store}-repair`;
      const missing = await plugin(["repair", "now", store, ...kube]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(
        `store ${ns}/${store} has no repair CronJob ${cron} yet: is the operator running?`,
      );

      const template = {
        metadata: {
          labels: { "app.kubernetes.io/instance": store, "app.kubernetes.io/component": "repair" },
        },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { labels: { "app.kubernetes.io/instance": store } },
            spec: {
              restartPolicy: "Never",
              containers: [{ name: "repair", image: "replistore:test", args: ["repair"] }],
            },
          },
        },
      };
      const cronJob = await env.clients.batch.createNamespacedCronJob({
        namespace: ns,
        body: {
          metadata: { name: cron },
          // suspended: only the plugin makes Jobs here
          spec: { schedule: "17 3 * * *", suspend: true, jobTemplate: template },
        },
      });

      const noWait = await plugin(["repair", "now", store, ...kube, "--no-wait", "-o", "json"]);
      expect(noWait.code, noWait.stderr).toBe(0);
      const made = JSON.parse(noWait.stdout) as { job: string; cronJob: string };
      expect(made.cronJob).toBe(cron);
      expect(made.job).toMatch(new RegExp(`^${cron}-manual-\\d+$`));
      const job = await env.clients.batch.readNamespacedJob({ namespace: ns, name: made.job });
      expect(job.metadata?.annotations).toMatchObject({ "cronjob.kubernetes.io/instantiate": "manual" });
      expect(job.metadata?.labels).toMatchObject(template.metadata.labels);
      expect(job.metadata?.ownerReferences).toEqual([
        expect.objectContaining({
          apiVersion: "batch/v1",
          kind: "CronJob",
          name: cron,
          uid: cronJob.metadata?.uid,
          controller: true,
        }),
      ]);
      expect(job.spec?.backoffLimit).toBe(0);
      expect(job.spec?.template.spec?.containers[0]).toMatchObject({ name: "repair", args: ["repair"] });
      await env.clients.batch.deleteNamespacedJob({
        namespace: ns,
        name: made.job,
        propagationPolicy: "Background",
      });

      // a real repair run's summary, as the Job's container writes it to its termination log (with
      // the store's TLS Secret mounted, as the Job's pod has it)
      const log = join(dir, "termination.log");
      const repaired = await runCli(
        ["repair", "--endpoint", nodes.url(0), "--termination-log", log, "--timeout", "2s", "-o", "json"],
        { env: { REPLISTORE_TOKEN: TOKEN, REPLISTORE_TLS_DIR: nodes.tlsDir }, timeoutMs: 60_000 },
      );
      expect(repaired.code, repaired.stderr).toBe(0);
      const summary = await readFile(log, "utf8");

      // a second after the first (the name has the time in seconds)
      await new Promise((r) => setTimeout(r, 1_100));
      const following = plugin(["repair", "now", store, ...kube], FAST);
      const jobs = async () =>
        (await env.clients.batch.listNamespacedJob({ namespace: ns })).items.filter(
          (j) => j.metadata?.name !== made.job && !j.metadata?.deletionTimestamp,
        );
      const running = await eventually(
        async () => {
          const [j] = await jobs();
          if (!j) throw new Error("no Job yet");
          if ((await jobPods(env.clients, ns, j.metadata?.uid ?? "")).length === 0)
            throw new Error("no pod yet");
          return j;
        },
        { timeoutMs: 30_000, what: "the followed Job and its pod" },
      );
      await finishJobPod(env.clients, ns, running.metadata?.uid ?? "", "repair", 0, summary);
      const run = await following;
      expect(run.code, run.stderr).toBe(0);
      expectFits80(run.stdout);
      const name = running.metadata?.name ?? "";
      expect(run.stdout).toContain(`job.batch/${name} created from cronjob/${cron}\n`);
      expect(run.stdout).toMatch(new RegExp(`\n  pod ${name}-\\w+: Pending\n`));
      expect(run.stdout).toContain("\n  complete\n");
      expect(run.stdout).toMatch(/result: Succeeded, \d+ keys repaired\n/);
      expect(run.stdout).toMatch(/summary: complete: \d+ of \d+ owner sets compared/);

      // a failed run: exit 1, with where to look
      await new Promise((r) => setTimeout(r, 1_100));
      const failing = plugin(["repair", "now", store, ...kube], FAST);
      const second = await eventually(
        async () => {
          const j = (await jobs()).find((x) => x.metadata?.name !== name);
          if (!j) throw new Error("no second Job yet");
          if ((await jobPods(env.clients, ns, j.metadata?.uid ?? "")).length === 0)
            throw new Error("no pod yet");
          return j;
        },
        { timeoutMs: 30_000, what: "the second Job and its pod" },
      );
      const failedSummary = JSON.stringify({ status: "failed", ok: false, error: "no member answered" });
      await finishJobPod(env.clients, ns, second.metadata?.uid ?? "", "repair", 1, failedSummary);
      const failed = await failing;
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain("result: Failed");
      expect(failed.stdout).toContain("summary: failed: no member answered");
      expect(failed.stderr).toBe(
        `error: repair job ${second.metadata?.name} failed: see kubectl -n ${ns} logs job/${second.metadata?.name}\n`,
      );
    });

    it("report: the store, events, pods, logs tried, every node's status and metrics in one .tar.gz", async () => {
      await env.clients.core.createNamespacedEvent({
        namespace: ns,
        body: {
          metadata: { generateName: `${store}.` },
          involvedObject: { kind: KIND, apiVersion: API_VERSION, name: store, namespace: ns },
          reason: "ConflictsPending",
          message: "a test event",
          type: "Warning",
          firstTimestamp: new Date(),
          lastTimestamp: new Date(),
          count: 1,
          source: { component: "replistore-operator" },
        },
      });
      const out = join(dir, "reports");
      await mkdir(out, { recursive: true });
      const file = join(out, "orders.tar.gz");
      const run = await plugin(["report", store, ...kube, "-f", file]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`collecting a report of ${ns}/${store}`);
      expect(run.stdout).toMatch(/events\.yaml \(\d+ events\)/);
      expect(run.stdout).toContain(`wrote ${file} (`);

      const entries = new Map<string, string>();
      await tarList({
        file,
        onReadEntry: (entry) => {
          const chunks: Buffer[] = [];
          entry.on("data", (c: Buffer) => chunks.push(c));
          entry.on("end", () =>
            entries.set(entry.path.replace(/^[^/]+\//, ""), Buffer.concat(chunks).toString("utf8")),
          );
        },
      });
      for (const name of names) {
        expect(JSON.parse(entries.get(`nodes/${name}/status.json`) ?? "{}")).toMatchObject({
          node: { id: name },
        });
        expect(entries.get(`nodes/${name}/metrics.txt`)).toMatch(/^# HELP /m);
      }
      expect(load(entries.get("store.yaml") ?? "")).toMatchObject({ kind: KIND, metadata: { name: store } });
      expect(entries.get("events.yaml")).toContain("a test event");
      expect((load(entries.get("pods.yaml") ?? "") as unknown[]).length).toBe(3);
      const index = JSON.parse(entries.get("report.json") ?? "{}") as { files: string[]; problems: string[] };
      expect(index.files).toEqual(expect.arrayContaining(["store.yaml", "events.yaml", "pods.yaml"]));
      // no kubelet serves logs here: each try is written down, not fatal
      expect(index.problems).toContain(
        `logs/${store}-0/node.log: not available (the apiserver could not get it from the kubelet)`,
      );

      const bad = await plugin(["report", store, ...kube, "-f", join(out, "x.zip")]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("the report is a gzipped tar; name it *.tar.gz or *.tgz");
    });

    it("without the RBAC a command needs, it names the permission and how to check it; nothing is changed", async () => {
      const rbac = env.clients.config.makeApiClient(RbacAuthorizationV1Api);
      await env.clients.core.createNamespacedServiceAccount({
        namespace: ns,
        body: { metadata: { name: "viewer" } },
      });
      await rbac.createNamespacedRole({
        namespace: ns,
        body: {
          metadata: { name: "viewer" },
          rules: [
            { apiGroups: [GROUP], resources: [PLURAL], verbs: ["get"] },
            { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
            { apiGroups: [""], resources: ["pods/proxy"], verbs: ["get", "create"] },
          ],
        },
      });
      await rbac.createNamespacedRoleBinding({
        namespace: ns,
        body: {
          metadata: { name: "viewer" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "viewer" },
          subjects: [{ kind: "ServiceAccount", name: "viewer", namespace: ns }],
        },
      });
      const token = await env.clients.core.createNamespacedServiceAccountToken({
        namespace: ns,
        name: "viewer",
        body: {
          spec: { audiences: ["https://kubernetes.default.svc.cluster.local"], expirationSeconds: 3600 },
        },
      });
      const cluster = env.clients.config.getCurrentCluster();
      const file = join(dir, "viewer.kubeconfig");
      await writeFile(
        file,
        JSON.stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [
            {
              name: "test",
              cluster: {
                server: cluster?.server,
                "certificate-authority-data":
                  cluster?.caData ??
                  (cluster?.caFile ? (await readFile(cluster.caFile)).toString("base64") : undefined),
              },
            },
          ],
          users: [{ name: "viewer", user: { token: token.status?.token } }],
          contexts: [{ name: "viewer", context: { cluster: "test", user: "viewer", namespace: ns } }],
          "current-context": "viewer",
        }),
      );
      const viewer = ["--kubeconfig", file, "--token", TOKEN];
      const can = (verb: string, resource: string) =>
        `error: you may not ${verb} ${resource} in namespace ${ns} (HTTP 403: `;
      const check = (verb: string, resource: string) =>
        `check with kubectl auth can-i ${verb} ${resource} -n ${ns}\n`;

      // what the Role allows works
      const get = await plugin(["kv", "get", store, "absent-key", ...viewer]);
      expect(get.stderr).toBe(`error: no key "absent-key" in store ${ns}/${store}\n`);

      const restart = await plugin(["restart", store, ...viewer]);
      expect(restart.code).toBe(1);
      expect(restart.stderr).toContain(can("delete", "pods"));
      expect(restart.stderr).toMatch(
        new RegExp(`ask your cluster admin for that RBAC permission; ${check("delete", "pods")}$`),
      );
      const repair = await plugin(["repair", "now", store, ...viewer]);
      expect(repair.stderr).toContain(can("get", "cronjobs"));
      const hubSet = await plugin(["hub", store, "--set", "0", ...viewer]);
      expect(hubSet.stderr).toContain(`store ${ns}/${store} is Leaderless`);
      const all = await plugin(["status", "-A", ...viewer]);
      expect(all.stderr).toContain("error: you may not list replicatedstores in any namespace (HTTP 403: ");
      expect(all.stderr).toContain("check with kubectl auth can-i list replicatedstores -A");
      const elsewhere = await plugin(["hub", "edge", ...viewer, "-n", other]);
      expect(elsewhere.stderr).toContain(
        `error: you may not get replicatedstores in namespace ${other} (HTTP 403: `,
      );
      for (const run of [restart, repair, hubSet, all, elsewhere]) {
        expect(run.code).toBe(1);
        expectNoStack(run);
      }
      // nothing was deleted
      const pods = await env.clients.core.listNamespacedPod({ namespace: ns });
      expect(
        pods.items
          .filter((p) => names.includes(p.metadata?.name ?? ""))
          .every((p) => !p.metadata?.deletionTimestamp),
      ).toBe(true);
    });

    it("restart: one pod at a time, highest ordinal first, each back Ready and healthy before the next", async () => {
      const order: string[] = [];
      const othersReadyWhenDeleted: boolean[] = [];
      let playing = true;
      // the StatefulSet controller and the kubelet: a deleted pod comes back, its node restarts
      const player = (async () => {
        while (playing) {
          const pods = (await env.clients.core.listNamespacedPod({ namespace: ns })).items;
          for (const [i, name] of names.entries()) {
            if (pods.some((p) => p.metadata?.name === name)) continue;
            order.push(name);
            othersReadyWhenDeleted.push(
              pods
                .filter((p) => names.includes(p.metadata?.name ?? ""))
                .every((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")),
            );
            await nodes.kill(i);
            await env.clients.core.createNamespacedPod({ namespace: ns, body: nodePod(name, store) });
            await nodes.start(i);
            await setPodReady(env.clients, ns, name, true, net.podIp(i));
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      let run: Awaited<ReturnType<typeof plugin>>;
      try {
        run = await plugin(["restart", store, ...kube, "--timeout", "60s"], FAST, { timeoutMs: 120_000 });
      } finally {
        playing = false;
        await player;
      }
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(order).toEqual([`${store}-2`, `${store}-1`, `${store}-0`]);
      expect(othersReadyWhenDeleted).toEqual([true, true, true]);
      const lines = run.stdout.split("\n");
      const at = (text: string) => lines.findIndex((l) => l.startsWith(text));
      expect(at(`${store}-2: deleted`)).toBeLessThan(at(`${store}-2: healthy on ${store}-0, ${store}-1`));
      expect(at(`${store}-2: healthy on`)).toBeLessThan(at(`${store}-1: deleted`));
      expect(at(`${store}-1: healthy on ${store}-0, ${store}-2`)).toBeLessThan(at(`${store}-0: deleted`));
      expect(run.stdout).toMatch(new RegExp(`restarted 3 pods of ${ns}/${store} in \\d+s`));
      for (const name of names) {
        // each state is said once
        const said = lines.filter((l) => l.startsWith(`${name}: Ready, waiting`));
        expect(said.length, run.stdout).toBeLessThanOrEqual(1);
      }
      expect(run.stdout).toContain(`restarting ${ns}/${store}: 3 pods, one at a time, ${store}-2 first\n`);
      expectFits80(run.stdout);
      await nodes.waitForPeers();
    });

    it("restart: a pod that does not come back stops it within --timeout, saying where", async () => {
      await createStore(env.clients, ns, "lonely", { replicas: 1 });
      await createNodePod(env.clients, ns, "lonely-0", "lonely", net.podIp(3));
      const run = await plugin(["restart", "lonely", ...kube, "--timeout", "2s"], FAST);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`restarting ${ns}/lonely: its only pod, lonely-0\n`);
      expect(run.stdout).toContain("lonely-0: deleted, waiting for it to come back");
      expect(run.stderr).toContain(
        `error: lonely-0 did not come back healthy within --timeout 2s (deleted); the restart stopped there`,
      );
      expectNoStack(run);

      await createNodePod(env.clients, ns, "lonely-0", "lonely", net.podIp(3));
      await setPodReady(env.clients, ns, "lonely-0", false, net.podIp(3));
      const unready = await plugin(["restart", "lonely", ...kube]);
      expect(unready.code).toBe(1);
      expect(unready.stderr).toContain(
        `not every pod of ${ns}/lonely is Ready (lonely-0): restarting another could cost the quorum; fix those first, or pass --force`,
      );
    });
  },
);
