/** Manifest builders shared by the api tests. */
export const API = { apiVersion: "replistore.io/v1alpha1", kind: "ReplicatedStore" } as const;

export function manifest(spec: Record<string, unknown> = {}, name = "orders"): Record<string, unknown> {
  return { ...API, metadata: { name }, spec };
}

/**
 * A spec using every pod setting, each field of the typed Kubernetes shapes at least once (the
 * api tests validate it; the integration tests give it to a real apiserver, as a store and as pods).
 */
export const EVERY_POD_SETTING = {
  imagePullSecrets: [{ name: "regcred" }],
  serviceAccountName: "orders-sa",
  inheritedMetadata: {
    labels: { team: "payments", "app.kubernetes.io/part-of": "checkout" },
    annotations: { "example.com/owner": "payments@example.com" },
  },
  resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "1Gi" } },
  storage: { storageClassName: "fast-ssd" },
  scheduling: {
    priorityClassName: "store-critical",
    nodeSelector: { "kubernetes.io/os": "linux" },
    tolerations: [
      { key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule" },
      {
        key: "node.kubernetes.io/unreachable",
        operator: "Exists",
        effect: "NoExecute",
        tolerationSeconds: 60,
      },
    ],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] }],
              matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["bad-node"] }],
            },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 20, preference: { matchExpressions: [{ key: "disk", operator: "Exists" }] } },
        ],
      },
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 10,
            podAffinityTerm: {
              labelSelector: { matchLabels: { app: "api" } },
              namespaceSelector: {
                matchExpressions: [{ key: "team", operator: "In", values: ["payments"] }],
              },
              namespaces: ["shop"],
              topologyKey: "topology.kubernetes.io/zone",
              matchLabelKeys: ["pod-template-hash"],
              mismatchLabelKeys: ["tenant"],
            },
          },
        ],
      },
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            labelSelector: { matchLabels: { "app.kubernetes.io/instance": "orders" } },
            topologyKey: "kubernetes.io/hostname",
          },
        ],
      },
    },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { "app.kubernetes.io/instance": "orders" } },
        minDomains: 2,
        nodeAffinityPolicy: "Honor",
        nodeTaintsPolicy: "Ignore",
        matchLabelKeys: ["controller-revision-hash"],
      },
    ],
  },
} as const;
