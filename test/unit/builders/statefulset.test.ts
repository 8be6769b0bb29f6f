import type { V1Container, V1StatefulSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { buildStatefulSet, claimRetention } from "../../../src/builders/statefulset.ts";
import { context, store } from "./fixtures.ts";

function container(sts: V1StatefulSet): V1Container {
  const c = sts.spec?.template.spec?.containers[0];
  if (!c) throw new Error("no container");
  return c;
}

function env(c: V1Container): Record<string, unknown> {
  return Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
}

describe("StatefulSet", () => {
  const sts = buildStatefulSet(store({ replicas: 5, replication: { factor: 3 } }), context());

  it("runs <replicas> pods in parallel under the peers Service", () => {
    expect(sts.metadata?.name).toBe("orders");
    expect(sts.spec?.replicas).toBe(5);
    expect(sts.spec?.serviceName).toBe("orders-peers");
    expect(sts.spec?.podManagementPolicy).toBe("Parallel");
  });

  it("runs `replistore node` with the pod name as node id and the mounted config", () => {
    const c = container(sts);
    expect(c.image).toBe("replistore:test");
    expect(c.args).toEqual(["node"]);
    expect(env(c)).toMatchObject({
      REPLISTORE_NODE_ID: { fieldRef: { fieldPath: "metadata.name" } },
      REPLISTORE_LISTEN: "0.0.0.0:7070",
      REPLISTORE_DATA_DIR: "/var/lib/replistore",
      REPLISTORE_CONFIG: "/etc/replistore/cluster.json",
    });
    expect(String(env(c).NODE_OPTIONS)).toContain("--max-semi-space-size=16");
    expect(c.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: "data", mountPath: "/var/lib/replistore" },
        { name: "config", mountPath: "/etc/replistore", readOnly: true },
      ]),
    );
    // A subPath mount would never see ConfigMap updates, and config changes must reload live.
    expect(c.volumeMounts?.every((m) => m.subPath === undefined)).toBe(true);
    const configVolume = sts.spec?.template.spec?.volumes?.find((v) => v.name === "config");
    expect(configVolume?.configMap?.name).toBe("orders-config");
  });

  it("probes /readyz for readiness and /healthz for liveness on the node port, over HTTPS by default", () => {
    const c = container(sts);
    expect(c.ports).toEqual([
      { name: "http", containerPort: 7070, protocol: "TCP" },
      { name: "peer", containerPort: 7071, protocol: "TCP" },
    ]);
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http", scheme: "HTTPS" });
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http", scheme: "HTTPS" });
    expect(c.startupProbe?.httpGet?.scheme).toBe("HTTPS");
  });

  it("does not put the config hash on the pod template (config changes must not roll pods)", () => {
    const annotations = sts.spec?.template.metadata?.annotations ?? {};
    expect(Object.keys(annotations).filter((k) => k.includes("config"))).toEqual([]);
    const a = buildStatefulSet(store({ replicas: 3, clock: { maxOffset: "500ms" } }), context());
    const b = buildStatefulSet(
      store({ replicas: 3, clock: { maxOffset: "2s" }, replication: { writeQuorum: 3 } }),
      context({ configGeneration: 9 }),
    );
    expect(b.spec?.template).toEqual(a.spec?.template);
  });

  it("meets the restricted Pod Security Standard", () => {
    const pod = sts.spec?.template.spec;
    expect(pod?.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container(sts).securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod?.automountServiceAccountToken).toBe(false);
  });

  it("claims storage.size from storage.storageClassName in a `data` claim template", () => {
    const withClass = buildStatefulSet(
      store({ storage: { size: "5Gi", storageClassName: "fast" } }),
      context(),
    );
    const [claim] = withClass.spec?.volumeClaimTemplates ?? [];
    expect(claim?.metadata?.name).toBe("data");
    expect(claim?.spec?.resources?.requests).toEqual({ storage: "5Gi" });
    expect(claim?.spec?.storageClassName).toBe("fast");
    expect(claim?.spec?.accessModes).toEqual(["ReadWriteOnce"]);
    const [defaultClass] = buildStatefulSet(store(), context()).spec?.volumeClaimTemplates ?? [];
    // Omitted, not empty: "" would mean "no class" and disable dynamic provisioning.
    expect(defaultClass?.spec && "storageClassName" in defaultClass.spec).toBe(false);
  });

  it.each([
    [true, "Retain"],
    [false, "Delete"],
  ])("maps storage.retainOnDelete=%s to %s when deleted and when scaled", (retainOnDelete, policy) => {
    const s = store({ storage: { retainOnDelete } });
    expect(claimRetention(s)).toEqual({ whenDeleted: policy, whenScaled: policy });
    expect(buildStatefulSet(s, context()).spec?.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: policy,
      whenScaled: policy,
    });
  });

  it("takes the token from the auth Secret only when auth is set", () => {
    expect(env(container(sts)).REPLISTORE_TOKEN).toBeUndefined();
    const withAuth = buildStatefulSet(store({ auth: { secretName: "orders-token" } }), context());
    expect(env(container(withAuth)).REPLISTORE_TOKEN).toEqual({
      secretKeyRef: { name: "orders-token", key: "token" },
    });
  });

  it("uses spec.image, resources and scheduling when given", () => {
    const affinity = {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
    };
    const tolerations = [{ key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule" }];
    const spread = [
      { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule" },
    ];
    const resources = { requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "1Gi" } };
    const custom = buildStatefulSet(
      store({
        image: "registry.example/replistore:1.2.3",
        resources,
        scheduling: {
          affinity,
          tolerations,
          nodeSelector: { disk: "ssd" },
          topologySpreadConstraints: spread,
        },
      }),
      context(),
    );
    const pod = custom.spec?.template.spec;
    expect(container(custom).image).toBe("registry.example/replistore:1.2.3");
    expect(container(custom).resources).toEqual(resources);
    expect(pod?.affinity).toEqual(affinity);
    expect(pod?.tolerations).toEqual(tolerations);
    expect(pod?.nodeSelector).toEqual({ disk: "ssd" });
    expect(pod?.topologySpreadConstraints).toEqual(spread);
  });

  it("spreads replicas over Kubernetes nodes by default, as a preference", () => {
    const pod = sts.spec?.template.spec;
    const [term] = pod?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    expect(term?.podAffinityTerm.topologyKey).toBe("kubernetes.io/hostname");
    expect(term?.podAffinityTerm.labelSelector?.matchLabels).toEqual(sts.spec?.selector.matchLabels);
    expect(pod?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(pod?.tolerations).toBeUndefined();
  });

  it("records the mode it was built for", () => {
    expect(sts.metadata?.annotations?.["replistore.io/mode"]).toBe("Leaderless");
  });
});

describe("StatefulSet of a multi-leader store", () => {
  it("labels its pods so the operator watches their readiness (and only theirs)", () => {
    const ml = buildStatefulSet(
      store({ replicas: 3, mode: "MultiLeader", multiLeader: { leaders: 2, topology: "Star" } }),
      context(),
    );
    expect(ml.spec?.template.metadata?.labels?.["replistore.io/multi-leader"]).toBe("true");
    // The selector is immutable and must not depend on the mode.
    expect(ml.spec?.selector.matchLabels?.["replistore.io/multi-leader"]).toBeUndefined();
    const leaderless = buildStatefulSet(store({ replicas: 3 }), context());
    expect(leaderless.spec?.template.metadata?.labels?.["replistore.io/multi-leader"]).toBeUndefined();
  });
});
