/**
 * The ReplicatedStore manifest: the single source of truth for `replistore up`, the operator and the
 * CRD's openAPIV3Schema. Keep it structural: `description` on every field, enums through
 * `StringEnum`, no `anyOf`. `additionalProperties: false` is for `validateManifest` (unknown fields
 * are errors); the CRD generator must strip it, since the apiserver forbids it beside `properties`
 * and rejects unknown fields itself under strict field validation.
 */
import Type, { type Static } from "typebox";
import { STORE_ALERT_NAMES } from "../monitoring/alerts.ts";
import { Auth } from "./auth-types.ts";
import { BackupSettings, Bootstrap } from "./backup-types.ts";
import { API_VERSION, KIND } from "./names.ts";
import {
  Affinity,
  InheritedMetadata,
  LabelMap,
  LocalObjectReference,
  ObjectName,
  ResourceRequirements,
  Toleration,
  TopologySpreadConstraint,
} from "./pod-types.ts";
import {
  CRON_PATTERN,
  DNS_LABEL_PATTERN,
  Duration,
  Quantity,
  StringEnum,
  StringMap,
} from "./schema-types.ts";
import { ReplicatedStoreStatus } from "./status.ts";
import { Tls } from "./tls-types.ts";

const strict = { additionalProperties: false } as const;

export const Replication = Type.Object(
  {
    factor: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: "N: how many members own each key. At most spec.replicas; defaults to spec.replicas.",
      }),
    ),
    writeQuorum: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          "W: owners that must store a write durably before it succeeds. Defaults to floor(N/2)+1.",
      }),
    ),
    readQuorum: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          "R: owners a read asks before it answers with the newest version. Defaults to floor(N/2)+1.",
      }),
    ),
    consistency: StringEnum(["Strong", "Eventual"], {
      default: "Strong",
      description:
        "Strong rejects W + R <= N so every read overlaps every write; Eventual allows it (reads may be stale) and raises a warning.",
    }),
  },
  { ...strict, default: {}, description: "Quorum replication (N, W, R)." },
);

export const MultiLeader = Type.Object(
  {
    leaders: Type.Integer({
      minimum: 1,
      description: "How many pods accept writes: pods 0..leaders-1. At most spec.replicas.",
    }),
    topology: StringEnum(["Circle", "Star", "AllToAll"], {
      default: "AllToAll",
      description:
        "How leaders pass writes to each other: Circle (ring that routes around a down leader), Star (a hub relays, failing over to another leader), AllToAll (every leader to every other).",
    }),
    hub: Type.Integer({
      minimum: 0,
      default: 0,
      description: "Star only: the ordinal of the first hub; must be a leader (less than leaders).",
    }),
    failoverAfter: Duration(
      "How long a leader may be unreachable before its neighbours route around it (Circle) or the leaders pick another hub (Star).",
      "10s",
    ),
  },
  { ...strict, description: "Multi-leader settings. Required with mode MultiLeader, forbidden otherwise." },
);

export const Conflicts = Type.Object(
  {
    policy: StringEnum(["Review", "Automatic"], {
      default: "Review",
      description:
        "Review queues every conflict and partial write for on-call; Automatic keeps the newest and only counts them.",
    }),
    retention: Duration("How long resolved conflict records are kept.", "720h"),
  },
  { ...strict, default: {}, description: "The conflict queue." },
);

export const Clock = Type.Object(
  {
    maxOffset: Duration(
      "Peer timestamps further ahead of this node's clock than this are refused and counted.",
      "500ms",
    ),
  },
  { ...strict, default: {}, description: "Hybrid logical clock safety limits." },
);

export const AntiEntropy = Type.Object(
  {
    schedule: Type.String({
      pattern: CRON_PATTERN,
      maxLength: 100,
      default: "*/15 * * * *",
      description: "Cron schedule of the Merkle-tree repair Job.",
    }),
    suspend: Type.Boolean({
      default: false,
      description: "Pause scheduled repair (read repair and hinted handoff continue).",
    }),
  },
  { ...strict, default: {}, description: "Scheduled anti-entropy repair." },
);

export const Tombstones = Type.Object(
  {
    gracePeriod: Duration(
      "Deleted keys are purged after this; keep it longer than the repair schedule so a replica that missed a delete cannot resurrect the key.",
      "24h",
    ),
  },
  { ...strict, default: {}, description: "Delete markers." },
);

export const HintedHandoff = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description:
        "Keep writes for an unreachable owner on the coordinator and deliver them when it returns.",
    }),
    window: Duration("No hints are kept for a peer down longer than this; older hints expire.", "3h"),
    maxSize: Quantity(
      "Total size of hints a node keeps; beyond it new hints are dropped (repair catches up).",
      "256Mi",
    ),
  },
  { ...strict, default: {}, description: "Hinted handoff between repair runs." },
);

export const Limits = Type.Object(
  {
    maxValueSize: Quantity("Largest value accepted; larger writes get 413.", "1Mi"),
    requestTimeout: Duration("How long a coordinator waits for owners before answering 503.", "2s"),
  },
  { ...strict, default: {}, description: "Request limits." },
);

export const Storage = Type.Object(
  {
    size: Quantity("Size of each replica's PersistentVolumeClaim.", "1Gi"),
    storageClassName: Type.Optional(
      ObjectName(
        "StorageClass of the claims; the cluster default when omitted. Fixed once the StatefulSet exists (a change is reported, not applied).",
      ),
    ),
    retainOnDelete: Type.Boolean({
      default: true,
      description: "Keep the claims (and the data) when the ReplicatedStore is deleted.",
    }),
  },
  { ...strict, default: {}, description: "Persistent storage of each replica." },
);

export const Scheduling = Type.Object(
  {
    affinity: Type.Optional(Affinity),
    tolerations: Type.Optional(
      Type.Array(Toleration, { description: "Taints the pods (nodes and repair Jobs) tolerate." }),
    ),
    nodeSelector: Type.Optional(
      LabelMap("Node labels the pods (nodes and repair Jobs) must run on, e.g. {disktype: ssd}."),
    ),
    topologySpreadConstraints: Type.Optional(
      Type.Array(TopologySpreadConstraint, {
        description:
          "How replicas spread across zones and nodes. Omitted: spread as evenly as possible (maxSkew 1, ScheduleAnyway) over kubernetes.io/hostname and topology.kubernetes.io/zone; [] switches that off.",
      }),
    ),
    priorityClassName: Type.Optional(
      ObjectName(
        "PriorityClass of the pods (nodes and repair Jobs); omitted: the cluster's default priority.",
      ),
    ),
  },
  {
    ...strict,
    description:
      "Where the store's pods run and at what priority: affinity and spread for the node pods, nodeSelector, tolerations and priority for the repair Job's pods too.",
  },
);

export const ScrapeFrom = Type.Object(
  {
    namespaceLabels: Type.Optional(
      StringMap(
        "Namespaces whose pods may scrape /metrics (by their labels); empty or absent: every namespace.",
      ),
    ),
    podLabels: Type.Optional(
      StringMap("Pods that may scrape /metrics (by their labels); absent: every pod."),
    ),
  },
  {
    ...strict,
    description:
      "Who the NetworkPolicy admits to scrape the nodes (it also reaches the API, which spec.auth guards). Defaults to the operator's (Helm value storeMonitoring.scrapeFrom), else namespaces labelled replistore.io/monitoring=true.",
  },
);
export type ScrapeFrom = Static<typeof ScrapeFrom>;

export const Monitoring = Type.Object(
  {
    serviceMonitor: Type.Boolean({
      default: false,
      description: "Create a Prometheus Operator ServiceMonitor.",
    }),
    prometheusRule: Type.Boolean({ default: false, description: "Create the alerting PrometheusRule." }),
    dashboard: Type.Boolean({
      default: false,
      description: "Create a ConfigMap with the Grafana dashboard.",
    }),
    labels: Type.Optional(
      StringMap(
        "Labels for the ServiceMonitor, PrometheusRule and dashboard ConfigMap, over the operator's defaults (Helm value storeMonitoring.labels), e.g. release: kube-prometheus-stack so that stack's Prometheus selects them.",
      ),
    ),
    annotations: Type.Optional(
      StringMap(
        "Annotations for the same objects, over the operator's defaults, e.g. grafana_folder: Databases for the Grafana sidecar's folder.",
      ),
    ),
    runbookBaseUrl: Type.Optional(
      Type.String({
        pattern: "^https?://\\S+$",
        maxLength: 500,
        description:
          "Each alert's runbook_url is this plus <AlertName>.md; defaults to the operator's (Helm value storeMonitoring.runbookBaseUrl), else the project's docs/runbooks/.",
      }),
    ),
    disabledAlerts: Type.Optional(
      Type.Array(StringEnum([...STORE_ALERT_NAMES], { description: "An alert's name." }), {
        maxItems: STORE_ALERT_NAMES.length,
        description: "Alerts left out of the store's PrometheusRule.",
      }),
    ),
    scrapeFrom: Type.Optional(ScrapeFrom),
  },
  {
    ...strict,
    default: {},
    description: "Monitoring objects (need the Prometheus Operator / Grafana sidecar).",
  },
);

export const ReplicatedStoreSpec = Type.Object(
  {
    replicas: Type.Integer({ minimum: 1, default: 3, description: "How many replica node pods run." }),
    mode: StringEnum(["Leaderless", "MultiLeader"], {
      default: "Leaderless",
      description:
        "Leaderless: any node coordinates any request (quorums). MultiLeader: some pods accept writes.",
    }),
    replication: Replication,
    multiLeader: Type.Optional(MultiLeader),
    conflicts: Conflicts,
    clock: Clock,
    antiEntropy: AntiEntropy,
    tombstones: Tombstones,
    hintedHandoff: HintedHandoff,
    limits: Limits,
    storage: Storage,
    image: Type.Optional(
      Type.String({
        minLength: 1,
        description: "Container image of the nodes; the operator's own image when omitted.",
      }),
    ),
    imagePullSecrets: Type.Optional(
      Type.Array(LocalObjectReference, {
        description:
          "Secrets the pods (nodes and repair Jobs) pull their image with, e.g. [{name: regcred}]; omitted: the operator's own (its chart's imagePullSecrets), if it was given any.",
      }),
    ),
    serviceAccountName: Type.Optional(
      ObjectName(
        "ServiceAccount the pods (nodes and repair Jobs) run as; omitted: the namespace's default. Its token is never mounted: nodes do not call the Kubernetes API.",
      ),
    ),
    inheritedMetadata: Type.Optional(InheritedMetadata),
    resources: Type.Optional(ResourceRequirements),
    scheduling: Type.Optional(Scheduling),
    monitoring: Monitoring,
    auth: Type.Optional(Auth),
    tls: Tls,
    backup: Type.Optional(BackupSettings),
    bootstrap: Type.Optional(Bootstrap),
  },
  {
    ...strict,
    default: {},
    description: "Desired state of the store.",
  },
);
export type ReplicatedStoreSpec = Static<typeof ReplicatedStoreSpec>;

export const ReplicatedStore = Type.Object(
  {
    apiVersion: StringEnum([API_VERSION], { description: `Always ${API_VERSION}.` }),
    kind: StringEnum([KIND], { description: `Always ${KIND}.` }),
    // A CRD may only constrain metadata.name; other metadata (namespace, labels) passes through.
    metadata: Type.Object(
      {
        name: Type.String({
          pattern: DNS_LABEL_PATTERN,
          maxLength: 52,
          description:
            "Store name; nodes are <name>-<ordinal>. At most 52 characters so StatefulSet pod labels stay within 63.",
        }),
      },
      { description: "Standard object metadata." },
    ),
    spec: ReplicatedStoreSpec,
    status: Type.Optional(ReplicatedStoreStatus),
  },
  { ...strict, description: "A replicated key-value store." },
);
export type ReplicatedStore = Static<typeof ReplicatedStore>;
