/**
 * spec.imagePullSecrets, serviceAccountName, inheritedMetadata, scheduling (priority, tolerations,
 * nodeSelector, affinity, spread) and resources, as the node pods and the repair Job's pods get them.
 */
import type { KubernetesObject, V1PodSpec, V1PodTemplateSpec } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { buildConfigMap } from "../../../src/builders/config-map.ts";
import { buildDashboardsConfigMap } from "../../../src/builders/dashboards-config-map.ts";
import { buildPodDisruptionBudget } from "../../../src/builders/disruption-budget.ts";
import { nodeSelectorLabels, storeLabels } from "../../../src/builders/labels.ts";
import { buildNetworkPolicy } from "../../../src/builders/network-policy.ts";
import { buildPrometheusRule } from "../../../src/builders/prometheus-rule.ts";
import { buildRepairCronJob } from "../../../src/builders/repair-cronjob.ts";
import { buildServiceMonitor } from "../../../src/builders/service-monitor.ts";
import { buildClientService, buildPeersService } from "../../../src/builders/services.ts";
import { buildStatefulSet } from "../../../src/builders/statefulset.ts";
import { buildTokenSecret } from "../../../src/builders/token-secret.ts";
import { context, store } from "./fixtures.ts";

function nodePod(spec: Record<string, unknown>, ctx = context()): V1PodTemplateSpec {
  const template = buildStatefulSet(store(spec), ctx).spec?.template;
  if (!template) throw new Error("no pod template");
  return template;
}

function repairPod(spec: Record<string, unknown>, ctx = context()): V1PodTemplateSpec {
  const template = buildRepairCronJob(store(spec), ctx).spec?.jobTemplate.spec?.template;
  if (!template) throw new Error("no pod template");
  return template;
}

const podSpec = (template: V1PodTemplateSpec): V1PodSpec => template.spec ?? { containers: [] };

describe("imagePullSecrets", () => {
  it("puts the spec's pull secrets on the node pods and the repair pods", () => {
    const spec = { imagePullSecrets: [{ name: "regcred" }, { name: "mirror" }] };
    expect(podSpec(nodePod(spec)).imagePullSecrets).toEqual([{ name: "regcred" }, { name: "mirror" }]);
    expect(podSpec(repairPod(spec)).imagePullSecrets).toEqual([{ name: "regcred" }, { name: "mirror" }]);
  });

  it("falls back to the operator's own, and [] asks for none", () => {
    const ctx = context({ imagePullSecrets: ["operator-cred"] });
    expect(podSpec(nodePod({}, ctx)).imagePullSecrets).toEqual([{ name: "operator-cred" }]);
    expect(podSpec(repairPod({}, ctx)).imagePullSecrets).toEqual([{ name: "operator-cred" }]);
    expect(podSpec(nodePod({ imagePullSecrets: [{ name: "own" }] }, ctx)).imagePullSecrets).toEqual([
      { name: "own" },
    ]);
    expect(podSpec(nodePod({ imagePullSecrets: [] }, ctx)).imagePullSecrets).toBeUndefined();
  });

  it("sets none when neither the spec nor the operator has any (as before)", () => {
    expect(podSpec(nodePod({})).imagePullSecrets).toBeUndefined();
    expect(podSpec(repairPod({})).imagePullSecrets).toBeUndefined();
  });
});

describe("serviceAccountName", () => {
  it("runs node and repair pods as the named account, still without its token", () => {
    for (const pod of [
      nodePod({ serviceAccountName: "orders-sa" }),
      repairPod({ serviceAccountName: "orders-sa" }),
    ]) {
      expect(podSpec(pod).serviceAccountName).toBe("orders-sa");
      expect(podSpec(pod).automountServiceAccountToken).toBe(false);
    }
  });

  it("leaves the namespace's default account when unset (as before)", () => {
    expect("serviceAccountName" in podSpec(nodePod({}))).toBe(false);
    expect("serviceAccountName" in podSpec(repairPod({}))).toBe(false);
  });
});

describe("scheduling.priorityClassName", () => {
  it("sets the priority class of node and repair pods, and none when unset", () => {
    const spec = { scheduling: { priorityClassName: "store-critical" } };
    expect(podSpec(nodePod(spec)).priorityClassName).toBe("store-critical");
    expect(podSpec(repairPod(spec)).priorityClassName).toBe("store-critical");
    expect(podSpec(nodePod({})).priorityClassName).toBeUndefined();
  });
});

describe("scheduling defaults and the repair pods", () => {
  it("spreads node pods over nodes and zones by default, as a preference", () => {
    const pod = podSpec(nodePod({}));
    const selector = { matchLabels: nodeSelectorLabels(store()) };
    expect(pod.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: selector,
      },
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: selector,
      },
    ]);
    // The preferred anti-affinity of before stays.
    expect(pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });

  it("keeps the default spread with a custom affinity, and [] / {} switch the defaults off", () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "pool", operator: "In", values: ["db"] }] }],
        },
      },
    };
    const custom = podSpec(nodePod({ scheduling: { affinity } }));
    expect(custom.affinity).toEqual(affinity);
    expect(custom.topologySpreadConstraints).toHaveLength(2);
    const off = podSpec(nodePod({ scheduling: { affinity: {}, topologySpreadConstraints: [] } }));
    expect(off.affinity).toEqual({});
    expect(off.topologySpreadConstraints).toEqual([]);
  });

  it("gives the repair pods the nodeSelector and tolerations, not the affinity or spread", () => {
    const tolerations = [{ key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule" }];
    const pod = podSpec(repairPod({ scheduling: { tolerations, nodeSelector: { pool: "db" } } }));
    expect(pod.tolerations).toEqual(tolerations);
    expect(pod.nodeSelector).toEqual({ pool: "db" });
    expect(pod.affinity).toBeUndefined();
    expect(pod.topologySpreadConstraints).toBeUndefined();
    const plain = podSpec(repairPod({}));
    expect(plain.tolerations).toBeUndefined();
    expect(plain.nodeSelector).toBeUndefined();
  });

  it("passes every typed field of affinity, tolerations and spread through unchanged", () => {
    const scheduling = {
      affinity: {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 50,
              podAffinityTerm: {
                labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["api"] }] },
                namespaceSelector: { matchLabels: { team: "shop" } },
                namespaces: ["shop"],
                topologyKey: "topology.kubernetes.io/zone",
                matchLabelKeys: ["pod-template-hash"],
                mismatchLabelKeys: ["tenant"],
              },
            },
          ],
        },
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 10,
              preference: { matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["n1"] }] },
            },
          ],
        },
      },
      tolerations: [
        {
          key: "node.kubernetes.io/unreachable",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 30,
        },
      ],
      topologySpreadConstraints: [
        {
          maxSkew: 2,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "DoNotSchedule",
          labelSelector: { matchLabels: { "app.kubernetes.io/instance": "orders" } },
          minDomains: 3,
          nodeAffinityPolicy: "Ignore",
          nodeTaintsPolicy: "Honor",
          matchLabelKeys: ["controller-revision-hash"],
        },
      ],
    };
    const pod = podSpec(nodePod({ scheduling }));
    expect(pod.affinity).toEqual(scheduling.affinity);
    expect(pod.tolerations).toEqual(scheduling.tolerations);
    expect(pod.topologySpreadConstraints).toEqual(scheduling.topologySpreadConstraints);
  });

  it("never shares objects with the store it was built from", () => {
    const s = store({ scheduling: { tolerations: [{ key: "a", operator: "Exists" }] } });
    const pod = buildStatefulSet(s, context()).spec?.template.spec;
    pod?.tolerations?.push({ key: "b" });
    expect(s.spec.scheduling?.tolerations).toHaveLength(1);
  });
});

describe("resources", () => {
  it("sets requests and limits on the node container only", () => {
    const resources = {
      requests: { cpu: "250m", memory: "256Mi" },
      limits: { memory: "1Gi", "ephemeral-storage": "2Gi" },
    };
    expect(podSpec(nodePod({ resources })).containers[0]?.resources).toEqual(resources);
    expect(podSpec(nodePod({ resources: { limits: { cpu: "2" } } })).containers[0]?.resources).toEqual({
      limits: { cpu: "2" },
    });
    expect(podSpec(nodePod({})).containers[0]?.resources).toBeUndefined();
    expect(podSpec(repairPod({ resources })).containers[0]?.resources).toBeUndefined();
  });
});

describe("inheritedMetadata", () => {
  const inheritedMetadata = {
    labels: {
      team: "payments",
      "app.kubernetes.io/part-of": "checkout",
      // The operator's own keys: ignored, whatever the value.
      "app.kubernetes.io/instance": "hijack",
      "app.kubernetes.io/component": "other",
      "replistore.io/multi-leader": "true",
    },
    annotations: { "example.com/owner": "payments@example.com", "replistore.io/mode": "MultiLeader" },
  };
  const s = store({
    inheritedMetadata,
    auth: { secretName: "orders-token" },
    monitoring: { serviceMonitor: true, prometheusRule: true, dashboard: true },
  });
  const ctx = context({ token: "t0k3n" });
  const sts = buildStatefulSet(s, ctx);
  const cronJob = buildRepairCronJob(s, ctx);
  const every: [string, KubernetesObject | undefined][] = [
    ["StatefulSet", sts],
    ["peers Service", buildPeersService(s)],
    ["client Service", buildClientService(s)],
    ["ConfigMap", buildConfigMap(s, ctx)],
    ["PodDisruptionBudget", buildPodDisruptionBudget(s)],
    ["CronJob", cronJob],
    ["Secret", buildTokenSecret(s, ctx)],
    ["NetworkPolicy", buildNetworkPolicy(s, ctx)],
    ["ServiceMonitor", buildServiceMonitor(s)],
    ["PrometheusRule", buildPrometheusRule(s)],
    ["dashboards ConfigMap", buildDashboardsConfigMap(s)],
    ["node pod template", { apiVersion: "v1", kind: "Pod", metadata: sts.spec?.template.metadata }],
    [
      "repair Job template",
      { apiVersion: "batch/v1", kind: "Job", metadata: cronJob.spec?.jobTemplate.metadata },
    ],
    [
      "repair pod template",
      { apiVersion: "v1", kind: "Pod", metadata: cronJob.spec?.jobTemplate.spec?.template.metadata },
    ],
  ];

  it.each(every)("%s carries the inherited labels and annotations", (_, object) => {
    expect(object?.metadata?.labels).toMatchObject({
      team: "payments",
      "app.kubernetes.io/part-of": "checkout",
    });
    expect(object?.metadata?.annotations).toMatchObject({ "example.com/owner": "payments@example.com" });
  });

  it.each(every)("%s keeps the operator's own labels and annotations", (_, object) => {
    const labels = object?.metadata?.labels ?? {};
    expect(labels["app.kubernetes.io/instance"]).toBe("orders");
    expect(labels["app.kubernetes.io/component"]).not.toBe("other");
    expect(labels["replistore.io/multi-leader"]).toBeUndefined();
    expect(object?.metadata?.annotations?.["replistore.io/mode"]).not.toBe("MultiLeader");
  });

  it("keeps the StatefulSet's mode annotation, the pods' default container and the selector", () => {
    expect(sts.metadata?.annotations?.["replistore.io/mode"]).toBe("Leaderless");
    expect(sts.spec?.template.metadata?.annotations?.["kubectl.kubernetes.io/default-container"]).toBe(
      "node",
    );
    expect(sts.spec?.selector.matchLabels).toEqual(nodeSelectorLabels(s));
    expect(sts.spec?.template.metadata?.labels).toMatchObject(storeLabels(s, "node"));
  });

  it("leaves the data claim template alone: a StatefulSet cannot change it later", () => {
    const [claim] = sts.spec?.volumeClaimTemplates ?? [];
    expect(claim?.metadata?.labels).toEqual(storeLabels(s, "node"));
    expect(claim?.metadata?.annotations).toBeUndefined();
    const plain = buildStatefulSet(store(), ctx).spec?.volumeClaimTemplates;
    expect(sts.spec?.volumeClaimTemplates).toEqual(plain);
  });

  it("adds no annotations where there were none without it", () => {
    expect(buildPeersService(store()).metadata?.annotations).toBeUndefined();
    expect(buildRepairCronJob(store(), ctx).spec?.jobTemplate.spec?.template.metadata).toEqual({
      labels: storeLabels(store(), "repair"),
    });
  });
});
