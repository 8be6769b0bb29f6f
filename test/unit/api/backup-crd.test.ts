/** The ReplicatedStoreBackup CRD as generated from src/api/backup-resource.ts. */
import { describe, expect, it } from "vitest";
import { BACKUP_CRD_NAME, replicatedStoreBackupCrd } from "../../../src/api/crd.ts";

const crd = replicatedStoreBackupCrd();
const version = crd.spec.versions[0];

describe("replicatedStoreBackupCrd", () => {
  it("names the kind, with short name rsbackup, in group replistore.io", () => {
    expect(crd.metadata.name).toBe(BACKUP_CRD_NAME);
    expect(BACKUP_CRD_NAME).toBe("replicatedstorebackups.replistore.io");
    expect(crd.spec.names).toMatchObject({
      kind: "ReplicatedStoreBackup",
      listKind: "ReplicatedStoreBackupList",
      plural: "replicatedstorebackups",
      singular: "replicatedstorebackup",
      shortNames: ["rsbackup"],
    });
  });

  it("has a status subresource and no scale subresource", () => {
    expect(version?.subresources).toEqual({ status: {} });
  });

  it("prints Store, Phase, Keys, Size(bytes), Completed and Age", () => {
    expect(version?.additionalPrinterColumns.map((c) => [c.name, c.jsonPath])).toEqual([
      ["Store", ".spec.storeName"],
      ["Phase", ".status.phase"],
      ["Keys", ".status.keys"],
      ["Size(bytes)", ".status.bytes"],
      ["Completed", ".status.completedAt"],
      ["Age", ".metadata.creationTimestamp"],
    ]);
  });

  it("validates the store name and destination path, and keeps the spec fixed", () => {
    const root = version?.schema.openAPIV3Schema as {
      properties: {
        spec: {
          required: string[];
          properties: Record<string, Record<string, unknown>>;
          "x-kubernetes-validations": unknown;
        };
      };
    };
    const spec = root.properties.spec;
    expect(spec.required).toEqual(["storeName"]);
    expect(spec.properties.storeName).toMatchObject({ type: "string", maxLength: 52 });
    expect(spec.properties.storeName?.pattern).toBeDefined();
    const destination = spec.properties.destination as { properties: { path: { pattern: string } } };
    expect(new RegExp(destination.properties.path.pattern).test("s3://backups/shop")).toBe(true);
    expect(new RegExp(destination.properties.path.pattern).test("http://x/y")).toBe(false);
    expect(spec["x-kubernetes-validations"]).toEqual([
      {
        rule: "self == oldSelf",
        message: "a backup's spec cannot change: create a new ReplicatedStoreBackup instead",
      },
    ]);
  });
});
