import { describe, expect, it } from "vitest";
import {
  BACKUP_CONTAINER,
  BACKUP_DEADLINE_SECONDS,
  buildBackupJob,
} from "../../../src/builders/backup-job.ts";
import { context, store } from "./fixtures.ts";

const S3 = {
  path: "s3://backups/shop",
  endpoint: "https://minio.storage:9000",
  region: "eu-west-1",
  credentials: { secretName: "s3", accessKeyIdKey: "id", secretAccessKeyKey: "key" },
  caBundle: { configMapName: "minio-ca", key: "ca.crt" },
};

describe("buildBackupJob", () => {
  const job = buildBackupJob({
    store: store({ backup: { destination: S3, retention: { keep: 7, maxAge: "720h" } } }),
    ctx: context(),
    backup: { name: "orders-20261206-220000", uid: "b-uid" },
    destination: S3,
    retention: { keep: 7, maxAge: "720h" },
  });
  const pod = job.spec?.template.spec;
  const container = pod?.containers.find((c) => c.name === BACKUP_CONTAINER);

  it("is named like the backup, owned by it, labelled as the store's backup", () => {
    expect(job.metadata?.name).toBe("orders-20261206-220000");
    expect(job.metadata?.namespace).toBe("shop");
    expect(job.metadata?.ownerReferences).toEqual([
      {
        apiVersion: "replistore.io/v1alpha1",
        kind: "ReplicatedStoreBackup",
        name: "orders-20261206-220000",
        uid: "b-uid",
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(job.metadata?.labels).toMatchObject({
      "app.kubernetes.io/component": "backup",
      "app.kubernetes.io/managed-by": "replistore-operator",
      "replistore.io/store": "orders",
    });
    expect(job.spec?.template.metadata?.labels?.["app.kubernetes.io/component"]).toBe("backup");
  });

  it("runs backup create once, with the backup's name as id and the store's retention", () => {
    expect(job.spec?.backoffLimit).toBe(0);
    expect(job.spec?.activeDeadlineSeconds).toBe(BACKUP_DEADLINE_SECONDS);
    expect(pod?.restartPolicy).toBe("Never");
    expect(container?.args).toEqual([
      "backup",
      "create",
      "--config",
      "/etc/replistore/cluster.json",
      "--destination",
      "s3://backups/shop",
      "--id",
      "orders-20261206-220000",
      "--keep",
      "7",
      "--max-age",
      "720h",
    ]);
  });

  it("is a peer of the nodes (TLS directory) and reaches the destination (AWS env, CA volume)", () => {
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env.REPLISTORE_TLS_DIR).toBeDefined();
    expect(env.AWS_ENDPOINT_URL_S3).toBe("https://minio.storage:9000");
    expect(env.AWS_REGION).toBe("eu-west-1");
    expect(env.AWS_ACCESS_KEY_ID).toEqual({ secretKeyRef: { name: "s3", key: "id" } });
    expect(env.AWS_CA_BUNDLE).toBe("/etc/replistore/backup-ca/ca.crt");
    const volumes = (pod?.volumes ?? []).map((v) => v.name);
    expect(volumes).toEqual(expect.arrayContaining(["config", "backup-ca"]));
    const mounts = (container?.volumeMounts ?? []).map((m) => m.mountPath);
    expect(mounts).toEqual(expect.arrayContaining(["/etc/replistore", "/etc/replistore/backup-ca"]));
    expect(pod?.automountServiceAccountToken).toBe(false);
  });

  it("with TLS disabled uses the peer secret, and without retention passes no pruning flags", () => {
    const plain = buildBackupJob({
      store: store({ tls: { mode: "Disabled" } }),
      ctx: context(),
      backup: { name: "b1", uid: "u" },
      destination: { path: "file:///backups" },
    });
    const c = plain.spec?.template.spec?.containers[0];
    expect(c?.args).not.toContain("--keep");
    expect(c?.args).not.toContain("--max-age");
    expect(c?.env?.find((e) => e.name === "REPLISTORE_PEER_SECRET")?.valueFrom?.secretKeyRef?.name).toBe(
      "orders-peer",
    );
    expect(c?.env?.some((e) => e.name.startsWith("AWS_"))).toBe(false);
  });

  it("passes the store's spec.backup.maxRate as --max-rate", () => {
    const paced = buildBackupJob({
      store: store({ backup: { destination: S3, maxRate: "20Mi" } }),
      ctx: context(),
      backup: { name: "orders-1", uid: "b-uid" },
      destination: S3,
    });
    const args = paced.spec?.template.spec?.containers[0]?.args ?? [];
    expect(args.slice(-2)).toEqual(["--max-rate", "20Mi"]);
    expect(container?.args).not.toContain("--max-rate");
  });
});
