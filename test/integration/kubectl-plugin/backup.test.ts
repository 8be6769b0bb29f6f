/**
 * `kubectl replistore backup ...` against a real kube-apiserver with both CRDs. No operator runs:
 * the test plays it by writing the ReplicatedStoreBackup's status, which the plugin follows.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKUP_PLURAL } from "../../../src/api/backup-resource.ts";
import { BACKUP_CRD_FILE, CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { GROUP, VERSION } from "../../../src/api/names.ts";
import { eventually } from "../../support/index.ts";
import { useControlPlane } from "../../support/k8s/fixture.ts";
import { createNamespace } from "../../support/k8s/index.ts";
import { createStore } from "../operator/harness.ts";
import { expectFits80, plugin } from "./plugin-run.ts";

const FAST = { REPLISTORE_PLUGIN_POLL_MS: "100" };

describe("kubectl replistore backup", () => {
  const env = useControlPlane({ crds: [CRD_FILE, BACKUP_CRD_FILE] });
  let ns: string;
  let dir: string;
  let kube: string[];
  beforeAll(async () => {
    ns = await createNamespace(env.clients, "plugin-backup");
    dir = await mkdtemp(join(tmpdir(), "plugin-backup-"));
    await writeFile(join(dir, "kubeconfig"), "");
    kube = ["--kubeconfig", env.plane.kubeconfigPath, "-n", ns];
    await createStore(env.clients, ns, "orders", {
      backup: { destination: { path: "s3://backups/orders" } },
    });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const readBackup = (name: string) =>
    env.clients.custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns,
      plural: BACKUP_PLURAL,
      name,
    });

  const setStatus = (name: string, status: Record<string, unknown>) =>
    eventually(() =>
      env.clients.custom.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, namespace: ns, plural: BACKUP_PLURAL, name, body: { status } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    );

  it("creates a backup and follows it to Completed, then lists and describes it", async () => {
    const run = plugin(["backup", "create", "orders", "--name", "orders-now", ...kube], FAST);
    await eventually(() => readBackup("orders-now"));
    await setStatus("orders-now", { phase: "Running", jobName: "orders-now" });
    await setStatus("orders-now", {
      phase: "Completed",
      backupId: "orders-now",
      destination: "s3://backups/orders/",
      startedAt: "2026-12-06T03:00:00Z",
      completedAt: "2026-12-06T03:00:42Z",
      durationSeconds: 42,
      cut: "1796595101403:0:orders-2",
      keys: 1_000_000,
      tombstones: 12,
      conflicts: 3,
      bytes: 1_100_000_000,
    });
    const done = await run;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/replicatedstorebackup\/orders-now created/);
    expect(done.stdout).toMatch(/orders-now: Completed/);
    expect(done.stdout).toMatch(/keys: +1,000,000 \(\+ 12 recent deletes\)/);
    expect(done.stdout).toMatch(/where: +s3:\/\/backups\/orders\/orders-now\//);
    expectFits80(done.stdout);

    const listed = await plugin(["backup", "list", "orders", ...kube]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(
      /orders-now\s+orders\s+Completed\s+1,000,000\s+1049\.0 MiB\s+2026-12-06T03:00:42Z/,
    );
    const json = await plugin(["backup", "list", "-o", "json", ...kube]);
    expect(JSON.parse(json.stdout)).toContainEqual(
      expect.objectContaining({ name: "orders-now", phase: "Completed", keys: 1_000_000 }),
    );
    const described = await plugin(["backup", "describe", "orders-now", ...kube]);
    expect(described.stdout).toMatch(/cut: +1796595101403:0:orders-2/);
  });

  it("exits 1 with the reason when the backup fails", async () => {
    const run = plugin(["backup", "create", "orders", "--name", "orders-bad", ...kube], FAST);
    await eventually(() => readBackup("orders-bad"));
    await setStatus("orders-bad", {
      phase: "Failed",
      message: 'bucket "backups" does not exist; create it, or fix the destination',
    });
    const failed = await run;
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /error: backup orders-bad failed: bucket "backups" does not exist; create it/,
    );
    expect(failed.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it("says what is missing, and where a deleted backup's data stays", async () => {
    const missing = await plugin(["backup", "create", "nope", ...kube]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no ReplicatedStore nope in namespace .*: see kubectl get rstore -A/);
    const deleted = await plugin(["backup", "delete", "orders-now", ...kube]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toMatch(
      /replicatedstorebackup\/orders-now deleted; its data stays at s3:\/\/backups\/orders\/orders-now\/ until retention removes it \(now: replistore backup delete orders-now --destination s3:\/\/backups\/orders\/\)/,
    );
    const again = await plugin(["backup", "describe", "orders-now", ...kube]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no ReplicatedStoreBackup orders-now in namespace/);
  });
});
