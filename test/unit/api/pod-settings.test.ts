/** The typed pod settings of the manifest: what validateManifest (and so `replistore up`) accepts and refuses. */
import { describe, expect, it } from "vitest";
import { openApiSchema } from "../../../src/api/crd.ts";
import { RESOURCE_QUANTITY_PATTERN } from "../../../src/api/pod-types.ts";
import { validateManifest } from "../../../src/api/validate.ts";
import { EVERY_POD_SETTING, manifest } from "./manifests.ts";

function errorsOf(spec: Record<string, unknown>): string[] {
  const result = validateManifest(manifest(spec));
  if (result.ok) throw new Error("expected errors");
  return result.errors;
}

describe("pod settings in the manifest", () => {
  it("accepts every pod setting and keeps it as given", () => {
    const result = validateManifest(manifest(structuredClone(EVERY_POD_SETTING) as Record<string, unknown>));
    if (!result.ok) throw new Error(result.errors.join("; "));
    const { spec } = result.manifest;
    expect(spec.scheduling).toEqual(EVERY_POD_SETTING.scheduling);
    expect(spec.resources).toEqual(EVERY_POD_SETTING.resources);
    expect(spec.inheritedMetadata).toEqual(EVERY_POD_SETTING.inheritedMetadata);
    expect(spec.imagePullSecrets).toEqual([{ name: "regcred" }]);
    expect(spec.serviceAccountName).toBe("orders-sa");
    expect(spec.storage.storageClassName).toBe("fast-ssd");
  });

  it("defaults none of them (the builders decide what an unset field means)", () => {
    const result = validateManifest(manifest({}));
    if (!result.ok) throw new Error(result.errors.join("; "));
    const { spec } = result.manifest;
    for (const field of [
      "imagePullSecrets",
      "serviceAccountName",
      "inheritedMetadata",
      "resources",
      "scheduling",
    ]) {
      expect(spec, field).not.toHaveProperty(field);
    }
  });

  it("refuses a toleration operator or effect Kubernetes does not know, with the field and the choices", () => {
    expect(
      errorsOf({ scheduling: { tolerations: [{ key: "a", operator: "Equals", effect: "NoSchedul" }] } }),
    ).toEqual([
      'spec.scheduling.tolerations[0].operator: must be one of Exists, Equal (got "Equals"); did you mean Equal?',
      'spec.scheduling.tolerations[0].effect: must be one of NoSchedule, PreferNoSchedule, NoExecute (got "NoSchedul"); did you mean NoSchedule?',
    ]);
  });

  it("refuses a resource quantity that is not one, and a number where a quantity string goes", () => {
    expect(
      errorsOf({ resources: { requests: { cpu: "half", memory: "1 Gi" }, limits: { cpu: 2 } } }),
    ).toEqual([
      'spec.resources.requests.cpu: must be a Kubernetes quantity such as "500m", "2", "512Mi" or "1Gi" (got "half")',
      'spec.resources.requests.memory: must be a Kubernetes quantity such as "500m", "2", "512Mi" or "1Gi" (got "1 Gi")',
      "spec.resources.limits.cpu: must be a string (got 2)",
    ]);
  });

  it("refuses misspelt and unknown fields inside affinity and spread, naming the known ones", () => {
    expect(
      errorsOf({
        scheduling: {
          affinity: { podAntiAffinity: { preferredDuringScheduling: [] } },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelecter: {},
            },
          ],
        },
      }),
    ).toEqual([
      "spec.scheduling.affinity.podAntiAffinity.preferredDuringScheduling: unknown field; known fields: requiredDuringSchedulingIgnoredDuringExecution, preferredDuringSchedulingIgnoredDuringExecution",
      "spec.scheduling.topologySpreadConstraints[0].labelSelecter: unknown field; did you mean labelSelector?",
    ]);
  });

  it("requires what Kubernetes requires: a spread's maxSkew, topologyKey and whenUnsatisfiable, an affinity term's topologyKey", () => {
    expect(
      errorsOf({
        scheduling: {
          topologySpreadConstraints: [{ topologyKey: "kubernetes.io/hostname" }],
          affinity: {
            podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {} }] },
          },
        },
      }).sort(),
    ).toEqual(
      [
        "spec.scheduling.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: required",
        "spec.scheduling.topologySpreadConstraints[0].maxSkew: required",
        "spec.scheduling.topologySpreadConstraints[0].whenUnsatisfiable: required",
      ].sort(),
    );
  });

  it("refuses bad names and label values, saying what a good one looks like", () => {
    const errors = errorsOf({
      imagePullSecrets: [{ name: "Reg_Cred" }],
      serviceAccountName: "",
      scheduling: { priorityClassName: "High Priority", nodeSelector: { pool: "db pool" } },
      inheritedMetadata: { labels: { team: "-payments" } },
      storage: { storageClassName: "Fast" },
    });
    expect(errors).toHaveLength(6);
    expect(errors).toContain(
      'spec.imagePullSecrets[0].name: must be a lowercase DNS name, such as a Kubernetes Secret name (got "Reg_Cred")',
    );
    expect(errors.find((e) => e.startsWith("spec.serviceAccountName: "))).toBeDefined();
    expect(errors.find((e) => e.startsWith("spec.scheduling.priorityClassName: "))).toBeDefined();
    expect(errors.find((e) => e.startsWith("spec.storage.storageClassName: "))).toBeDefined();
    expect(errors).toContain(
      "spec.scheduling.nodeSelector.pool: must be a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got \"db pool\")",
    );
    expect(errors.find((e) => e.startsWith("spec.inheritedMetadata.labels.team: "))).toBeDefined();
  });

  it.each([
    ["500m", true],
    ["2", true],
    ["0.5", true],
    ["1.5Gi", true],
    ["512Mi", true],
    ["100M", true],
    ["1e9", true],
    ["10k", true],
    ["-1", false],
    ["1Gb", false],
    ["1 Gi", false],
    ["", false],
    ["Mi", false],
  ])("takes %j as a resource quantity: %s", (text, ok) => {
    expect(new RegExp(RESOURCE_QUANTITY_PATTERN).test(text)).toBe(ok);
  });

  it("types the pod settings in the CRD down to their leaves (no preserved unknown fields)", () => {
    const spec = JSON.stringify((openApiSchema().properties as Record<string, unknown>).spec);
    expect(spec).not.toContain("x-kubernetes-preserve-unknown-fields");
  });
});
