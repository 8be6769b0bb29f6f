import { describe, expect, it } from "vitest";
import { backupView, type RawBackup } from "../../../../src/operator/backup/backup-input.ts";

/** A ReplicatedStoreBackup as the apiserver stores it (what bootstrap by backupName reads). */
const raw = (destination: unknown): RawBackup => ({
  apiVersion: "replistore.io/v1alpha1",
  kind: "ReplicatedStoreBackup",
  metadata: { namespace: "shop", name: "orders-1", uid: "u1" },
  spec: { storeName: "orders", destination },
});

describe("backupView's destination (a destination read as stored)", () => {
  it("fills the Secret's key names and the CA bundle's key, as the operator's resolved specs have them", () => {
    const stored = raw({
      path: "s3://backups/orders",
      credentials: { secretName: "s3-creds" },
      caBundle: { configMapName: "s3-ca" },
    });
    expect(backupView(stored)?.destination).toEqual({
      path: "s3://backups/orders",
      credentials: {
        secretName: "s3-creds",
        accessKeyIdKey: "AWS_ACCESS_KEY_ID",
        secretAccessKeyKey: "AWS_SECRET_ACCESS_KEY",
      },
      caBundle: { configMapName: "s3-ca", key: "ca.crt" },
    });
    // the object read is left as it was
    expect((stored.spec as { destination: { credentials: unknown } }).destination.credentials).toEqual({
      secretName: "s3-creds",
    });
  });

  it("keeps names that are set, and refuses a destination that does not fit the schema", () => {
    expect(
      backupView(raw({ path: "file:///b", credentials: { secretName: "c", accessKeyIdKey: "id" } }))
        ?.destination?.credentials?.accessKeyIdKey,
    ).toBe("id");
    expect(backupView(raw({ path: "http://not-a-destination" }))).toBeUndefined();
    expect(backupView(raw("s3://b"))).toBeUndefined();
  });
});
