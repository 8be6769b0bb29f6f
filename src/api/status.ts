/**
 * The status subresource of a ReplicatedStore, written only by the operator. Typed (not free-form)
 * so that `kubectl explain replicatedstore.status` documents it, the printer columns point at real
 * fields, and the apiserver prunes anything the operator did not mean to write.
 */
import Type, { type Static } from "typebox";
import { StringEnum } from "./schema-types.ts";
import { TlsStatus } from "./tls-types.ts";

const strict = { additionalProperties: false } as const;

/** RFC 3339, as Kubernetes writes times; `format` lets clients parse them as dates. */
function Timestamp(description: string) {
  return Type.String({ format: "date-time", description });
}

/** The shape of metav1.Condition, so generic tooling (kubectl wait, Argo CD) understands it. */
export const Condition = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 316,
      description: "Ready, Progressing, Degraded, QuorumAvailable, ConflictsPending or AntiEntropyHealthy.",
    }),
    status: StringEnum(["True", "False", "Unknown"], { description: "True, False or Unknown." }),
    observedGeneration: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: "metadata.generation the condition was computed from.",
      }),
    ),
    lastTransitionTime: Timestamp("When status last changed."),
    reason: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: "One CamelCase word for programs, e.g. QuorumLost.",
    }),
    message: Type.String({ maxLength: 32768, description: "What happened and what to do, for people." }),
  },
  { ...strict, description: "One aspect of the store's state." },
);
export type Condition = Static<typeof Condition>;

export const AntiEntropyRun = Type.Object(
  {
    jobName: Type.Optional(Type.String({ description: "The Job that ran the repair." })),
    startTime: Type.Optional(Timestamp("When the repair started.")),
    completionTime: Type.Optional(Timestamp("When the repair finished.")),
    result: Type.Optional(
      StringEnum(["Succeeded", "Failed"], { description: "Whether the repair completed." }),
    ),
    keysRepaired: Type.Optional(
      Type.Integer({ minimum: 0, description: "Keys copied to a replica that lacked their newest version." }),
    ),
    message: Type.Optional(
      Type.String({ description: "The repair's own summary (its termination message), or why it failed." }),
    ),
  },
  { ...strict, description: "The last scheduled anti-entropy repair, read from its Job." },
);
export type AntiEntropyRun = Static<typeof AntiEntropyRun>;

export const LastBackup = Type.Object(
  {
    name: Type.String({ description: "The ReplicatedStoreBackup (and backup id)." }),
    completedAt: Timestamp("When it completed."),
    destination: Type.Optional(Type.String({ description: "Where it is." })),
    keys: Type.Optional(Type.Integer({ minimum: 0, description: "Keys it holds." })),
    bytes: Type.Optional(Type.Integer({ minimum: 0, description: "Its size." })),
  },
  { ...strict, description: "The store's last successful backup." },
);
export type LastBackup = Static<typeof LastBackup>;

export const BootstrapStatus = Type.Object(
  {
    backupId: Type.String({ description: "The backup the store was created from, chosen once." }),
    destination: Type.String({ description: "Where that backup is." }),
    completedAt: Type.Optional(
      Timestamp(
        "When every node had loaded it (the store was first ready); from then on nodes added later do not restore it.",
      ),
    ),
  },
  { ...strict, description: "spec.bootstrap as the operator resolved it when the store was created." },
);
export type BootstrapStatus = Static<typeof BootstrapStatus>;

export const ReplicatedStoreStatus = Type.Object(
  {
    observedGeneration: Type.Optional(
      Type.Integer({ minimum: 0, description: "metadata.generation the operator last acted on." }),
    ),
    phase: Type.Optional(
      Type.String({
        description: "Summary for people: Pending, Progressing, Ready or Degraded. Programs read conditions.",
      }),
    ),
    replicas: Type.Optional(Type.Integer({ minimum: 0, description: "Replica pods that exist." })),
    readyReplicas: Type.Optional(Type.Integer({ minimum: 0, description: "Replica pods that are ready." })),
    selector: Type.Optional(
      Type.String({
        description:
          "Label selector of the node pods, for the scale subresource (kubectl scale, autoscalers).",
      }),
    ),
    quorum: Type.Optional(
      Type.String({
        description:
          "The quorum in force, e.g. N=3 W=2 R=2 (with (Eventual) when W + R <= N is allowed); for MultiLeader, the leaders and topology, e.g. leaders=2 Star hub=0.",
      }),
    ),
    leaders: Type.Optional(
      Type.Array(Type.Integer({ minimum: 0, description: "A pod ordinal." }), {
        description: "MultiLeader: ordinals of the pods accepting writes, in ring order for Circle.",
      }),
    ),
    topology: Type.Optional(
      Type.String({ description: "MultiLeader: the topology in force (Circle, Star or AllToAll)." }),
    ),
    hub: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: "Star: the ordinal of the current hub, which differs from spec after a failover.",
      }),
    ),
    conflictsPending: Type.Optional(
      Type.Integer({ minimum: 0, description: "Conflict records waiting for a person to resolve them." }),
    ),
    lastAntiEntropy: Type.Optional(AntiEntropyRun),
    lastBackup: Type.Optional(LastBackup),
    bootstrap: Type.Optional(BootstrapStatus),
    tls: Type.Optional(TlsStatus),
    conditions: Type.Optional(
      Type.Array(Condition, {
        description: "Ready, Progressing, Degraded, QuorumAvailable, ConflictsPending, AntiEntropyHealthy.",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
      }),
    ),
  },
  { ...strict, description: "Observed state, written by the operator." },
);
export type ReplicatedStoreStatus = Static<typeof ReplicatedStoreStatus>;
