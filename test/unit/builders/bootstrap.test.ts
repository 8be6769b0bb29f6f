import { describe, expect, it } from "vitest";
import { clusterConfigJson } from "../../../src/builders/config-map.ts";
import { buildStatefulSet } from "../../../src/builders/statefulset.ts";
import { context, store } from "./fixtures.ts";

const destination = {
  path: "s3://backups/orders",
  endpoint: "https://s3.storage:9000",
  region: "eu-west-1",
  credentials: { secretName: "s3-creds", accessKeyIdKey: "id", secretAccessKeyKey: "secret" },
  caBundle: { configMapName: "s3-ca", key: "bundle.pem" },
};
const s = store({ bootstrap: { fromBackup: { destination: { path: destination.path } } } });

describe("a store bootstrapped from a backup", () => {
  it("names the backup in cluster.json while the nodes load it, and not after", () => {
    const loading = JSON.parse(
      clusterConfigJson(s, context({ bootstrap: { destination, backupId: "orders-1" } })),
    );
    expect(loading.bootstrap).toEqual({
      backupId: "orders-1",
      destination: { path: destination.path, endpoint: destination.endpoint, region: destination.region },
    });
    expect(JSON.stringify(loading)).not.toMatch(/s3-creds|secret/);
    const done = JSON.parse(clusterConfigJson(s, context({ bootstrap: { destination } })));
    expect(done.bootstrap).toBeUndefined();
  });

  it("gives the node pods the destination's settings (optional refs: a later-deleted Secret stops nothing) and a long startup", () => {
    const withBootstrap = buildStatefulSet(s, context({ bootstrap: { destination, backupId: "orders-1" } }));
    const pod = withBootstrap.spec!.template.spec!;
    const env = pod.containers[0]!.env!;
    expect(env).toContainEqual({ name: "AWS_ENDPOINT_URL_S3", value: destination.endpoint });
    expect(env).toContainEqual({ name: "AWS_REGION", value: "eu-west-1" });
    expect(env).toContainEqual({
      name: "AWS_ACCESS_KEY_ID",
      valueFrom: { secretKeyRef: { name: "s3-creds", key: "id", optional: true } },
    });
    expect(env).toContainEqual({ name: "AWS_CA_BUNDLE", value: "/etc/replistore/backup-ca/ca.crt" });
    expect(pod.volumes).toContainEqual({
      name: "backup-ca",
      configMap: { name: "s3-ca", items: [{ key: "bundle.pem", path: "ca.crt" }], optional: true },
    });
    expect(pod.containers[0]!.volumeMounts).toContainEqual({
      name: "backup-ca",
      mountPath: "/etc/replistore/backup-ca",
      readOnly: true,
    });
    const plain = buildStatefulSet(store(), context()).spec!.template.spec!;
    expect(pod.containers[0]!.startupProbe!.failureThreshold).toBeGreaterThan(
      plain.containers[0]!.startupProbe!.failureThreshold!,
    );
    // Finishing the restore changes the config only: the pod template stays, nothing rolls.
    const done = buildStatefulSet(s, context({ bootstrap: { destination } }));
    expect(done.spec!.template).toEqual(withBootstrap.spec!.template);
    expect(JSON.stringify(plain)).not.toMatch(/AWS_/);
  });
});
