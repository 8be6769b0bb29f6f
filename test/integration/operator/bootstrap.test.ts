/**
 * spec.bootstrap.fromBackup against the real control plane and a real S3 server: the operator picks
 * the newest complete backup once (with the credentials Secret and CA ConfigMap the pods get), holds
 * the nodes back while it cannot, and refuses bootstrap for a store that already runs.
 */
import {
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
  type V1StatefulSet,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKUP_KIND, BACKUP_PLURAL } from "../../../src/api/backup-resource.ts";
import { API_VERSION, GROUP, VERSION } from "../../../src/api/names.ts";
import type { BackupManifest } from "../../../src/backup/manifest.ts";
import { S3Store } from "../../../src/backup/s3-store.ts";
import { eventually } from "../../support/eventually.ts";
import { createNamespace } from "../../support/k8s/index.ts";
import { type S3Server, startS3Server } from "../../support/s3-server.ts";
import {
  conditionOf,
  createStore,
  patchSpec,
  readStore,
  useOperatorPlane,
  waitForStatus,
} from "./harness.ts";

const env = useOperatorPlane();
let s3: S3Server;
const path = "s3://backups/orders";

function manifest(id: string, finishedAt: string): BackupManifest {
  return {
    format: 1,
    id,
    store: { name: "orders", namespace: "shop" },
    spec: { mode: "Leaderless", replicas: 3, replication: { factor: 3, writeQuorum: 2, readQuorum: 2 } },
    cut: "1796595101403:0:orders-2",
    startedAt: finishedAt,
    finishedAt,
    durationMs: 10,
    keys: 0,
    tombstones: 0,
    conflicts: 0,
    bytes: 0,
    nodes: [],
    data: [],
    conflictsObject: null,
    replistoreVersion: "0.1.0",
  };
}

beforeAll(async () => {
  s3 = await startS3Server({ tls: true, buckets: ["backups"] });
  const store = new S3Store({
    bucket: "backups",
    prefix: "orders/",
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    ca: s3.caPem!,
  });
  for (const [id, at] of [
    ["orders-20261201-030000", "2026-12-01T03:00:10Z"],
    ["orders-20261202-030000", "2026-12-02T03:00:10Z"],
  ] as const) {
    await store.put(`${id}/manifest.json`, Buffer.from(JSON.stringify(manifest(id, at))));
  }
  // Newer, but without a manifest: never chosen.
  await store.put("orders-20261203-030000/data/000000.msgpack", Buffer.from("half"));
  store.close();
});
afterAll(async () => {
  await s3?.stop();
});

async function destinationObjects(namespace: string, secretKey: string): Promise<void> {
  await env.clients.core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name: "s3-creds", namespace },
      stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: secretKey },
    },
  });
  await env.clients.core.createNamespacedConfigMap({
    namespace,
    body: { metadata: { name: "s3-ca", namespace }, data: { "ca.crt": s3.caPem! } },
  });
}

const destination = () => ({
  path,
  endpoint: s3.endpoint,
  credentials: { secretName: "s3-creds" },
  caBundle: { configMapName: "s3-ca" },
});

/** The store once the operator has written its status.bootstrap. */
const bootstrapped = (namespace: string, name: string, timeoutMs?: number) =>
  waitForStatus(
    env.clients,
    namespace,
    name,
    (s) => s.status?.bootstrap !== undefined,
    "status.bootstrap",
    timeoutMs,
  );

/** The environment of the node container in the store's StatefulSet, once there is one. */
async function nodeEnv(namespace: string, name: string) {
  const sts = (await eventually(() =>
    env.clients.apps.readNamespacedStatefulSet({ namespace, name }),
  )) as V1StatefulSet;
  return sts.spec!.template.spec!.containers[0]!.env!;
}

describe("a store bootstrapped from a backup", () => {
  it("gets the newest complete backup, chosen once, in its config, and its pods the destination's settings", async () => {
    const ns = await createNamespace(env.clients, "bootstrap-newest");
    await destinationObjects(ns, s3.secretAccessKey);
    await createStore(env.clients, ns, "orders", {
      bootstrap: { fromBackup: { destination: destination() } },
    });
    const store = await bootstrapped(ns, "orders");
    expect(store.status?.bootstrap).toEqual({ backupId: "orders-20261202-030000", destination: path });
    const map = (await eventually(() =>
      env.clients.core.readNamespacedConfigMap({ namespace: ns, name: "orders-config" }),
    )) as V1ConfigMap;
    const config = JSON.parse(map.data!["cluster.json"]!);
    expect(config.bootstrap).toEqual({
      backupId: "orders-20261202-030000",
      destination: { path, endpoint: s3.endpoint },
    });
    const envVars = await nodeEnv(ns, "orders");
    expect(envVars).toContainEqual({
      name: "AWS_SECRET_ACCESS_KEY",
      valueFrom: { secretKeyRef: { name: "s3-creds", key: "AWS_SECRET_ACCESS_KEY", optional: true } },
    });
    expect(envVars).toContainEqual({ name: "AWS_CA_BUNDLE", value: "/etc/replistore/backup-ca/ca.crt" });
  });

  it("by backupName: its store's destination, as stored (no key names), gives the pods the default Secret keys", async () => {
    const ns = await createNamespace(env.clients, "bootstrap-by-name");
    await destinationObjects(ns, s3.secretAccessKey);
    // As a user writes it: the Secret's key names left to their defaults.
    await createStore(env.clients, ns, "ledger", {
      backup: { destination: { path, endpoint: s3.endpoint, credentials: { secretName: "s3-creds" } } },
    });
    const backup = { group: GROUP, version: VERSION, namespace: ns, plural: BACKUP_PLURAL, name: "ledger-1" };
    await env.clients.custom.createNamespacedCustomObject({
      ...backup,
      body: {
        apiVersion: API_VERSION,
        kind: BACKUP_KIND,
        metadata: { name: "ledger-1" },
        spec: { storeName: "ledger" },
      },
    });
    // No kubelet here, so no Job completes it: once the operator has seen it (Pending, waiting for
    // the store), it is marked Completed as its Job's result would.
    await eventually(async () => {
      const b = (await env.clients.custom.getNamespacedCustomObject(backup)) as {
        status?: { phase?: string };
      };
      if (b.status?.phase !== "Pending") throw new Error(`phase ${b.status?.phase}`);
    });
    await env.clients.custom.patchNamespacedCustomObjectStatus(
      { ...backup, body: { status: { phase: "Completed", backupId: "orders-20261202-030000" } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await createStore(env.clients, ns, "ledger-copy", {
      bootstrap: { fromBackup: { backupName: "ledger-1" } },
    });
    const envVars = await nodeEnv(ns, "ledger-copy");
    expect(envVars).toContainEqual({
      name: "AWS_ACCESS_KEY_ID",
      valueFrom: { secretKeyRef: { name: "s3-creds", key: "AWS_ACCESS_KEY_ID", optional: true } },
    });
    expect(envVars).toContainEqual({
      name: "AWS_SECRET_ACCESS_KEY",
      valueFrom: { secretKeyRef: { name: "s3-creds", key: "AWS_SECRET_ACCESS_KEY", optional: true } },
    });
    // The status is written after the children, so it may follow the StatefulSet by a moment.
    const copy = await bootstrapped(ns, "ledger-copy");
    expect(copy.status?.bootstrap).toEqual({ backupId: "orders-20261202-030000", destination: path });
  });

  it("holds the nodes back while the destination refuses, and says why", async () => {
    const ns = await createNamespace(env.clients, "bootstrap-refused");
    await destinationObjects(ns, "wrong-secret");
    await createStore(env.clients, ns, "orders", {
      bootstrap: { fromBackup: { destination: destination() } },
    });
    const store = await waitForStatus(
      env.clients,
      ns,
      "orders",
      (s) => conditionOf(s, "Degraded")?.reason === "BootstrapPending",
      "a BootstrapPending condition",
    );
    expect(conditionOf(store, "Degraded")?.message).toMatch(
      /spec\.bootstrap\.fromBackup: .*access denied \(SignatureDoesNotMatch\); check the credentials/,
    );
    await expect(
      env.clients.apps.readNamespacedStatefulSet({ namespace: ns, name: "orders" }),
    ).rejects.toThrow();
    await expect(
      env.clients.core.readNamespacedConfigMap({ namespace: ns, name: "orders-config" }),
    ).rejects.toThrow();

    await env.clients.core.replaceNamespacedSecret({
      namespace: ns,
      name: "s3-creds",
      body: {
        metadata: { name: "s3-creds", namespace: ns },
        stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
      },
    });
    const fixed = await bootstrapped(ns, "orders", 40_000);
    expect(fixed.status?.bootstrap?.backupId).toBe("orders-20261202-030000");
  });

  it("does not apply to a store that already runs", async () => {
    const ns = await createNamespace(env.clients, "bootstrap-late");
    await createStore(env.clients, ns, "orders", {});
    await eventually(() => env.clients.apps.readNamespacedStatefulSet({ namespace: ns, name: "orders" }));
    await patchSpec(env.clients, ns, "orders", { bootstrap: { fromBackup: { destination: { path } } } });
    const store = await waitForStatus(
      env.clients,
      ns,
      "orders",
      (s) => conditionOf(s, "Degraded")?.reason === "BootstrapIgnored",
      "a BootstrapIgnored condition",
    );
    expect(conditionOf(store, "Degraded")?.message).toMatch(/applies only when a store is created/);
    expect((await readStore(env.clients, ns, "orders")).status?.bootstrap).toBeUndefined();
    const map = await env.clients.core.readNamespacedConfigMap({ namespace: ns, name: "orders-config" });
    expect(JSON.parse(map.data!["cluster.json"]!).bootstrap).toBeUndefined();
  });
});
