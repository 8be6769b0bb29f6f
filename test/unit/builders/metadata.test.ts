import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { buildConfigMap } from "../../../src/builders/config-map.ts";
import { buildPodDisruptionBudget } from "../../../src/builders/disruption-budget.ts";
import { nodeLabelSelector, nodeSelectorLabels } from "../../../src/builders/labels.ts";
import { boundedName, repairCronJobName } from "../../../src/builders/names.ts";
import { buildNetworkPolicy } from "../../../src/builders/network-policy.ts";
import { buildPrometheusRule } from "../../../src/builders/prometheus-rule.ts";
import { buildRepairCronJob } from "../../../src/builders/repair-cronjob.ts";
import { buildServiceMonitor } from "../../../src/builders/service-monitor.ts";
import { buildClientService, buildPeersService } from "../../../src/builders/services.ts";
import { buildStatefulSet } from "../../../src/builders/statefulset.ts";
import { buildTokenSecret } from "../../../src/builders/token-secret.ts";
import { context, store, UID } from "./fixtures.ts";

const s = store({
  auth: { secretName: "orders-token" },
  monitoring: { serviceMonitor: true, prometheusRule: true },
});
const ctx = context({ token: "t0k3n" });
const every: [string, KubernetesObject | undefined][] = [
  ["StatefulSet", buildStatefulSet(s, ctx)],
  ["peers Service", buildPeersService(s)],
  ["client Service", buildClientService(s)],
  ["ConfigMap", buildConfigMap(s, ctx)],
  ["PodDisruptionBudget", buildPodDisruptionBudget(s)],
  ["CronJob", buildRepairCronJob(s, ctx)],
  ["Secret", buildTokenSecret(s, ctx)],
  ["NetworkPolicy", buildNetworkPolicy(s, ctx)],
  ["ServiceMonitor", buildServiceMonitor(s)],
  ["PrometheusRule", buildPrometheusRule(s)],
];

describe("every object a store owns", () => {
  it.each(every)("%s is in the store's namespace, labelled, and controlled by the store", (_, object) => {
    expect(object).toBeDefined();
    const metadata = object?.metadata;
    expect(metadata?.namespace).toBe("shop");
    expect(metadata?.labels).toMatchObject({
      "app.kubernetes.io/name": "replistore",
      "app.kubernetes.io/instance": "orders",
      "app.kubernetes.io/managed-by": "replistore-operator",
      "replistore.io/store": "orders",
    });
    expect(metadata?.ownerReferences).toEqual([
      {
        apiVersion: "replistore.io/v1alpha1",
        kind: "ReplicatedStore",
        name: "orders",
        uid: UID,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it("has distinct kind/name pairs", () => {
    const keys = every.map(([, o]) => `${o?.kind}/${o?.metadata?.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("selects node pods in a way repair pods cannot match", () => {
    const repairPodLabels =
      buildRepairCronJob(s, ctx).spec?.jobTemplate.spec?.template.metadata?.labels ?? {};
    const selector = nodeSelectorLabels(s);
    const matches = Object.entries(selector).every(([k, v]) => repairPodLabels[k] === v);
    expect(matches).toBe(false);
    const nodePodLabels = buildStatefulSet(s, ctx).spec?.template.metadata?.labels ?? {};
    expect(Object.entries(selector).every(([k, v]) => nodePodLabels[k] === v)).toBe(true);
  });

  it("writes the same selector as a string for the scale subresource", () => {
    const text = nodeLabelSelector(s);
    expect(text).toBe(
      "app.kubernetes.io/name=replistore,app.kubernetes.io/instance=orders,app.kubernetes.io/component=node",
    );
    const parsed = Object.fromEntries(text.split(",").map((pair) => pair.split("=")));
    expect(parsed).toEqual(nodeSelectorLabels(s));
  });
});

describe("names", () => {
  it("keeps short names readable", () => {
    expect(repairCronJobName(s)).toBe("orders-repair");
  });

  it("fits the CronJob name limit (52) for the longest store name, staying unique", () => {
    const long = "a".repeat(52);
    const other = `${"a".repeat(51)}b`;
    const a = repairCronJobName(store({}, long));
    const b = repairCronJobName(store({}, other));
    expect(a.length).toBeLessThanOrEqual(52);
    expect(a).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    expect(a.endsWith("-repair")).toBe(true);
    expect(a).not.toBe(b);
  });

  it("does not leave a double dash when the cut lands on one", () => {
    expect(boundedName("a-bcdefgh", "x", 10)).toMatch(/^a-[0-9a-f]{5}-x$/);
    expect(boundedName("a-bcdefgh", "x", 10)).not.toContain("--");
  });
});
