/**
 * The Grafana dashboards, as code: a store overview, anti-entropy, conflicts and the operator.
 * `npm run gen:monitoring` writes them to deploy/grafana/<uid>.json (a unit test fails while those
 * differ). Store dashboards pick a store with the variables namespace and store, where store is the
 * ServiceMonitor's job label `<name>-peers` (src/builders/service-monitor.ts); the operator's pick its
 * namespace and job. Queries use $__rate_interval, $__range and the variables, nothing else, so the
 * integration test can run every one against a real Prometheus.
 */

export interface Query {
  expr: string;
  legend?: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  /** default timeseries */
  kind?: "timeseries" | "bars" | "stat" | "text";
  unit?: string;
  queries?: Query[];
  /** text panels: markdown */
  content?: string;
  /** grid columns out of 24 (default 12; stats 4) */
  width?: number;
  height?: number;
  min?: number;
  max?: number;
  /** stat colours: [from value, colour], the first from null */
  thresholds?: Array<[number | null, string]>;
  /** shown when a query returns nothing (a counter never incremented) */
  noValue?: string;
  /** stat value mappings: value -> text and colour */
  mappings?: Array<{ value: number; text: string; color: string }>;
  stepped?: boolean;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export interface VariableSpec {
  name: string;
  label: string;
  /** a Grafana Prometheus variable query: label_values(<series selector>, <label>) */
  query: string;
  multi?: boolean;
  /** with multi: an "All" option whose value is this regex */
  allValue?: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: VariableSpec[];
  rows: RowSpec[];
}

/** One of the store's node metrics, filtered to the chosen store (and nodes, with `nodes`). */
const STORE_SEL = 'namespace="$namespace",job="$store"';
const NODE_SEL = `${STORE_SEL},node=~"$node"`;
const OPERATOR_SEL = 'namespace="$namespace",job="$job"';
const RATE = "[$__rate_interval]";

const s = (name: string, extra = "") => `${name}{${STORE_SEL}${extra ? `,${extra}` : ""}}`;
const n = (name: string, extra = "") => `${name}{${NODE_SEL}${extra ? `,${extra}` : ""}}`;
const o = (name: string, extra = "") => `${name}{${OPERATOR_SEL}${extra ? `,${extra}` : ""}}`;

const STORE_VARIABLES: VariableSpec[] = [
  { name: "namespace", label: "Namespace", query: "label_values(replistore_config_generation, namespace)" },
  {
    name: "store",
    label: "Store (job)",
    query: 'label_values(replistore_config_generation{namespace="$namespace"}, job)',
  },
  {
    name: "node",
    label: "Node",
    query: `label_values(replistore_config_generation{${STORE_SEL}}, node)`,
    multi: true,
    allValue: ".*",
  },
];

const OPERATOR_VARIABLES: VariableSpec[] = [
  { name: "namespace", label: "Namespace", query: "label_values(replistore_operator_leader, namespace)" },
  {
    name: "job",
    label: "Operator (job)",
    query: 'label_values(replistore_operator_leader{namespace="$namespace"}, job)',
  },
];

/** The newest repair run any node of the store heard of: its nodes, as a filter. */
const NEWEST_RUN = `(${s("replistore_repair_last_run_timestamp_seconds")} > 0 == on () group_left () max(${s("replistore_repair_last_run_timestamp_seconds")}))`;
const ofNewestRun = (name: string) => `max(${s(name)} and on (node) ${NEWEST_RUN})`;
const SINCE_LAST_REPAIR = `time() - max(${s("replistore_repair_last_run_timestamp_seconds")} > 0)`;

const quantiles = (metric: string, by: string, sel: (m: string) => string, label: string): Query[] =>
  [0.5, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (${by}) (rate(${sel(metric)}${RATE})))`,
    legend: `${label} p${q * 100}`,
  }));

const overview: DashboardSpec = {
  uid: "replistore-overview",
  title: "replistore / Store overview",
  description:
    "One replistore store: traffic, latency, quorum failures, replication, hinted handoff, clocks and storage.",
  variables: STORE_VARIABLES,
  rows: [
    {
      title: "At a glance",
      panels: [
        {
          title: "Nodes answering",
          description: "Node pods answering Prometheus's scrape (up), and how many are scraped.",
          kind: "stat",
          queries: [
            { expr: `sum(${s("up")})`, legend: "up" },
            { expr: `count(${s("up")})`, legend: "scraped" },
          ],
        },
        {
          title: "Requests/s",
          description: "Client requests per second coordinated by the store's nodes.",
          kind: "stat",
          unit: "reqps",
          queries: [{ expr: `sum(rate(${s("replistore_requests_total")}${RATE}))` }],
        },
        {
          title: "Quorum failures/s",
          description: "Requests answered 503 quorum_unavailable: fewer than W or R owners answered.",
          kind: "stat",
          unit: "reqps",
          noValue: "0",
          thresholds: [
            [null, "green"],
            [0.001, "red"],
          ],
          queries: [{ expr: `sum(rate(${s("replistore_quorum_failures_total")}${RATE}))` }],
        },
        {
          title: "Pending conflicts",
          description: "Conflicts and partial writes waiting for a decision: replistore conflicts list.",
          kind: "stat",
          thresholds: [
            [null, "green"],
            [1, "orange"],
          ],
          queries: [{ expr: `max(${s("replistore_conflicts_pending")})` }],
        },
        {
          title: "Hints pending",
          description: "Writes held for owners that did not answer, waiting to be replayed.",
          kind: "stat",
          thresholds: [
            [null, "green"],
            [1, "orange"],
          ],
          queries: [{ expr: `sum(${s("replistore_hints_pending")})` }],
        },
        {
          title: "Since last repair",
          description: "Time since the newest anti-entropy repair run any node heard of.",
          kind: "stat",
          unit: "dtdurations",
          noValue: "never",
          queries: [{ expr: SINCE_LAST_REPAIR }],
        },
      ],
    },
    {
      title: "Requests",
      panels: [
        {
          title: "Requests by operation",
          description: "Client requests per second by operation, all outcomes.",
          unit: "reqps",
          min: 0,
          queries: [
            { expr: `sum by (op) (rate(${n("replistore_requests_total")}${RATE}))`, legend: "{{op}}" },
          ],
        },
        {
          title: "Errors by operation and outcome",
          description:
            "Requests that did not succeed: not_found (reads of missing keys), client_error (4xx), quorum_unavailable (503), error.",
          unit: "reqps",
          min: 0,
          queries: [
            {
              expr: `sum by (op, outcome) (rate(${n("replistore_requests_total", 'outcome!="ok"')}${RATE}))`,
              legend: "{{op}} {{outcome}}",
            },
          ],
        },
        {
          title: "Latency p50 and p99 by operation",
          description: "Request latency as the coordinating node measured it, by operation.",
          unit: "s",
          min: 0,
          queries: quantiles("replistore_request_duration_seconds_bucket", "op, le", n, "{{op}}"),
        },
        {
          title: "Quorum failures and partial writes",
          description:
            "Requests that could not reach W or R owners, and writes among them that reached some owners (recorded in the conflict queue).",
          unit: "ops",
          min: 0,
          queries: [
            {
              expr: `sum by (op) (rate(${n("replistore_quorum_failures_total")}${RATE}))`,
              legend: "{{op}} quorum failures",
            },
            { expr: `sum(rate(${n("replistore_partial_writes_total")}${RATE}))`, legend: "partial writes" },
          ],
        },
        {
          title: "Requests by coordinating node",
          description: "How evenly clients spread over the nodes.",
          unit: "reqps",
          min: 0,
          queries: [
            { expr: `sum by (node) (rate(${n("replistore_requests_total")}${RATE}))`, legend: "{{node}}" },
          ],
        },
        {
          title: "p99 latency by coordinating node",
          description: "A node much slower than the others is overloaded, or waits on a slow peer.",
          unit: "s",
          min: 0,
          queries: [
            {
              expr: `histogram_quantile(0.99, sum by (node, le) (rate(${n("replistore_request_duration_seconds_bucket")}${RATE})))`,
              legend: "{{node}}",
            },
          ],
        },
      ],
    },
    {
      title: "Replication",
      panels: [
        {
          title: "Peers up, as each node sees them",
          description:
            "1 while the peer answers heartbeats, 0 while it is marked down (writes for it become hints).",
          min: 0,
          max: 1,
          stepped: true,
          queries: [
            { expr: `min by (node, peer) (${n("replistore_peer_up")})`, legend: "{{node}} → {{peer}}" },
          ],
        },
        {
          title: "Read repairs",
          description: "Stale owners sent the newest version during reads.",
          unit: "ops",
          min: 0,
          queries: [
            {
              expr: `sum by (node) (rate(${n("replistore_read_repairs_total")}${RATE}))`,
              legend: "{{node}}",
            },
          ],
        },
        {
          title: "Replication lag (updates)",
          description: "MultiLeader: updates each leader sent that the peer has not acknowledged yet.",
          width: 8,
          min: 0,
          queries: [
            {
              expr: `max by (node, peer) (${n("replistore_replication_lag_updates")})`,
              legend: "{{node}} → {{peer}}",
            },
          ],
        },
        {
          title: "Replication lag (seconds)",
          description:
            "MultiLeader: age of the oldest update a peer has not acknowledged (0 when caught up).",
          width: 8,
          unit: "s",
          min: 0,
          queries: [
            {
              expr: `max by (node, peer) (${n("replistore_replication_lag_seconds")})`,
              legend: "{{node}} → {{peer}}",
            },
          ],
        },
        {
          title: "Replication delay p50 and p99",
          description:
            "MultiLeader: time from a write's acceptance on its leader to its application on each node.",
          unit: "s",
          min: 0,
          queries: quantiles("replistore_replication_delay_seconds_bucket", "le", n, "delay"),
        },
        {
          title: "Outbox and causal buffer",
          description:
            "MultiLeader: updates kept until every member has them (grows while a member is down), and updates waiting for a causal predecessor.",
          min: 0,
          queries: [
            {
              expr: `max by (node) (${n("replistore_replication_outbox_entries")})`,
              legend: "{{node}} outbox",
            },
            { expr: `max by (node) (${n("replistore_replication_buffered")})`, legend: "{{node}} buffered" },
          ],
        },
        {
          title: "Updates applied by origin",
          description: "MultiLeader: replicated updates each node applied, by the leader they came from.",
          width: 8,
          unit: "ops",
          min: 0,
          queries: [
            {
              expr: `sum by (node, origin) (rate(${n("replistore_replication_applied_total")}${RATE}))`,
              legend: "{{node}} from {{origin}}",
            },
          ],
        },
      ],
    },
    {
      title: "Hinted handoff",
      panels: [
        {
          title: "Hints pending by node",
          description: "Writes each node holds for owners that did not answer.",
          width: 8,
          min: 0,
          queries: [{ expr: `sum by (node) (${n("replistore_hints_pending")})`, legend: "{{node}}" }],
        },
        {
          title: "Hint bytes and limit",
          description: "Bytes held in hints; past hintedHandoff.maxSize new hints are dropped.",
          width: 8,
          unit: "bytes",
          min: 0,
          queries: [
            { expr: `sum by (node) (${n("replistore_hints_bytes")})`, legend: "{{node}}" },
            { expr: `max(${s("replistore_hints_max_bytes")})`, legend: "limit (hintedHandoff.maxSize)" },
          ],
        },
        {
          title: "Hints replayed and dropped",
          description:
            "Hints delivered to their owner, and hints not kept (disabled, full, window, expired).",
          width: 8,
          unit: "ops",
          min: 0,
          queries: [
            {
              expr: `sum by (node, peer) (rate(${n("replistore_hints_replayed_total")}${RATE}))`,
              legend: "{{node}} → {{peer}} replayed",
            },
            {
              expr: `sum by (node, reason) (rate(${n("replistore_hints_dropped_total")}${RATE}))`,
              legend: "{{node}} dropped ({{reason}})",
            },
          ],
        },
      ],
    },
    {
      title: "Clocks",
      panels: [
        {
          title: "Clock offset by peer",
          description:
            "Peer clock minus the node's, as last observed (includes one-way latency). Timestamps more than clock.maxOffset ahead are refused.",
          unit: "s",
          queries: [
            {
              expr: `max by (node, peer) (${n("replistore_clock_offset_seconds")})`,
              legend: "{{peer}} seen by {{node}}",
            },
            { expr: `max(${s("replistore_clock_max_offset_seconds")})`, legend: "limit (clock.maxOffset)" },
          ],
        },
        {
          title: "Clock refusals",
          description:
            "Peer messages refused for a clock too far ahead: in, the node refused the peer; out, the peer refused the node.",
          unit: "ops",
          min: 0,
          queries: [
            {
              expr: `sum by (node, peer, direction) (rate(${n("replistore_clock_refused_total")}${RATE}))`,
              legend: "{{node}} {{direction}} {{peer}}",
            },
          ],
        },
      ],
    },
    {
      title: "Storage and process",
      panels: [
        {
          title: "Keys per node",
          description: "Keys stored on each node, tombstones included.",
          width: 8,
          min: 0,
          queries: [{ expr: `max by (node) (${n("replistore_keys")})`, legend: "{{node}}" }],
        },
        {
          title: "Storage per node",
          description: "Bytes of LMDB pages in use.",
          width: 8,
          unit: "bytes",
          min: 0,
          queries: [{ expr: `max by (node) (${n("replistore_bytes")})`, legend: "{{node}}" }],
        },
        {
          title: "Config generation and reloads",
          description:
            "The config generation each node runs (all equal once a change has reached every node), and reloads by result.",
          width: 8,
          queries: [
            { expr: `max by (node) (${n("replistore_config_generation")})`, legend: "{{node}} generation" },
            {
              expr: `sum by (node, result) (increase(${n("replistore_config_reloads_total")}${RATE}))`,
              legend: "{{node}} reloads {{result}}",
            },
          ],
        },
        {
          title: "Memory (RSS) per node",
          description: "Resident memory of each node process (LMDB pages included).",
          width: 8,
          unit: "bytes",
          min: 0,
          queries: [
            { expr: `max by (node) (${n("replistore_process_resident_memory_bytes")})`, legend: "{{node}}" },
          ],
        },
        {
          title: "CPU per node",
          description: "CPU seconds per second (cores) used by each node process.",
          width: 8,
          min: 0,
          queries: [
            {
              expr: `sum by (node) (rate(${n("replistore_process_cpu_seconds_total")}${RATE}))`,
              legend: "{{node}}",
            },
          ],
        },
        {
          title: "Peer batch size",
          description: "Ops per peer request received: how well batching works under load.",
          width: 8,
          min: 0,
          queries: quantiles("replistore_peer_batch_ops_bucket", "le", n, "ops per batch"),
        },
      ],
    },
  ],
};

const antiEntropy: DashboardSpec = {
  uid: "replistore-anti-entropy",
  title: "replistore / Anti-entropy",
  description:
    "Merkle-tree repair runs (replistore repair, the CronJob), what they repaired, and what keeps replicas converging between runs.",
  variables: STORE_VARIABLES,
  rows: [
    {
      title: "Newest run",
      panels: [
        {
          title: "Since last repair",
          description: "Time since the newest run any node heard of.",
          kind: "stat",
          unit: "dtdurations",
          noValue: "never",
          queries: [{ expr: SINCE_LAST_REPAIR }],
        },
        {
          title: "Result",
          description:
            "complete: every owner set was compared; incomplete: some were skipped (the Job's log says why).",
          kind: "stat",
          mappings: [
            { value: 1, text: "complete", color: "green" },
            { value: 0, text: "incomplete", color: "red" },
          ],
          noValue: "never",
          queries: [{ expr: `min(${s("replistore_repair_last_success")} and on (node) ${NEWEST_RUN})` }],
        },
        {
          title: "Keys repaired",
          description: "Keys the newest run copied to at least one stale owner.",
          kind: "stat",
          queries: [{ expr: ofNewestRun("replistore_repair_last_keys_repaired") }],
        },
        {
          title: "Bytes sent",
          description: "Bytes the newest run sent to the nodes.",
          kind: "stat",
          unit: "bytes",
          queries: [{ expr: ofNewestRun("replistore_repair_last_bytes") }],
        },
        {
          title: "Duration",
          description: "How long the newest run took.",
          kind: "stat",
          unit: "s",
          queries: [{ expr: ofNewestRun("replistore_repair_last_duration_seconds") }],
        },
        {
          title: "Owner sets",
          description: "Owner sets (one tree each) across the store's nodes.",
          kind: "stat",
          queries: [{ expr: `max(${s("replistore_antientropy_sets")})` }],
        },
      ],
    },
    {
      title: "Runs",
      panels: [
        {
          title: "Runs per hour",
          description:
            "How often the last-run time changed over the past hour, on the node that saw most runs (a node restart counts once too).",
          min: 0,
          queries: [
            {
              expr: `max(changes(${s("replistore_repair_last_run_timestamp_seconds")}[1h]))`,
              legend: "runs in the last hour",
            },
          ],
        },
        {
          title: "Last run result by node",
          description: "1 when the last run the node heard of compared every set, 0 otherwise (or none yet).",
          min: 0,
          max: 1,
          stepped: true,
          queries: [{ expr: `min by (node) (${n("replistore_repair_last_success")})`, legend: "{{node}}" }],
        },
        {
          title: "Keys repaired per run",
          description: "Keys the last run copied, as each node heard of it.",
          width: 8,
          min: 0,
          stepped: true,
          queries: [
            { expr: `max by (node) (${n("replistore_repair_last_keys_repaired")})`, legend: "{{node}}" },
          ],
        },
        {
          title: "Bytes sent per run",
          description: "Bytes the last run sent, as each node heard of it.",
          width: 8,
          unit: "bytes",
          min: 0,
          stepped: true,
          queries: [{ expr: `max by (node) (${n("replistore_repair_last_bytes")})`, legend: "{{node}}" }],
        },
        {
          title: "Run duration",
          description: "How long the last run took, as each node heard of it.",
          width: 8,
          unit: "s",
          min: 0,
          stepped: true,
          queries: [
            { expr: `max by (node) (${n("replistore_repair_last_duration_seconds")})`, legend: "{{node}}" },
          ],
        },
      ],
    },
    {
      title: "Between runs",
      panels: [
        {
          title: "Read repairs",
          description: "Stale owners fixed by reads.",
          width: 8,
          unit: "ops",
          min: 0,
          queries: [
            {
              expr: `sum by (node) (rate(${n("replistore_read_repairs_total")}${RATE}))`,
              legend: "{{node}}",
            },
          ],
        },
        {
          title: "Hints replayed",
          description: "Writes delivered late to owners that missed them.",
          width: 8,
          unit: "ops",
          min: 0,
          queries: [
            {
              expr: `sum by (node) (rate(${n("replistore_hints_replayed_total")}${RATE}))`,
              legend: "{{node}}",
            },
          ],
        },
        {
          title: "Tombstones purged",
          description: "Tombstones past the grace period removed when a run found every owner in agreement.",
          width: 8,
          min: 0,
          queries: [
            {
              expr: `sum by (node) (increase(${n("replistore_tombstones_purged_total")}${RATE}))`,
              legend: "{{node}}",
            },
          ],
        },
      ],
    },
    {
      title: "Trees",
      panels: [
        {
          title: "Tree memory per node",
          description: "Memory held by the anti-entropy trees: fixed per owner set, whatever the key count.",
          width: 8,
          unit: "bytes",
          min: 0,
          queries: [
            { expr: `max by (node) (${n("replistore_antientropy_tree_bytes")})`, legend: "{{node}}" },
          ],
        },
        {
          title: "Owner sets per node",
          description: "Owner sets the node belongs to (one tree each).",
          width: 8,
          min: 0,
          queries: [{ expr: `max by (node) (${n("replistore_antientropy_sets")})`, legend: "{{node}}" }],
        },
        {
          title: "Keys in trees per node",
          description: "Keys covered by the node's trees.",
          width: 8,
          min: 0,
          queries: [{ expr: `max by (node) (${n("replistore_antientropy_tree_keys")})`, legend: "{{node}}" }],
        },
      ],
    },
  ],
};

const REVIEW_HELP = [
  "Conflicts are concurrent writes (MultiLeader) and partial writes (a write that failed its quorum",
  "but reached some owners). Last write wins has already applied the newest version; decide whether it stands:",
  "",
  "```",
  "replistore conflicts list                     # pending, oldest first",
  "replistore conflicts show ID                  # versions side by side",
  'replistore conflicts resolve ID --keep VERSION --by you --note "why"',
  "```",
  "",
  "Runbook: docs/runbooks/ReplistoreConflictsWaiting.md",
].join("\n");

const conflicts: DashboardSpec = {
  uid: "replistore-conflicts",
  title: "replistore / Conflicts",
  description: "The conflict queue: what was detected, what waits for a decision and for how long.",
  variables: STORE_VARIABLES,
  rows: [
    {
      title: "Queue",
      panels: [
        {
          title: "Pending",
          description: "Records waiting for a decision (the queue is replicated: every node holds it).",
          kind: "stat",
          thresholds: [
            [null, "green"],
            [1, "orange"],
          ],
          queries: [{ expr: `max(${s("replistore_conflicts_pending")})` }],
        },
        {
          title: "Oldest pending",
          description: "Age of the oldest pending record; the alert fires past a day.",
          kind: "stat",
          unit: "dtdurations",
          thresholds: [
            [null, "green"],
            [3600, "orange"],
            [86400, "red"],
          ],
          queries: [{ expr: `max(${s("replistore_conflicts_oldest_pending_seconds")})` }],
        },
        {
          title: "Detected in range",
          description: "Conflicts detected during the dashboard's time range, by kind.",
          kind: "stat",
          noValue: "0",
          queries: [
            {
              expr: `sum by (kind) (increase(${s("replistore_conflicts_detected_total")}[$__range]))`,
              legend: "{{kind}}",
            },
          ],
        },
        {
          title: "Resolved in range",
          description: "Conflicts resolved during the dashboard's time range.",
          kind: "stat",
          queries: [{ expr: `sum(increase(${s("replistore_conflicts_resolved_total")}[$__range]))` }],
        },
        {
          title: "How to review",
          description: "Commands to review and resolve the queue.",
          kind: "text",
          width: 8,
          content: REVIEW_HELP,
        },
      ],
    },
    {
      title: "Over time",
      panels: [
        {
          title: "Detected by kind",
          description: "Conflicts detected per interval: partial_write or concurrent.",
          kind: "bars",
          min: 0,
          queries: [
            {
              expr: `sum by (kind) (increase(${n("replistore_conflicts_detected_total")}${RATE}))`,
              legend: "{{kind}}",
            },
          ],
        },
        {
          title: "Pending over time",
          description: "Records waiting for a decision.",
          min: 0,
          queries: [{ expr: `max(${s("replistore_conflicts_pending")})`, legend: "pending" }],
        },
        {
          title: "Oldest pending age",
          description: "Age of the oldest pending record.",
          unit: "s",
          min: 0,
          queries: [
            { expr: `max(${s("replistore_conflicts_oldest_pending_seconds")})`, legend: "oldest pending" },
          ],
        },
        {
          title: "Resolved and partial writes",
          description: "Resolutions made through each node, and partial writes each node coordinated.",
          kind: "bars",
          min: 0,
          queries: [
            {
              expr: `sum by (node) (increase(${n("replistore_conflicts_resolved_total")}${RATE}))`,
              legend: "{{node}} resolved",
            },
            {
              expr: `sum by (node) (increase(${n("replistore_partial_writes_total")}${RATE}))`,
              legend: "{{node}} partial writes",
            },
          ],
        },
      ],
    },
  ],
};

const operator: DashboardSpec = {
  uid: "replistore-operator",
  title: "replistore / Operator",
  description: "The replistore operator: reconciles, errors, its work queue and its apiserver traffic.",
  variables: OPERATOR_VARIABLES,
  rows: [
    {
      title: "At a glance",
      panels: [
        {
          title: "Replicas leading",
          description: "Operator replicas holding the leader Lease: 1 when healthy.",
          kind: "stat",
          thresholds: [
            [null, "red"],
            [1, "green"],
            [2, "red"],
          ],
          queries: [{ expr: `sum(${o("replistore_operator_leader")})` }],
        },
        {
          title: "Stores",
          description: "ReplicatedStores the operator sees.",
          kind: "stat",
          queries: [{ expr: `max(sum by (pod) (${o("replistore_operator_stores")}))` }],
        },
        {
          title: "Queue depth",
          description: "Stores waiting for a worker.",
          kind: "stat",
          queries: [{ expr: `sum(${o("replistore_operator_queue_depth")})` }],
        },
        {
          title: "Reconcile errors/s",
          description: "Failed reconciles per second; they are retried with backoff.",
          kind: "stat",
          unit: "ops",
          noValue: "0",
          thresholds: [
            [null, "green"],
            [0.001, "red"],
          ],
          queries: [
            { expr: `sum(rate(${o("replistore_operator_reconciles_total", 'result="error"')}${RATE}))` },
          ],
        },
      ],
    },
    {
      title: "Reconciles",
      panels: [
        {
          title: "Reconciles by result",
          description: "Store reconciles per second, success or error.",
          unit: "ops",
          min: 0,
          queries: [
            {
              expr: `sum by (result) (rate(${o("replistore_operator_reconciles_total")}${RATE}))`,
              legend: "{{result}}",
            },
          ],
        },
        {
          title: "Reconcile duration p50 and p99",
          description: "How long one store's reconcile takes.",
          unit: "s",
          min: 0,
          queries: quantiles("replistore_operator_reconcile_duration_seconds_bucket", "le", o, "reconcile"),
        },
        {
          title: "Stores by phase",
          description: "ReplicatedStores by status.phase.",
          min: 0,
          queries: [{ expr: `max by (phase) (${o("replistore_operator_stores")})`, legend: "{{phase}}" }],
        },
        {
          title: "API errors by code",
          description:
            "Failed apiserver requests behind failed reconciles, by HTTP status (other: no response).",
          unit: "ops",
          min: 0,
          queries: [
            {
              expr: `sum by (code) (rate(${o("replistore_operator_api_errors_total")}${RATE}))`,
              legend: "{{code}}",
            },
          ],
        },
      ],
    },
    {
      title: "Work queue",
      panels: [
        {
          title: "Queue depth by replica",
          description: "Stores waiting in the work queue, per operator replica.",
          min: 0,
          queries: [{ expr: `max by (pod) (${o("replistore_operator_queue_depth")})`, legend: "{{pod}}" }],
        },
        {
          title: "Queue wait p50 and p99",
          description: "How long a store waits before a worker takes it.",
          unit: "s",
          min: 0,
          queries: quantiles("replistore_operator_queue_wait_seconds_bucket", "le", o, "wait"),
        },
      ],
    },
    {
      title: "Apiserver traffic",
      panels: [
        {
          title: "Writes by kind and verb",
          description: "Writes the operator sends (server-side apply, status, events); none at steady state.",
          unit: "ops",
          min: 0,
          queries: [
            {
              expr: `sum by (verb, kind) (rate(${o("replistore_operator_api_writes_total")}${RATE}))`,
              legend: "{{verb}} {{kind}}",
            },
          ],
        },
        {
          title: "Reads outside the informers",
          description: "Requests for objects the operator does not watch, and discovery.",
          unit: "ops",
          min: 0,
          queries: [
            { expr: `sum(rate(${o("replistore_operator_api_reads_total")}${RATE}))`, legend: "reads" },
          ],
        },
      ],
    },
    {
      title: "Process",
      panels: [
        {
          title: "Leader by replica",
          description: "1 for the replica holding the Lease.",
          width: 8,
          min: 0,
          max: 1,
          stepped: true,
          queries: [{ expr: `max by (pod) (${o("replistore_operator_leader")})`, legend: "{{pod}}" }],
        },
        {
          title: "Memory (RSS)",
          description: "Resident memory per operator replica.",
          width: 8,
          unit: "bytes",
          min: 0,
          queries: [
            {
              expr: `max by (pod) (${o("replistore_operator_process_resident_memory_bytes")})`,
              legend: "{{pod}}",
            },
          ],
        },
        {
          title: "CPU",
          description: "CPU seconds per second (cores) per operator replica.",
          width: 8,
          min: 0,
          queries: [
            {
              expr: `sum by (pod) (rate(${o("replistore_operator_process_cpu_seconds_total")}${RATE}))`,
              legend: "{{pod}}",
            },
          ],
        },
      ],
    },
  ],
};

export const DASHBOARD_SPECS: readonly DashboardSpec[] = [overview, antiEntropy, conflicts, operator];

/** Every panel queries the data source chosen in the dashboard's `datasource` variable. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template
export const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

type Json = Record<string, unknown>;

function variableJson(v: VariableSpec): Json {
  return {
    name: v.name,
    label: v.label,
    type: "query",
    datasource: DATASOURCE,
    definition: v.query,
    query: { query: v.query, refId: "PrometheusVariableQueryEditor-VariableQuery" },
    refresh: 2,
    sort: 1,
    regex: "",
    hide: 0,
    multi: v.multi ?? false,
    includeAll: v.allValue !== undefined,
    ...(v.allValue !== undefined ? { allValue: v.allValue, current: { text: "All", value: "$__all" } } : {}),
    options: [],
  };
}

function panelJson(p: PanelSpec, id: number, gridPos: Json): Json {
  const base: Json = {
    id,
    type: p.kind === "bars" ? "timeseries" : (p.kind ?? "timeseries"),
    title: p.title,
  };
  base.description = p.description;
  base.gridPos = gridPos;
  if (p.kind === "text") {
    return { ...base, options: { mode: "markdown", content: p.content ?? "" } };
  }
  const defaults: Json = {};
  if (p.unit) defaults.unit = p.unit;
  if (p.min !== undefined) defaults.min = p.min;
  if (p.max !== undefined) defaults.max = p.max;
  if (p.noValue !== undefined) defaults.noValue = p.noValue;
  if (p.kind === "stat") {
    defaults.color = { mode: "thresholds" };
    defaults.thresholds = {
      mode: "absolute",
      steps: (p.thresholds ?? [[null, "green"]]).map(([value, color]) => ({ color, value })),
    };
  } else {
    defaults.color = { mode: "palette-classic" };
    defaults.custom = {
      drawStyle: p.kind === "bars" ? "bars" : "line",
      lineInterpolation: p.stepped ? "stepAfter" : "linear",
      lineWidth: 1,
      fillOpacity: p.kind === "bars" ? 80 : 10,
      showPoints: "never",
      spanNulls: false,
      stacking: { mode: p.kind === "bars" ? "normal" : "none", group: "A" },
    };
  }
  if (p.mappings) {
    defaults.mappings = [
      {
        type: "value",
        options: Object.fromEntries(
          p.mappings.map((m, index) => [String(m.value), { text: m.text, color: m.color, index }]),
        ),
      },
    ];
  }
  const options: Json =
    p.kind === "stat"
      ? {
          reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
          colorMode: "value",
          graphMode: "area",
          justifyMode: "auto",
          orientation: "auto",
          textMode: "auto",
        }
      : {
          legend: { displayMode: "list", placement: "bottom", showLegend: true },
          tooltip: { mode: "multi", sort: "desc" },
        };
  const targets = (p.queries ?? []).map((q, index) => ({
    refId: String.fromCharCode(65 + index),
    datasource: DATASOURCE,
    expr: q.expr,
    legendFormat: q.legend ?? "__auto",
    range: true,
    instant: false,
  }));
  return { ...base, datasource: DATASOURCE, fieldConfig: { defaults, overrides: [] }, options, targets };
}

/** The Grafana dashboard JSON model of one spec: rows laid out left to right, 24 columns wide. */
export function dashboardJson(spec: DashboardSpec): Json {
  const panels: Json[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: "row",
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const panel of row.panels) {
      const w = panel.width ?? (panel.kind === "stat" ? 4 : 12);
      const h = panel.height ?? (panel.kind === "stat" ? 4 : 8);
      if (x + w > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push(panelJson(panel, id++, { h, w, x, y }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ["replistore"],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    timezone: "",
    time: { from: "now-6h", to: "now" },
    refresh: "30s",
    links: [
      {
        type: "dashboards",
        title: "replistore",
        tags: ["replistore"],
        asDropdown: true,
        includeVars: true,
        keepTime: true,
        icon: "external link",
        targetBlank: false,
        tooltip: "",
        url: "",
      },
    ],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: "grafana", uid: "-- Grafana --" },
          enable: true,
          hide: true,
          iconColor: "rgba(0, 211, 255, 1)",
          name: "Annotations & Alerts",
          type: "dashboard",
        },
      ],
    },
    templating: {
      list: [
        {
          name: "datasource",
          label: "Data source",
          type: "datasource",
          query: "prometheus",
          regex: "",
          hide: 0,
          refresh: 1,
          includeAll: false,
          multi: false,
          current: {},
          options: [],
        },
        ...spec.variables.map(variableJson),
      ],
    },
    panels,
  };
}

/** Where each dashboard is shipped. */
export function dashboardFile(spec: DashboardSpec): string {
  return `deploy/grafana/${spec.uid}.json`;
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

/** Every query of every panel, named `<dashboard title> / <panel title>`. */
export function panelQueries(spec: DashboardSpec): PanelQuery[] {
  return spec.rows.flatMap((row) =>
    row.panels.flatMap((panel) =>
      (panel.queries ?? []).map((q) => ({ dashboard: spec.uid, panel: panel.title, expr: q.expr })),
    ),
  );
}
