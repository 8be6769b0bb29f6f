/**
 * Stand-ins for the Prometheus Operator's ServiceMonitor and PrometheusRule CRDs: same group, version,
 * kinds and names, with a schema that keeps any spec. Enough to test that the operator creates and
 * deletes them; the real CRDs' validation is not what is under test.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dump } from "js-yaml";

function crd(kind: string, plural: string): Record<string, unknown> {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.monitoring.coreos.com` },
    spec: {
      group: "monitoring.coreos.com",
      scope: "Namespaced",
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
            },
          },
        },
      ],
    },
  };
}

/** Writes the two CRDs as YAML files in `dir`; returns their paths (for startControlPlane's crdFiles). */
export async function writeMonitoringCrds(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const [kind, plural] of [
    ["ServiceMonitor", "servicemonitors"],
    ["PrometheusRule", "prometheusrules"],
  ] as const) {
    const path = join(dir, `${plural}.yaml`);
    await writeFile(path, dump(crd(kind, plural)));
    files.push(path);
  }
  return files;
}
