/**
 * The Kubernetes pod-spec types a ReplicatedStore passes on to its pods (affinity, tolerations,
 * topology spread, resources, pull secrets), written out as TypeBox so the CRD is structural and
 * `kubectl explain rstore.spec.scheduling.affinity` shows every field. The shapes and enums are those
 * of core/v1 as of Kubernetes 1.34; objects are closed (a misspelt field is an error, as for the rest
 * of the manifest), and the apiserver checks what a schema cannot (e.g. label keys) when the operator
 * applies the StatefulSet.
 */
import Type from "typebox";
import { DNS_SUBDOMAIN_PATTERN, StringEnum, StringMap } from "./schema-types.ts";

const strict = { additionalProperties: false } as const;

/** A label value: at most 63 characters, alphanumerics and `-_.`, starting and ending alphanumeric. */
export const LABEL_VALUE_PATTERN = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

/**
 * A Kubernetes resource quantity as a pod's requests and limits take it: a non-negative number with
 * a binary (Ki..Ei), decimal (n u m k M G T P E) or exponent (e3) suffix: `500m`, `2`, `512Mi`, `1e9`.
 */
export const RESOURCE_QUANTITY_PATTERN =
  "^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)))?$";

/** A name of a Kubernetes object (Secret, ServiceAccount, PriorityClass, StorageClass). */
export function ObjectName(description: string) {
  return Type.String({ pattern: DNS_SUBDOMAIN_PATTERN, maxLength: 253, description });
}

/** Labels: a map whose values must be valid label values (keys are checked by the apiserver). */
export function LabelMap(description: string) {
  return Type.Unsafe<Record<string, string>>({
    type: "object",
    additionalProperties: { type: "string", pattern: LABEL_VALUE_PATTERN, maxLength: 63 },
    description,
  });
}

function QuantityMap(description: string) {
  return Type.Unsafe<Record<string, string>>({
    type: "object",
    additionalProperties: { type: "string", pattern: RESOURCE_QUANTITY_PATTERN, maxLength: 64 },
    description,
  });
}

function Strings(description: string, item: string) {
  return Type.Array(Type.String({ description: item }), { description });
}

export const ResourceRequirements = Type.Object(
  {
    requests: Type.Optional(
      QuantityMap(
        'Resources each node container is guaranteed and scheduled by, e.g. {cpu: "500m", memory: "512Mi"}. Quantities are strings: quote plain numbers ("2").',
      ),
    ),
    limits: Type.Optional(
      QuantityMap(
        'Most of each resource a node container may use, e.g. {memory: "1Gi"}. Quantities are strings: quote plain numbers ("2").',
      ),
    ),
  },
  { ...strict, description: "Container resources (requests, limits) of each node, as in a pod spec." },
);

const LabelSelectorRequirement = Type.Object(
  {
    key: Type.String({ minLength: 1, description: "The label key the requirement applies to." }),
    operator: StringEnum(["In", "NotIn", "Exists", "DoesNotExist"], {
      description: "How the key relates to values: In, NotIn, Exists or DoesNotExist.",
    }),
    values: Type.Optional(
      Strings(
        "Label values; non-empty for In and NotIn, empty for Exists and DoesNotExist.",
        "A label value.",
      ),
    ),
  },
  { ...strict, description: "A label selector requirement: a key, an operator and values." },
);

function LabelSelector(description: string) {
  return Type.Object(
    {
      matchLabels: Type.Optional(
        LabelMap("Labels a pod (or namespace) must carry, each with this value (ANDed)."),
      ),
      matchExpressions: Type.Optional(
        Type.Array(LabelSelectorRequirement, { description: "Label selector requirements (ANDed)." }),
      ),
    },
    { ...strict, description },
  );
}

const NodeSelectorRequirement = Type.Object(
  {
    key: Type.String({ minLength: 1, description: "The node label (or field) key." }),
    operator: StringEnum(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"], {
      description: "How the key relates to values: In, NotIn, Exists, DoesNotExist, Gt or Lt.",
    }),
    values: Type.Optional(
      Strings(
        "Values; non-empty for In and NotIn, one integer for Gt and Lt, empty for Exists and DoesNotExist.",
        "A value.",
      ),
    ),
  },
  { ...strict, description: "A node selector requirement: a key, an operator and values." },
);

const NodeSelectorTerm = Type.Object(
  {
    matchExpressions: Type.Optional(
      Type.Array(NodeSelectorRequirement, { description: "Requirements on node labels (ANDed)." }),
    ),
    matchFields: Type.Optional(
      Type.Array(NodeSelectorRequirement, { description: "Requirements on node fields (ANDed)." }),
    ),
  },
  { ...strict, description: "A node selector term: its requirements are ANDed." },
);

const NodeAffinity = Type.Object(
  {
    requiredDuringSchedulingIgnoredDuringExecution: Type.Optional(
      Type.Object(
        {
          nodeSelectorTerms: Type.Array(NodeSelectorTerm, {
            description: "A node must match at least one of these terms (ORed).",
          }),
        },
        { ...strict, description: "Nodes a pod may only be scheduled on." },
      ),
    ),
    preferredDuringSchedulingIgnoredDuringExecution: Type.Optional(
      Type.Array(
        Type.Object(
          {
            weight: Type.Integer({
              minimum: 1,
              maximum: 100,
              description: "Weight of this preference, 1-100.",
            }),
            preference: NodeSelectorTerm,
          },
          { ...strict, description: "A weighted preference for nodes matching a term." },
        ),
        { description: "Nodes the scheduler prefers, by weight." },
      ),
    ),
  },
  { ...strict, description: "Which nodes the pods may or should run on, by node labels." },
);

const PodAffinityTerm = Type.Object(
  {
    labelSelector: Type.Optional(LabelSelector("The pods this term is about.")),
    namespaceSelector: Type.Optional(
      LabelSelector("Namespaces whose pods count; with neither this nor namespaces, the pod's own."),
    ),
    namespaces: Type.Optional(
      Strings("Namespaces whose pods count, by name (ORed with namespaceSelector).", "A namespace name."),
    ),
    topologyKey: Type.String({
      minLength: 1,
      description:
        "Node label whose value defines the domain, e.g. kubernetes.io/hostname or topology.kubernetes.io/zone.",
    }),
    matchLabelKeys: Type.Optional(
      Strings(
        "Pod label keys whose values (from the incoming pod) are added to labelSelector as In requirements.",
        "A pod label key.",
      ),
    ),
    mismatchLabelKeys: Type.Optional(
      Strings(
        "Pod label keys whose values (from the incoming pod) are added to labelSelector as NotIn requirements.",
        "A pod label key.",
      ),
    ),
  },
  {
    ...strict,
    description: "Pods matching labelSelector in the given namespaces, within one topologyKey domain.",
  },
);

function PodAffinity(description: string) {
  return Type.Object(
    {
      requiredDuringSchedulingIgnoredDuringExecution: Type.Optional(
        Type.Array(PodAffinityTerm, { description: "Terms every placement must satisfy (ANDed)." }),
      ),
      preferredDuringSchedulingIgnoredDuringExecution: Type.Optional(
        Type.Array(
          Type.Object(
            {
              weight: Type.Integer({
                minimum: 1,
                maximum: 100,
                description: "Weight of this preference, 1-100.",
              }),
              podAffinityTerm: PodAffinityTerm,
            },
            { ...strict, description: "A weighted pod affinity term." },
          ),
          { description: "Terms the scheduler prefers, by weight." },
        ),
      ),
    },
    { ...strict, description },
  );
}

export const Affinity = Type.Object(
  {
    nodeAffinity: Type.Optional(NodeAffinity),
    podAffinity: Type.Optional(PodAffinity("Run the pods near pods that match (same node, zone, ...).")),
    podAntiAffinity: Type.Optional(
      PodAffinity("Keep the pods away from pods that match (other nodes, zones, ...)."),
    ),
  },
  {
    ...strict,
    description:
      "Pod affinity and anti-affinity, as in a pod spec. Omitted: a preferred anti-affinity puts replicas on different Kubernetes nodes; {} switches that off.",
  },
);

export const Toleration = Type.Object(
  {
    key: Type.Optional(
      Type.String({
        description: "Taint key this toleration matches; empty with operator Exists: every taint.",
      }),
    ),
    operator: Type.Optional(
      StringEnum(["Exists", "Equal"], {
        description: "Equal (the default) matches the taint's value; Exists matches any value.",
      }),
    ),
    value: Type.Optional(Type.String({ description: "Taint value to match with operator Equal." })),
    effect: Type.Optional(
      StringEnum(["NoSchedule", "PreferNoSchedule", "NoExecute"], {
        description: "Taint effect to match; omitted: every effect.",
      }),
    ),
    tolerationSeconds: Type.Optional(
      Type.Integer({
        description: "With effect NoExecute: how long the pod stays on a tainted node; omitted: forever.",
      }),
    ),
  },
  { ...strict, description: "A toleration, as in a pod spec." },
);

export const TopologySpreadConstraint = Type.Object(
  {
    maxSkew: Type.Integer({
      minimum: 1,
      description: "Most the number of matching pods may differ between any two domains.",
    }),
    topologyKey: Type.String({
      minLength: 1,
      description: "Node label whose value defines a domain, e.g. topology.kubernetes.io/zone.",
    }),
    whenUnsatisfiable: StringEnum(["DoNotSchedule", "ScheduleAnyway"], {
      description:
        "DoNotSchedule keeps a pod Pending rather than break maxSkew; ScheduleAnyway only prefers.",
    }),
    labelSelector: Type.Optional(
      LabelSelector(
        "The pods that count, usually the store's node pods: app.kubernetes.io/instance=<name>, app.kubernetes.io/component=node.",
      ),
    ),
    minDomains: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: "With DoNotSchedule: the fewest domains to count, empty ones included.",
      }),
    ),
    nodeAffinityPolicy: Type.Optional(
      StringEnum(["Honor", "Ignore"], {
        description:
          "Whether the pod's nodeSelector and node affinity limit the domains (Honor, the default).",
      }),
    ),
    nodeTaintsPolicy: Type.Optional(
      StringEnum(["Honor", "Ignore"], {
        description:
          "Whether nodes with taints the pod does not tolerate are left out (Honor) or counted (Ignore, the default).",
      }),
    ),
    matchLabelKeys: Type.Optional(
      Strings(
        "Pod label keys whose values (from the incoming pod) narrow labelSelector.",
        "A pod label key.",
      ),
    ),
  },
  { ...strict, description: "A topology spread constraint, as in a pod spec." },
);

export const LocalObjectReference = Type.Object(
  { name: ObjectName("Name of a Secret of type kubernetes.io/dockerconfigjson in the store's namespace.") },
  { ...strict, description: "A Secret to pull the image with." },
);

export const InheritedMetadata = Type.Object(
  {
    labels: Type.Optional(
      LabelMap(
        "Labels put on every object the operator creates for the store, pods included. The operator's own labels (app.kubernetes.io/name, instance, component, managed-by, replistore.io/*) win.",
      ),
    ),
    annotations: Type.Optional(
      StringMap(
        "Annotations put on every object the operator creates for the store, pods included. The operator's own annotations win.",
      ),
    ),
  },
  {
    ...strict,
    description:
      "Labels and annotations for every object the operator creates for the store (not the data claims: a StatefulSet cannot change its claim template).",
  },
);
