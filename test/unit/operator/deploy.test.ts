import { readFileSync } from "node:fs";
import { loadAllYaml, type V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { OPERATOR_NODE_OPTIONS } from "../../../src/operator/runtime-flags.ts";

const manifests = loadAllYaml(
  readFileSync(new URL("../../../deploy/02-operator.yaml", import.meta.url), "utf8"),
) as { kind?: string }[];
const deployment = manifests.find((m) => m.kind === "Deployment") as V1Deployment;
const container = deployment.spec?.template.spec?.containers[0];

describe("deploy/02-operator.yaml", () => {
  it("runs the operator with the V8 flags the benchmark measured", () => {
    expect(container?.env?.find((e) => e.name === "NODE_OPTIONS")?.value).toBe(OPERATOR_NODE_OPTIONS);
  });

  it("labels its pods as the stores' NetworkPolicies expect, and probes the health server", () => {
    expect(deployment.spec?.template.metadata?.labels?.["app.kubernetes.io/name"]).toBe(
      "replistore-operator",
    );
    expect(container?.args).toContain("--metrics-listen=0.0.0.0:8080");
    expect(container?.readinessProbe?.httpGet?.path).toBe("/readyz");
    expect(container?.livenessProbe?.httpGet?.path).toBe("/healthz");
  });
});
