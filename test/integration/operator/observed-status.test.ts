/**
 * Status read from the world, on a real control plane with real nodes standing in for the pods:
 * - status.conflictsPending and ConflictsPending, read by the operator from a node's /metrics at
 *   its pod IP (a real partial write makes a conflict; resolving it clears the condition);
 * - status.lastAntiEntropy and AntiEntropyHealthy, read from the repair Job's pod: the real Job
 *   controller runs Jobs made from the CronJob's template (as `kubectl create job --from` does) and
 *   one made by the real CronJob controller on its schedule; the test plays kubelet for their pods,
 *   ending them with the termination message a real `replistore repair` run against the nodes wrote.
 * Then a minute of resyncs writes nothing.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Job } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { runCli } from "../../support/cli.ts";
import { eventually } from "../../support/eventually.ts";
import { createNamespace } from "../../support/k8s/index.ts";
import { uniqueKey } from "../../support/keys.ts";
import { canMakePodNetwork, PodNetwork, PodStore } from "../kubectl-plugin/pod-network.ts";
import { makePartialWrite } from "../review/helpers.ts";
import {
  conditionOf,
  createStore,
  readStore,
  storeEvents,
  useOperatorPlane,
  waitForEvent,
  waitForStatus,
} from "./harness.ts";
import { finishJobPod, playKubelet } from "./pod-nodes.ts";

const NAMES = ["carts-0", "carts-1", "carts-2"];
const CRONJOB = "carts-repair";
const unavailable = canMakePodNetwork();

describe.skipIf(unavailable !== undefined)(
  `operator: status read from nodes and repair Jobs${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    let net: PodNetwork;
    let pods: PodStore;
    let dir: string;
    let namespace: string;
    let createdAt: number;

    const env = useOperatorPlane({
      crds: [CRD_FILE],
      alongside: async () => {
        dir = await mkdtemp(join(tmpdir(), "replistore-observed-"));
        net = PodNetwork.create(NAMES.length);
        pods = new PodStore(net, join(dir, "carts"), NAMES, {});
        await pods.boot({ limits: { requestTimeoutMs: 1_500 } });
      },
      // a short resync: conflict counts are read at most once per resync period
      operator: { resyncPeriodMs: 3_000 },
    });

    beforeAll(async () => {
      namespace = await createNamespace(env.clients, "observed");
      // every minute, so the CronJob controller makes a Job during the test
      await createStore(env.clients, namespace, "carts", {
        replicas: 3,
        antiEntropy: { schedule: "* * * * *" },
        // The test's node processes serve plain HTTP at the pod IPs (tls.test.ts covers HTTPS).
        tls: { mode: "Disabled" },
      });
      createdAt = Date.now();
      for (const [i, name] of NAMES.entries()) await playKubelet(env.clients, namespace, name, pods.podIp(i));
    });

    afterAll(async () => {
      await pods?.stop();
      net?.destroySync();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** `replistore repair` against the nodes, as the Job's container would run it; its exit code and termination message. */
    async function repairRun(): Promise<{ code: number; message: string }> {
      const log = join(dir, `termination-${Date.now()}.log`);
      const result = await runCli(
        ["repair", "--endpoint", pods.url(0), "--termination-log", log, "--timeout", "2s", "-o", "json"],
        { timeoutMs: 60_000 },
      );
      return { code: result.code ?? -1, message: await readFile(log, "utf8") };
    }

    /** A Job from the CronJob's template, as `kubectl create job --from=cronjob/carts-repair` makes it. */
    async function jobFromCronJob(name: string): Promise<V1Job> {
      const cronJob = await env.clients.batch.readNamespacedCronJob({ namespace, name: CRONJOB });
      return env.clients.batch.createNamespacedJob({
        namespace,
        body: {
          metadata: {
            name,
            labels: cronJob.spec?.jobTemplate.metadata?.labels ?? {},
            annotations: { "cronjob.kubernetes.io/instantiate": "manual" },
            ownerReferences: [
              {
                apiVersion: "batch/v1",
                kind: "CronJob",
                name: CRONJOB,
                uid: cronJob.metadata?.uid ?? "",
                controller: true,
              },
            ],
          },
          spec: cronJob.spec?.jobTemplate.spec,
        },
      });
    }

    it("before anything is known: conflicts not read, no repair yet", async () => {
      const store = await waitForStatus(
        env.clients,
        namespace,
        "carts",
        (s) => conditionOf(s, "AntiEntropyHealthy") !== undefined,
        "the new conditions",
      );
      expect(conditionOf(store, "AntiEntropyHealthy")).toMatchObject({
        status: "Unknown",
        reason: "NoRunYet",
      });
      expect(conditionOf(store, "AntiEntropyHealthy")?.message).toContain(
        'the schedule "* * * * *" is overdue after 12m without a successful run',
      );
    });

    it("conflictsPending follows the node's queue: 0, then 1 after a partial write, then 0 once resolved", async () => {
      const none = await waitForStatus(
        env.clients,
        namespace,
        "carts",
        (s) => s.status?.conflictsPending === 0,
        "conflictsPending 0 read from a node",
      );
      expect(conditionOf(none, "ConflictsPending")).toMatchObject({ status: "False", reason: "NoConflicts" });

      const conflict = await makePartialWrite(pods, uniqueKey("observed"), "before", "partial");
      const pending = await waitForStatus(
        env.clients,
        namespace,
        "carts",
        (s) => s.status?.conflictsPending === 1,
        "conflictsPending 1",
        20_000,
      );
      const condition = conditionOf(pending, "ConflictsPending");
      expect(condition).toMatchObject({ status: "True", reason: "ConflictsAwaitReview" });
      expect(condition?.message).toContain(`1 conflict waits for a person to decide which version stands`);
      expect(condition?.message).toContain(`kubectl replistore conflicts list carts -n ${namespace}`);
      const warning = await waitForEvent(env.clients, namespace, "carts", "ConflictsPending");
      expect(warning.type).toBe("Warning");

      const resolved = await pods.client(1).resolve(conflict.id, {
        keep: conflict.partial,
        resolvedBy: "oncall@example.com",
        note: "the partial write stands",
      });
      expect(resolved.status, resolved.text).toBe(200);
      const cleared = await waitForStatus(
        env.clients,
        namespace,
        "carts",
        (s) => s.status?.conflictsPending === 0,
        "conflictsPending back to 0",
        20_000,
      );
      expect(conditionOf(cleared, "ConflictsPending")).toMatchObject({
        status: "False",
        reason: "NoConflicts",
      });
      await waitForEvent(env.clients, namespace, "carts", "ConflictsResolved");
    });

    it("lastAntiEntropy from a Job's termination message: a complete run, then a failed one", async () => {
      const good = await repairRun();
      expect(good.code).toBe(0);
      const first = await jobFromCronJob("carts-repair-manual-1");
      await finishJobPod(env.clients, namespace, first.metadata?.uid ?? "", "repair", 0, good.message);
      const succeeded = await waitForStatus(
        env.clients,
        namespace,
        "carts",
        (s) => s.status?.lastAntiEntropy?.jobName === "carts-repair-manual-1",
        "the manual run in status",
        30_000,
      );
      const summary = JSON.parse(good.message) as { keysRepaired: number; startedAt: string };
      expect(succeeded.status?.lastAntiEntropy).toMatchObject({
        result: "Succeeded",
        keysRepaired: summary.keysRepaired,
        startTime: summary.startedAt.replace(/\.\d{3}Z$/, "Z"),
        message: expect.stringMatching(/^complete: 1 of 1 owner sets compared, \d+ keys repaired/),
      });
      expect(conditionOf(succeeded, "AntiEntropyHealthy")).toMatchObject({
        status: "True",
        reason: "RepairSucceeded",
      });

      // carts-2 down: the run cannot compare its sets, and says so
      await pods.kill(2);
      const bad = await repairRun();
      await pods.start(2);
      expect(bad.code).toBe(1);
      const second = await jobFromCronJob("carts-repair-manual-2");
      await finishJobPod(env.clients, namespace, second.metadata?.uid ?? "", "repair", 1, bad.message);
      const failed = await waitForStatus(
        env.clients,
        namespace,
        "carts",
        (s) => s.status?.lastAntiEntropy?.jobName === "carts-repair-manual-2",
        "the failed run in status",
        30_000,
      );
      expect(failed.status?.lastAntiEntropy).toMatchObject({
        result: "Failed",
        message: expect.stringContaining("carts-2: unreachable"),
      });
      const health = conditionOf(failed, "AntiEntropyHealthy");
      expect(health).toMatchObject({ status: "False", reason: "RepairFailed" });
      expect(health?.message).toContain("job carts-repair-manual-2");
      expect(health?.message).toContain(`kubectl -n ${namespace} create job --from=cronjob/carts-repair`);
      const event = await waitForEvent(env.clients, namespace, "carts", "RepairFailed");
      expect(event.type).toBe("Warning");
    });

    it("a run the CronJob controller scheduled, read the same way; healthy again", async () => {
      const scheduled = await eventually(
        async () => {
          const jobs = await env.clients.batch.listNamespacedJob({ namespace });
          const job = jobs.items.find((j) => /^carts-repair-\d+$/.test(j.metadata?.name ?? ""));
          if (!job) throw new Error(`jobs: ${jobs.items.map((j) => j.metadata?.name).join(", ")}`);
          return job;
        },
        { timeoutMs: 90_000, intervalMs: 1_000, what: "the CronJob controller's Job" },
      );
      expect(Date.now() - createdAt).toBeLessThan(90_000);
      const good = await repairRun();
      expect(good.code).toBe(0);
      await finishJobPod(env.clients, namespace, scheduled.metadata?.uid ?? "", "repair", 0, good.message);
      const healthy = await waitForStatus(
        env.clients,
        namespace,
        "carts",
        (s) => s.status?.lastAntiEntropy?.jobName === scheduled.metadata?.name,
        "the scheduled run in status",
        30_000,
      );
      expect(healthy.status?.lastAntiEntropy?.result).toBe("Succeeded");
      expect(conditionOf(healthy, "AntiEntropyHealthy")).toMatchObject({
        status: "True",
        reason: "RepairSucceeded",
      });
      await waitForEvent(env.clients, namespace, "carts", "AntiEntropyHealthy");
    });

    it("resyncs of the settled store write nothing, and the events are not repeated", async () => {
      await env.operator.idle();
      const before = env.operator.apiStats().api.writes;
      const events = (await storeEvents(env.clients, namespace, "carts")).length;
      const status = (await readStore(env.clients, namespace, "carts")).metadata.resourceVersion;
      // three resync periods: three conflict reads, the Jobs seen again
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      await env.operator.idle();
      expect(env.operator.apiStats().api.writes).toBe(before);
      expect((await storeEvents(env.clients, namespace, "carts")).length).toBe(events);
      expect((await readStore(env.clients, namespace, "carts")).metadata.resourceVersion).toBe(status);
    });
  },
);
