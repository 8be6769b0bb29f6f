/**
 * The cluster config file: what every node of one store reads (the operator writes it into a
 * ConfigMap, `replistore up` writes it to disk). It is derived from a ReplicatedStore manifest by
 * `fromManifest`; it is never written by hand, so durations are plain milliseconds and sizes bytes.
 */
import Type, { type Static } from "typebox";

export const Mode = Type.Enum(["Leaderless", "MultiLeader"]);
export type Mode = Static<typeof Mode>;

export const Member = Type.Object(
  {
    id: Type.String({ minLength: 1, description: "stable node id, e.g. orders-0" }),
    url: Type.String({
      minLength: 1,
      description: "base URL of the client API, e.g. https://orders-0.orders-peers.shop.svc:7070",
    }),
    peerUrl: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "base URL of the peer routes (/internal/...) when the node serves them on a port of their own; default: url",
      }),
    ),
  },
  { additionalProperties: false },
);
export type Member = Static<typeof Member>;

/** Where backups are: credentials come from the environment (AWS_ACCESS_KEY_ID, ...), never this file. */
export const BackupDestination = Type.Object(
  {
    path: Type.String({ minLength: 1, description: "s3://bucket/path or file:///dir" }),
    endpoint: Type.Optional(
      Type.String({ minLength: 1, description: "an S3-compatible server; default AWS" }),
    ),
    region: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type BackupDestination = Static<typeof BackupDestination>;

const Ms = (description: string) => Type.Integer({ minimum: 0, description });
const Count = (description: string) => Type.Integer({ minimum: 1, description });

export const ClusterConfig = Type.Object(
  {
    version: Type.Literal(1),
    store: Type.Object(
      { name: Type.String({ minLength: 1 }), namespace: Type.String() },
      { additionalProperties: false },
    ),
    generation: Type.Integer({ minimum: 0, description: "bumped on every change; reported in /v1/status" }),
    mode: Mode,
    members: Type.Array(Member, { minItems: 1, description: "in ordinal order" }),
    replication: Type.Object(
      {
        factor: Count("N: owners per key"),
        writeQuorum: Count("W: durable acks before a write succeeds"),
        readQuorum: Count("R: owner answers before a read succeeds"),
        consistency: Type.Enum(["Strong", "Eventual"]),
      },
      { additionalProperties: false },
    ),
    multiLeader: Type.Optional(
      Type.Object(
        {
          leaders: Count("pods 0..leaders-1 accept writes"),
          topology: Type.Enum(["Circle", "Star", "AllToAll"]),
          hub: Type.Integer({ minimum: 0 }),
          ring: Type.Optional(
            Type.Array(Type.String({ minLength: 1 }), {
              description:
                "Circle: the leaders in ring order, as the operator last wrote it (a failed leader left out); default: every leader by ordinal",
            }),
          ),
          failoverAfterMs: Type.Optional(
            Ms("a leader down this long is routed around (Circle) or replaced as hub (Star)"),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    conflicts: Type.Object(
      { policy: Type.Enum(["Review", "Automatic"]), retentionMs: Ms("how long resolved records are kept") },
      { additionalProperties: false },
    ),
    clock: Type.Object(
      { maxOffsetMs: Ms("peer clocks further ahead than this are refused") },
      { additionalProperties: false },
    ),
    tombstones: Type.Object(
      { gracePeriodMs: Ms("tombstones older than this are purged") },
      { additionalProperties: false },
    ),
    hintedHandoff: Type.Object(
      {
        enabled: Type.Boolean(),
        windowMs: Ms("no hints for a peer down longer than this; older hints expire"),
        maxBytes: Type.Integer({ minimum: 0, description: "hints beyond this total size are dropped" }),
      },
      { additionalProperties: false },
    ),
    limits: Type.Object(
      {
        maxValueBytes: Count("values larger than this get 413"),
        requestTimeoutMs: Count("how long a coordinator waits for owners before 503"),
      },
      { additionalProperties: false },
    ),
    ring: Type.Object({ vnodes: Count("virtual nodes per member") }, { additionalProperties: false }),
    bootstrap: Type.Optional(
      Type.Object(
        {
          backupId: Type.String({
            minLength: 1,
            description: "the complete backup every node restores from",
          }),
          destination: BackupDestination,
        },
        {
          additionalProperties: false,
          description: "a new store's data: each node loads the keys it owns before it serves",
        },
      ),
    ),
    antiEntropy: Type.Optional(
      Type.Object(
        {
          treeSegments: Type.Integer({
            minimum: 2,
            description: "leaf segments per Merkle tree, a power of two",
          }),
          treeFanout: Type.Integer({ minimum: 2, description: "children per inner tree node" }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ClusterConfig = Static<typeof ClusterConfig>;
