/**
 * ReplicatedStoreBackups on a real kube-apiserver, etcd and controller manager, with an in-process
 * operator. The Job controller really runs the backup Jobs' bookkeeping; there is no kubelet, so the
 * test plays it: store pods are marked ready, and a backup Job's pod is ended with the termination
 * message `replistore backup create` leaves (a BackupResult), as the repair-run tests do.
 * Covers: Pending → Running → Completed with status from the message; a failed run; a store without
 * destination; pruned ids deleting their objects; status.lastBackup; the schedule creating backups
 * and skipping a tick while one runs; the CRD's validation messages.
 */
import type { CoreV1Event, V1Job } from "@kubernetes/client-node";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import {
  BACKUP_KIND,
  BACKUP_PLURAL,
  type ReplicatedStoreBackupStatus,
} from "../../../src/api/backup-resource.ts";
import { API_VERSION, GROUP, VERSION } from "../../../src/api/names.ts";
import type { BackupResult } from "../../../src/backup/result.ts";
import { BACKUP_CONTAINER } from "../../../src/builders/backup-job.ts";
import { eventually } from "../../support/eventually.ts";
import { createNamespace, refusal } from "../../support/k8s/index.ts";
import {
  createStore,
  patchSpec,
  readStore,
  storeEvents,
  useOperatorPlane,
  waitForStatus,
} from "./harness.ts";
import { finishJobPod, playKubelet } from "./pod-nodes.ts";

const DESTINATION = "s3://backups/shop";
const WRITTEN_TO = "s3://backups/shop/";

interface BackupObject {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name: string }[];
  };
  spec: { storeName: string };
  status?: ReplicatedStoreBackupStatus;
}

// both CRDs (the default)
const env = useOperatorPlane({ operator: { resyncPeriodMs: 2_000 } });
let namespace: string;

beforeAll(async () => {
  namespace = await createNamespace(env.clients, "backup");
  await createStore(env.clients, namespace, "orders", {
    replicas: 1,
    backup: { destination: { path: DESTINATION }, retention: { keep: 2 } },
  });
});

async function createBackup(name: string, storeName: string, extra: Record<string, unknown> = {}) {
  await env.clients.custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: BACKUP_PLURAL,
    body: { apiVersion: API_VERSION, kind: BACKUP_KIND, metadata: { name }, spec: { storeName, ...extra } },
  });
}

async function readBackup(name: string): Promise<BackupObject> {
  return (await env.clients.custom.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: BACKUP_PLURAL,
    name,
  })) as BackupObject;
}

async function listBackups(): Promise<BackupObject[]> {
  const list = (await env.clients.custom.listNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: BACKUP_PLURAL,
  })) as { items: BackupObject[] };
  return list.items;
}

async function waitForPhase(name: string, phase: string, timeoutMs = 30_000): Promise<BackupObject> {
  return eventually(
    async () => {
      const backup = await readBackup(name);
      if (backup.status?.phase !== phase) throw new Error(`status is ${JSON.stringify(backup.status)}`);
      return backup;
    },
    { timeoutMs, what: `${name} ${phase}`, intervalMs: 200 },
  );
}

async function jobOf(name: string): Promise<V1Job> {
  return eventually(() => env.clients.batch.readNamespacedJob({ namespace, name }), {
    timeoutMs: 20_000,
    what: `Job ${name}`,
  });
}

/** The pod of the backup's Job exits as `replistore backup create` would, with this result. */
async function finishBackup(name: string, result: BackupResult): Promise<void> {
  const job = await jobOf(name);
  await finishJobPod(
    env.clients,
    namespace,
    job.metadata?.uid ?? "",
    BACKUP_CONTAINER,
    result.status === "completed" ? 0 : 1,
    JSON.stringify(result),
  );
}

/** Each result a minute after the previous one, as successive runs would be. */
let runs = 0;

function completed(id: string, pruned: string[] = []): BackupResult {
  const minute = String(runs++).padStart(2, "0");
  return {
    status: "completed",
    id,
    destination: WRITTEN_TO,
    cut: "1765058400000:0:orders-0",
    keys: 1200,
    tombstones: 3,
    conflicts: 1,
    bytes: 65_536,
    startedAt: `2026-12-06T22:${minute}:00.000Z`,
    finishedAt: `2026-12-06T22:${minute}:42.000Z`,
    durationMs: 42_000,
    pruned,
  };
}

async function eventsOf(kind: string, name: string): Promise<CoreV1Event[]> {
  const list = await env.clients.core.listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}`,
  });
  return list.items;
}

describe("operator: ReplicatedStoreBackups", () => {
  it("a backup waits (Pending) for its store, then runs as a Job and completes with the result's figures", async () => {
    await createBackup("orders-manual-1", "orders");
    const pending = await waitForPhase("orders-manual-1", "Pending");
    expect(pending.status?.message).toContain("waiting for ReplicatedStore orders");

    await playKubelet(env.clients, namespace, "orders-0", "10.0.0.10");
    await waitForStatus(
      env.clients,
      namespace,
      "orders",
      (s) => s.status?.conditions?.some((c) => c.type === "QuorumAvailable" && c.status === "True"),
      "quorum",
    );
    const running = await waitForPhase("orders-manual-1", "Running");
    expect(running.status?.jobName).toBe("orders-manual-1");

    const job = await jobOf("orders-manual-1");
    expect(job.metadata?.ownerReferences?.[0]).toMatchObject({ kind: BACKUP_KIND, name: "orders-manual-1" });
    expect(job.metadata?.labels?.["app.kubernetes.io/component"]).toBe("backup");
    expect(job.spec?.backoffLimit).toBe(0);
    expect(job.spec?.template.spec?.containers[0]?.args).toEqual([
      "backup",
      "create",
      "--config",
      "/etc/replistore/cluster.json",
      "--destination",
      DESTINATION,
      "--id",
      "orders-manual-1",
      "--keep",
      "2",
    ]);

    await finishBackup("orders-manual-1", completed("orders-manual-1"));
    const done = await waitForPhase("orders-manual-1", "Completed");
    expect(done.status).toMatchObject({
      backupId: "orders-manual-1",
      destination: WRITTEN_TO,
      startedAt: "2026-12-06T22:00:00Z",
      completedAt: "2026-12-06T22:00:42Z",
      durationSeconds: 42,
      cut: "1765058400000:0:orders-0",
      keys: 1200,
      tombstones: 3,
      conflicts: 1,
      bytes: 65_536,
    });
    const store = await waitForStatus(
      env.clients,
      namespace,
      "orders",
      (s) => s.status?.lastBackup?.name === "orders-manual-1",
      "status.lastBackup",
    );
    expect(store.status?.lastBackup).toEqual({
      name: "orders-manual-1",
      completedAt: "2026-12-06T22:00:42Z",
      destination: WRITTEN_TO,
      keys: 1200,
      bytes: 65_536,
    });
    await eventually(
      async () => {
        const reasons = (await storeEvents(env.clients, namespace, "orders")).map((e) => e.reason);
        expect(reasons).toContain("BackupCompleted");
        const onBackup = (await eventsOf(BACKUP_KIND, "orders-manual-1")).map((e) => e.reason);
        expect(onBackup).toEqual(
          expect.arrayContaining(["BackupPending", "BackupRunning", "BackupCompleted"]),
        );
      },
      { what: "events on the store and the backup" },
    );
  });

  it("a failed run is Failed with the run's error", async () => {
    await createBackup("orders-manual-2", "orders");
    await waitForPhase("orders-manual-2", "Running");
    await finishBackup("orders-manual-2", {
      status: "failed",
      id: "orders-manual-2",
      destination: WRITTEN_TO,
      error: "the bucket backups does not exist: create it or fix spec.backup.destination.path",
    });
    const failed = await waitForPhase("orders-manual-2", "Failed");
    expect(failed.status?.message).toBe(
      "the bucket backups does not exist: create it or fix spec.backup.destination.path",
    );
    // a failure does not become the last backup
    expect((await readStore(env.clients, namespace, "orders")).status?.lastBackup?.name).toBe(
      "orders-manual-1",
    );
  });

  it("a completed backup's pruned ids delete those backups' objects, and only those", async () => {
    await createBackup("orders-manual-3", "orders");
    await waitForPhase("orders-manual-3", "Running");
    await finishBackup(
      "orders-manual-3",
      completed("orders-manual-3", ["orders-manual-1", "orders-manual-2"]),
    );
    await waitForPhase("orders-manual-3", "Completed");
    await eventually(
      async () => {
        const names = (await listBackups()).map((b) => b.metadata.name);
        expect(names).not.toContain("orders-manual-1");
        // Failed: retention at the destination never counted it, whatever the list says.
        expect(names).toContain("orders-manual-2");
        expect(names).toContain("orders-manual-3");
      },
      { what: "orders-manual-1 deleted" },
    );
    await waitForStatus(
      env.clients,
      namespace,
      "orders",
      (s) => s.status?.lastBackup?.name === "orders-manual-3",
      "lastBackup moves to the newest",
    );
  });

  it("a backup of a store with no destination fails, saying what to set", async () => {
    await createStore(env.clients, namespace, "carts", { replicas: 1 });
    await createBackup("carts-1", "carts");
    const failed = await waitForPhase("carts-1", "Failed");
    expect(failed.status?.message).toBe(
      "ReplicatedStore carts has no spec.backup.destination and this backup names no spec.destination: set one of them, then create a new ReplicatedStoreBackup",
    );
    await expect(env.clients.batch.readNamespacedJob({ namespace, name: "carts-1" })).rejects.toThrow();
  });

  it("the CRD refuses a bad store name, a bad destination, and a changed spec", async () => {
    const badName = await refusal(() => createBackup("bad-1", "Orders_1"));
    expect(badName.code).toBe(422);
    expect(badName.message).toContain("spec.storeName");
    const badPath = await refusal(() =>
      createBackup("bad-2", "orders", { destination: { path: "http://x/y" } }),
    );
    expect(badPath.code).toBe(422);
    expect(badPath.message).toContain("spec.destination.path");
    const changed = await refusal(() =>
      env.clients.custom.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace,
          plural: BACKUP_PLURAL,
          name: "orders-manual-3",
          body: { spec: { storeName: "carts" } },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    );
    expect(changed.message).toContain("a backup's spec cannot change");
  });

  it("the schedule creates a backup at each tick and skips a tick while the previous one runs", async () => {
    await patchSpec(env.clients, namespace, "orders", {
      backup: { destination: { path: DESTINATION }, schedule: "* * * * *" },
    });
    const scheduled = async () =>
      (await listBackups()).filter((b) => b.metadata.labels?.["replistore.io/scheduled"] === "true");
    const [first] = await eventually(
      async () => {
        const found = await scheduled();
        if (found.length === 0) throw new Error("no scheduled backup yet");
        return found;
      },
      { timeoutMs: 75_000, intervalMs: 500, what: "a scheduled backup within a minute" },
    );
    expect(first?.metadata.name).toMatch(/^orders-\d{8}-\d{4}00$/);
    expect(first?.metadata.ownerReferences?.[0]).toMatchObject({ kind: "ReplicatedStore", name: "orders" });
    expect(first?.spec.storeName).toBe("orders");
    await waitForPhase(first?.metadata.name ?? "", "Running");

    // The next tick comes while it runs: skipped, said in an event, no second backup.
    await eventually(
      async () => {
        const reasons = (await storeEvents(env.clients, namespace, "orders")).map((e) => e.reason);
        expect(reasons).toContain("BackupSkipped");
      },
      { timeoutMs: 75_000, intervalMs: 500, what: "the next tick skipped" },
    );
    expect((await scheduled()).map((b) => b.metadata.name)).toEqual([first?.metadata.name]);

    await finishBackup(first?.metadata.name ?? "", completed(first?.metadata.name ?? ""));
    await waitForPhase(first?.metadata.name ?? "", "Completed");
    await waitForStatus(
      env.clients,
      namespace,
      "orders",
      (s) => s.status?.lastBackup?.name === first?.metadata.name,
      "lastBackup is the scheduled one",
    );
  }, 200_000);

  it("exports the backup metrics per store", async () => {
    const text = await env.operator.metrics.registry.metrics();
    expect(text).toMatch(
      /replistore_backup_last_success_timestamp_seconds\{store_namespace="[^"]+",store="orders"\} \d+/,
    );
    expect(text).toContain(`replistore_backup_last_keys{store_namespace="${namespace}",store="orders"} 1200`);
    expect(text).toContain(
      `replistore_backup_max_age_seconds{store_namespace="${namespace}",store="orders"} 93600`,
    );
    expect(text).toMatch(
      new RegExp(
        `replistore_backups_total\\{store_namespace="${namespace}",store="orders",result="failed"\\} 1`,
      ),
    );
    expect(text).toMatch(
      new RegExp(
        `replistore_backups_total\\{store_namespace="${namespace}",store="carts",result="failed"\\} 1`,
      ),
    );
  });
});
