import { describe, expect, it } from "vitest";
import { destinationWithDefaults } from "../../../src/api/backup-types.ts";

describe("destinationWithDefaults (a destination read from another object, as stored)", () => {
  it("fills the Secret's key names and the CA bundle's key, as the operator's resolved specs have them", () => {
    const raw = {
      path: "s3://backups/orders",
      credentials: { secretName: "s3-creds" },
      caBundle: { configMapName: "s3-ca" },
    };
    expect(destinationWithDefaults(raw)).toEqual({
      path: "s3://backups/orders",
      credentials: {
        secretName: "s3-creds",
        accessKeyIdKey: "AWS_ACCESS_KEY_ID",
        secretAccessKeyKey: "AWS_SECRET_ACCESS_KEY",
      },
      caBundle: { configMapName: "s3-ca", key: "ca.crt" },
    });
    // the object read is left as it was
    expect(raw.credentials).toEqual({ secretName: "s3-creds" });
  });

  it("keeps names that are set, and refuses a destination that does not fit the schema", () => {
    expect(
      destinationWithDefaults({ path: "file:///b", credentials: { secretName: "c", accessKeyIdKey: "id" } })
        ?.credentials?.accessKeyIdKey,
    ).toBe("id");
    expect(destinationWithDefaults({ path: "http://not-a-destination" })).toBeUndefined();
    expect(destinationWithDefaults("s3://b")).toBeUndefined();
  });
});
