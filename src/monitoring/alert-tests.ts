/**
 * promtool unit tests of the alerts: for every alert at least one case where it fires and one
 * where it must not. The cases are written here once; `renderPromtoolTests` turns them into a
 * `promtool test rules` file for any rendering of the rules (the shipped file, or one store's
 * PrometheusRule) by filling in the expected annotations from the rules' own templates.
 *
 * Series use the labels Prometheus gives a store scraped through its ServiceMonitor
 * (namespace shop, job orders-peers, pod, instance) and an operator scraped as job replistore-operator.
 */
import type { AlertRule } from "./alerts.ts";

export interface AlertCase {
  alert: string;
  /** what the case shows, e.g. "fires when a node has been down for 5 minutes" */
  name: string;
  /** time between series samples (default 1m) */
  interval?: string;
  /** [series selector, promtool values notation] */
  series: Array<[string, string]>;
  evalTime: string;
  /** the alerts firing at evalTime: their labels (severity is added); [] when none may fire */
  fires: Array<{ labels: Record<string, string>; value?: string }>;
}

const STORE = { namespace: "shop", job: "orders-peers" };
const OPERATOR = { namespace: "replistore-system", job: "replistore-operator" };
/** A kubelet's volume series: the claim's namespace (kube-prometheus-stack honours it), its own job. */
const KUBELET = { namespace: "shop", job: "kubelet", node: "worker-1" };

/** A claim's capacity and free bytes as the kubelet reports them. */
function volume(claim: string, capacity: string, available: string): Array<[string, string]> {
  const labels = { ...KUBELET, persistentvolumeclaim: claim };
  return [
    [series("kubelet_volume_stats_capacity_bytes", labels), capacity],
    [series("kubelet_volume_stats_available_bytes", labels), available],
  ];
}

/** `name{labels}` with the store's (or given) scrape labels first. */
function series(name: string, labels: Record<string, string>, base: Record<string, string> = STORE): string {
  const all = { ...base, ...labels };
  return `${name}{${Object.entries(all)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;
}
/** The operator's per-store backup metrics of store shop/orders, as the operator's scrape labels them. */
const BACKUPS_OF_ORDERS = {
  ...OPERATOR,
  store_namespace: "shop",
  store: "orders",
  pod: "replistore-operator-0",
};
/** spec.backup.alertAfter 26h. */
const ALERT_AFTER = "93600x340";
const node0 = { node: "orders-0", pod: "orders-0", instance: "10.0.0.10:7070" };
const node1 = { node: "orders-1", pod: "orders-1", instance: "10.0.0.11:7070" };
const node2 = { node: "orders-2", pod: "orders-2", instance: "10.0.0.12:7070" };
/** Samples every 5m (a series sampled less often than the 5m lookback has gaps): a run every 15m. */
const RUNS_EVERY_15M = "0x2 900x2 1800x2 2700x2 3600x2 4500x2 5400x2 6300x2";

export const ALERT_CASES: AlertCase[] = [
  {
    alert: "ReplistoreNodeDown",
    name: "fires when a node has not answered its scrape for 5 minutes",
    series: [
      [series("up", { pod: "orders-1", instance: "10.0.0.11:7070" }), "1 1 0x10"],
      [series("up", { pod: "orders-0", instance: "10.0.0.10:7070" }), "1x12"],
    ],
    evalTime: "8m",
    fires: [{ labels: { ...STORE, pod: "orders-1", instance: "10.0.0.11:7070" } }],
  },
  {
    alert: "ReplistoreNodeDown",
    name: "does not fire while a node has been down for less than 5 minutes",
    series: [[series("up", { pod: "orders-1", instance: "10.0.0.11:7070" }), "1 1 0x3 1x6"]],
    evalTime: "5m",
    fires: [],
  },
  {
    alert: "ReplistoreTargetMissing",
    name: "fires when the nodes count a member that Prometheus has no target for",
    series: [
      [series("replistore_peer_up", { ...node0, peer: "orders-1" }), "1x15"],
      [series("replistore_peer_up", { ...node0, peer: "orders-2" }), "1x15"],
      [series("up", { pod: "orders-0", instance: "10.0.0.10:7070" }), "1x15"],
      [series("up", { pod: "orders-1", instance: "10.0.0.11:7070" }), "1x15"],
    ],
    evalTime: "12m",
    fires: [{ labels: { ...STORE, peer: "orders-2" } }],
  },
  {
    alert: "ReplistoreTargetMissing",
    name: "does not fire while every member has a target, up or down",
    series: [
      [series("replistore_peer_up", { ...node0, peer: "orders-1" }), "1x15"],
      [series("replistore_peer_up", { ...node0, peer: "orders-2" }), "0x15"],
      [series("up", { pod: "orders-0", instance: "10.0.0.10:7070" }), "1x15"],
      [series("up", { pod: "orders-1", instance: "10.0.0.11:7070" }), "1x15"],
      [series("up", { pod: "orders-2", instance: "10.0.0.12:7070" }), "0x15"],
    ],
    evalTime: "12m",
    fires: [],
  },
  {
    alert: "ReplistoreVolumeAlmostFull",
    name: "fires when a node's data volume has under 10% free, and not for another app's volume",
    series: [
      [series("up", { pod: "orders-1", instance: "10.0.0.11:7070" }), "1x10"],
      ...volume("data-orders-1", "100x10", "5x10"),
      ...volume("data-other-0", "100x10", "1x10"),
    ],
    evalTime: "7m",
    fires: [{ labels: { ...STORE, persistentvolumeclaim: "data-orders-1" } }],
  },
  {
    alert: "ReplistoreVolumeAlmostFull",
    name: "does not fire with 50% free",
    series: [
      [series("up", { pod: "orders-1", instance: "10.0.0.11:7070" }), "1x10"],
      ...volume("data-orders-1", "100x10", "50x10"),
    ],
    evalTime: "7m",
    fires: [],
  },
  {
    alert: "ReplistoreVolumeFillingUp",
    name: "fires when a volume under 40% free keeps filling at a rate that ends within a day",
    // 3% of the volume an hour: 30% free after 10 hours, full 10 hours later.
    series: [
      [series("up", { pod: "orders-1", instance: "10.0.0.11:7070" }), "1x600"],
      ...volume("data-orders-1", "100x600", "60-0.05x600"),
    ],
    evalTime: "10h",
    fires: [{ labels: { ...STORE, persistentvolumeclaim: "data-orders-1" } }],
  },
  {
    alert: "ReplistoreVolumeFillingUp",
    name: "does not fire for a volume that is low but no longer filling",
    series: [
      [series("up", { pod: "orders-1", instance: "10.0.0.11:7070" }), "1x600"],
      ...volume("data-orders-1", "100x600", "30x600"),
    ],
    evalTime: "10h",
    fires: [],
  },
  {
    alert: "ReplistorePeerUnreachable",
    name: "fires when a node has marked a peer down for 5 minutes",
    series: [
      [series("replistore_peer_up", { ...node0, peer: "orders-2" }), "1 0x10"],
      [series("replistore_peer_up", { ...node0, peer: "orders-1" }), "1x11"],
    ],
    evalTime: "7m",
    fires: [{ labels: { ...STORE, node: "orders-0", peer: "orders-2" } }],
  },
  {
    alert: "ReplistorePeerUnreachable",
    name: "does not fire when the peer came back",
    series: [[series("replistore_peer_up", { ...node0, peer: "orders-2" }), "1 0x3 1x6"]],
    evalTime: "9m",
    fires: [],
  },
  {
    alert: "ReplistoreQuorumFailures",
    name: "fires when requests keep failing for lack of quorum",
    series: [
      [series("replistore_quorum_failures_total", { ...node0, op: "put" }), "0+5x15"],
      [series("replistore_quorum_failures_total", { ...node1, op: "put" }), "0+1x15"],
    ],
    evalTime: "10m",
    fires: [{ labels: { ...STORE, op: "put" } }],
  },
  {
    alert: "ReplistoreQuorumFailures",
    name: "does not page for a burst of failures of three minutes",
    series: [[series("replistore_quorum_failures_total", { ...node0, op: "get" }), "0 0 5 10 15 15x10"]],
    evalTime: "7m",
    fires: [],
  },
  {
    alert: "ReplistorePartialWrites",
    name: "fires as soon as a partial write is recorded",
    series: [[series("replistore_partial_writes_total", node0), "0 0 1 1"]],
    evalTime: "3m",
    fires: [{ labels: STORE }],
  },
  {
    alert: "ReplistorePartialWrites",
    name: "does not fire for partial writes older than 10 minutes",
    series: [[series("replistore_partial_writes_total", node0), "0 3x20"]],
    evalTime: "20m",
    fires: [],
  },
  {
    alert: "ReplistoreConflictsWaiting",
    name: "fires when the oldest pending conflict is over a day old",
    interval: "5m",
    series: [
      [series("replistore_conflicts_oldest_pending_seconds", node0), "86000+300x12"],
      [series("replistore_conflicts_oldest_pending_seconds", node1), "86000+300x12"],
    ],
    evalTime: "40m",
    fires: [{ labels: STORE, value: "1d 0h 33m 20s" }],
  },
  {
    alert: "ReplistoreConflictsWaiting",
    name: "does not fire for conflicts younger than a day",
    interval: "5m",
    series: [[series("replistore_conflicts_oldest_pending_seconds", node0), "3600+300x12"]],
    evalTime: "1h",
    fires: [],
  },
  {
    alert: "ReplistoreClockSkew",
    name: "fires when a node refuses a peer's clock",
    series: [
      [series("replistore_clock_refused_total", { ...node0, peer: "orders-2", direction: "in" }), "0 0 4 9"],
    ],
    evalTime: "3m",
    fires: [{ labels: { ...STORE, node: "orders-0", peer: "orders-2" } }],
  },
  {
    alert: "ReplistoreClockSkew",
    name: "fires on a node's first refusal (the labelled series appears already at 1)",
    series: [
      [series("replistore_clock_refused_total", { ...node0, peer: "orders-2", direction: "in" }), "_x12 1x5"],
    ],
    evalTime: "15m",
    fires: [{ labels: { ...STORE, node: "orders-0", peer: "orders-2" } }],
  },
  {
    alert: "ReplistoreClockSkew",
    name: "does not fire for the sender's side of a refusal",
    series: [
      [series("replistore_clock_refused_total", { ...node2, peer: "orders-0", direction: "out" }), "0 0 4 9"],
    ],
    evalTime: "3m",
    fires: [],
  },
  {
    alert: "ReplistoreClockSkew",
    name: "does not fire for refusals older than 10 minutes",
    series: [
      [series("replistore_clock_refused_total", { ...node0, peer: "orders-2", direction: "in" }), "0 5x20"],
    ],
    evalTime: "15m",
    fires: [],
  },
  {
    alert: "ReplistoreClockOffsetHigh",
    name: "fires when a peer's clock stays over 75% of clock.maxOffset ahead",
    series: [
      [series("replistore_clock_offset_seconds", { ...node0, peer: "orders-2" }), "0.4x10"],
      [series("replistore_clock_offset_seconds", { ...node0, peer: "orders-1" }), "0.01x10"],
      [series("replistore_clock_max_offset_seconds", node0), "0.5x10"],
    ],
    evalTime: "6m",
    fires: [{ labels: { ...STORE, node: "orders-0", peer: "orders-2" }, value: "400ms" }],
  },
  {
    alert: "ReplistoreClockOffsetHigh",
    name: "does not fire at 60% of clock.maxOffset",
    series: [
      [series("replistore_clock_offset_seconds", { ...node0, peer: "orders-2" }), "0.3x10"],
      [series("replistore_clock_max_offset_seconds", node0), "0.5x10"],
    ],
    evalTime: "6m",
    fires: [],
  },
  {
    alert: "ReplistoreHintsPilingUp",
    name: "fires when a node's hints stay over half of hintedHandoff.maxSize",
    series: [
      [series("replistore_hints_bytes", node0), "0 200000000x15"],
      [series("replistore_hints_max_bytes", node0), "268435456x16"],
      [series("replistore_hints_bytes", node1), "1000x16"],
      [series("replistore_hints_max_bytes", node1), "268435456x16"],
    ],
    evalTime: "12m",
    fires: [{ labels: { ...STORE, node: "orders-0" }, value: "190.7Mi" }],
  },
  {
    alert: "ReplistoreHintsPilingUp",
    name: "does not fire under half the limit, nor with hinted handoff disabled (limit 0)",
    series: [
      [series("replistore_hints_bytes", node0), "100000000x15"],
      [series("replistore_hints_max_bytes", node0), "268435456x15"],
      [series("replistore_hints_bytes", node1), "5000x15"],
      [series("replistore_hints_max_bytes", node1), "0x15"],
    ],
    evalTime: "12m",
    fires: [],
  },
  {
    alert: "ReplistoreHintsDropped",
    name: "fires when a node drops hints",
    series: [[series("replistore_hints_dropped_total", { ...node0, reason: "full" }), "0 0 10 20"]],
    evalTime: "3m",
    fires: [{ labels: { ...STORE, node: "orders-0", reason: "full" } }],
  },
  {
    alert: "ReplistoreHintsDropped",
    name: "fires on a node's first dropped hints (the labelled series appears already at their count)",
    series: [[series("replistore_hints_dropped_total", { ...node1, reason: "window" }), "_x20 3x5"]],
    evalTime: "22m",
    fires: [{ labels: { ...STORE, node: "orders-1", reason: "window" } }],
  },
  {
    alert: "ReplistoreHintsDropped",
    name: "does not fire when nothing was dropped for 15 minutes",
    series: [[series("replistore_hints_dropped_total", { ...node0, reason: "expired" }), "0 7x30"]],
    evalTime: "25m",
    fires: [],
  },
  {
    alert: "ReplistoreReplicationLagHigh",
    name: "fires when a peer has not acknowledged updates for over a minute, for 5 minutes",
    series: [
      [series("replistore_replication_lag_seconds", { ...node0, peer: "orders-1" }), "0 90+60x10"],
      [series("replistore_replication_lag_seconds", { ...node1, peer: "orders-0" }), "0x11"],
    ],
    evalTime: "7m",
    fires: [{ labels: { ...STORE, node: "orders-0", peer: "orders-1" }, value: "7m 30s" }],
  },
  {
    alert: "ReplistoreReplicationLagHigh",
    name: "does not fire for a lag of 30 seconds",
    series: [[series("replistore_replication_lag_seconds", { ...node0, peer: "orders-1" }), "0 30x10"]],
    evalTime: "8m",
    fires: [],
  },
  {
    alert: "ReplistoreConfigRejected",
    name: "fires when a node rejects its new config",
    series: [[series("replistore_config_reloads_total", { ...node1, result: "rejected" }), "0 1 1"]],
    evalTime: "2m",
    fires: [{ labels: { ...STORE, node: "orders-1" } }],
  },
  {
    alert: "ReplistoreConfigRejected",
    name: "fires on a node's first rejected config since it started (the series appears at 1)",
    series: [
      [series("replistore_config_reloads_total", { ...node1, result: "applied" }), "0 1x20"],
      [series("replistore_config_reloads_total", { ...node1, result: "rejected" }), "_x15 1x5"],
    ],
    evalTime: "18m",
    fires: [{ labels: { ...STORE, node: "orders-1" } }],
  },
  {
    alert: "ReplistoreConfigRejected",
    name: "does not fire for a rejection over 10 minutes ago",
    series: [[series("replistore_config_reloads_total", { ...node1, result: "rejected" }), "_x3 1x20"]],
    evalTime: "20m",
    fires: [],
  },
  {
    alert: "ReplistoreConfigRejected",
    name: "does not fire for applied reloads",
    series: [[series("replistore_config_reloads_total", { ...node1, result: "applied" }), "0 1 2"]],
    evalTime: "2m",
    fires: [],
  },
  {
    alert: "ReplistoreRepairFailing",
    name: "fires when every run for an hour was incomplete",
    interval: "5m",
    series: [
      [series("replistore_repair_last_run_timestamp_seconds", node0), RUNS_EVERY_15M],
      [series("replistore_repair_last_success", node0), "0x23"],
      [series("replistore_repair_last_run_timestamp_seconds", node1), RUNS_EVERY_15M],
      [series("replistore_repair_last_success", node1), "0x23"],
    ],
    evalTime: "90m",
    fires: [{ labels: STORE }],
  },
  {
    alert: "ReplistoreRepairFailing",
    name: "does not fire when the newest run completed, though a node kept an older failed one",
    interval: "5m",
    series: [
      [series("replistore_repair_last_run_timestamp_seconds", node0), RUNS_EVERY_15M],
      [series("replistore_repair_last_success", node0), "0x2 1x21"],
      [series("replistore_repair_last_run_timestamp_seconds", node2), "0x2 900x21"],
      [series("replistore_repair_last_success", node2), "0x23"],
    ],
    evalTime: "105m",
    fires: [],
  },
  {
    alert: "ReplistoreRepairFailing",
    name: "does not fire for a store never repaired yet (both gauges 0)",
    interval: "5m",
    series: [
      [series("replistore_repair_last_run_timestamp_seconds", node0), "0x40"],
      [series("replistore_repair_last_success", node0), "0x40"],
    ],
    evalTime: "3h",
    fires: [],
  },
  {
    alert: "ReplistoreRepairStale",
    name: "fires when no run finished for half the grace period while nodes were up",
    interval: "5m",
    series: [
      [series("replistore_repair_last_run_timestamp_seconds", node0), "3600x200"],
      [series("replistore_process_start_time_seconds", node0), "0x200"],
      [series("replistore_repair_last_run_timestamp_seconds", node1), "0x200"],
      [series("replistore_process_start_time_seconds", node1), "40000x200"],
    ],
    evalTime: "14h",
    fires: [{ labels: STORE, value: "13h 0m 0s" }],
  },
  {
    alert: "ReplistoreRepairStale",
    name: "does not fire for nodes that started less than half the grace period ago",
    interval: "5m",
    series: [
      [series("replistore_repair_last_run_timestamp_seconds", node0), "0x200"],
      [series("replistore_process_start_time_seconds", node0), "43200x200"],
    ],
    evalTime: "14h",
    fires: [],
  },
  {
    alert: "ReplistoreRepairStale",
    name: "does not fire when a run finished recently",
    interval: "5m",
    series: [
      [series("replistore_repair_last_run_timestamp_seconds", node0), "0 300+300x199"],
      [series("replistore_process_start_time_seconds", node0), "0x200"],
    ],
    evalTime: "14h",
    fires: [],
  },
  {
    alert: "ReplistoreBackupTooOld",
    name: "fires when the last successful backup is older than alertAfter",
    interval: "5m",
    series: [
      [series("replistore_backup_last_success_timestamp_seconds", BACKUPS_OF_ORDERS, {}), "0x340"],
      [series("replistore_backup_watched_since_timestamp_seconds", BACKUPS_OF_ORDERS, {}), "0x340"],
      [series("replistore_backup_max_age_seconds", BACKUPS_OF_ORDERS, {}), ALERT_AFTER],
    ],
    evalTime: "27h",
    fires: [{ labels: STORE, value: "1d 3h 0m 0s" }],
  },
  {
    alert: "ReplistoreBackupTooOld",
    name: "fires when a store with spec.backup was never backed up within alertAfter",
    interval: "5m",
    series: [
      [series("replistore_backup_watched_since_timestamp_seconds", BACKUPS_OF_ORDERS, {}), "0x340"],
      [series("replistore_backup_max_age_seconds", BACKUPS_OF_ORDERS, {}), ALERT_AFTER],
    ],
    evalTime: "27h",
    fires: [{ labels: STORE, value: "1d 3h 0m 0s" }],
  },
  {
    alert: "ReplistoreBackupTooOld",
    name: "does not fire while backups succeed",
    interval: "5m",
    series: [
      // a backup completes every 5 minutes: the last success is always the current sample
      [series("replistore_backup_last_success_timestamp_seconds", BACKUPS_OF_ORDERS, {}), "0+300x340"],
      [series("replistore_backup_watched_since_timestamp_seconds", BACKUPS_OF_ORDERS, {}), "0x340"],
      [series("replistore_backup_max_age_seconds", BACKUPS_OF_ORDERS, {}), ALERT_AFTER],
    ],
    evalTime: "27h",
    fires: [],
  },
  {
    alert: "ReplistoreBackupTooOld",
    name: "does not fire for a store watched for less than alertAfter, nor for one without spec.backup",
    interval: "5m",
    series: [
      // seen at 10h: 17h later is within 26h
      [series("replistore_backup_watched_since_timestamp_seconds", BACKUPS_OF_ORDERS, {}), "36000x340"],
      [series("replistore_backup_max_age_seconds", BACKUPS_OF_ORDERS, {}), ALERT_AFTER],
      // a store that has old backups but no spec.backup (no alertAfter): not watched
      [
        series(
          "replistore_backup_last_success_timestamp_seconds",
          { ...BACKUPS_OF_ORDERS, store: "carts" },
          {},
        ),
        "0x340",
      ],
    ],
    evalTime: "27h",
    fires: [],
  },
  {
    alert: "ReplistoreOperatorReconcileErrors",
    name: "fires when reconciles keep failing for 15 minutes",
    series: [
      [
        series(
          "replistore_operator_reconciles_total",
          { pod: "replistore-operator-0", result: "error" },
          OPERATOR,
        ),
        "0+2x30",
      ],
    ],
    evalTime: "20m",
    fires: [{ labels: OPERATOR }],
  },
  {
    alert: "ReplistoreOperatorReconcileErrors",
    name: "does not fire once reconciles succeed again",
    series: [
      [
        series(
          "replistore_operator_reconciles_total",
          { pod: "replistore-operator-0", result: "error" },
          OPERATOR,
        ),
        "0+2x5 10x25",
      ],
      [
        series(
          "replistore_operator_reconciles_total",
          { pod: "replistore-operator-0", result: "success" },
          OPERATOR,
        ),
        "0+3x30",
      ],
    ],
    evalTime: "25m",
    fires: [],
  },
  {
    alert: "ReplistoreOperatorNoLeader",
    name: "fires when no operator replica holds the Lease for 5 minutes",
    series: [
      [series("replistore_operator_leader", { pod: "replistore-operator-0" }, OPERATOR), "1 0x10"],
      [series("replistore_operator_leader", { pod: "replistore-operator-1" }, OPERATOR), "0x11"],
    ],
    evalTime: "8m",
    fires: [{ labels: OPERATOR }],
  },
  {
    alert: "ReplistoreOperatorNoLeader",
    name: "does not fire while one replica leads",
    series: [
      [series("replistore_operator_leader", { pod: "replistore-operator-0" }, OPERATOR), "0 1x10"],
      [series("replistore_operator_leader", { pod: "replistore-operator-1" }, OPERATOR), "0x11"],
    ],
    evalTime: "8m",
    fires: [],
  },
];

const TEMPLATE = /\{\{(.*?)\}\}/g;
const LABEL_REF =
  /^\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:\|\s*reReplaceAll\s+"((?:[^"\\]|\\.)*)"\s+"((?:[^"\\]|\\.)*)"\s*)?$/;
const VALUE_REF = /^\s*\$value\s*(\|\s*(humanize|humanize1024|humanizeDuration|humanizePercentage)\s*)?$/;

/**
 * Renders an annotation as Prometheus would for an alert with these labels, for the template forms
 * the alerts use: `{{ $labels.x }}`, `{{ $labels.x | reReplaceAll "re" "repl" }}` and
 * `{{ $value | humanize* }}` (whose rendering the case states). Any other form is an error, so the
 * alerts' templates stay within what these tests can check.
 */
export function renderAnnotation(template: string, labels: Record<string, string>, value?: string): string {
  return template.replace(TEMPLATE, (whole, inner: string) => {
    const label = LABEL_REF.exec(inner);
    if (label) {
      const text = labels[label[1] ?? ""] ?? "<no value>";
      if (label[2] === undefined) return text;
      const unquote = (s: string) => s.replace(/\\(.)/g, "$1");
      return text.replace(new RegExp(unquote(label[2]), "g"), unquote(label[3] ?? "").replace(/\$/g, "$$$$"));
    }
    if (VALUE_REF.test(inner)) {
      if (value === undefined) throw new Error(`${whole} needs the case to state the value it renders`);
      return value;
    }
    throw new Error(
      `unsupported template ${whole}: use $labels.<name> (optionally | reReplaceAll) or $value`,
    );
  });
}

/** A `promtool test rules` file for `rules` (the file at `ruleFile`, relative to the test file). */
export function promtoolTests(
  rules: AlertRule[],
  ruleFile: string,
  cases: AlertCase[] = ALERT_CASES,
): Record<string, unknown> {
  const byName = new Map(rules.map((r) => [r.alert, r]));
  const used = cases.filter((c) => byName.has(c.alert));
  return {
    rule_files: [ruleFile],
    evaluation_interval: "1m",
    tests: used.map((c) => {
      const rule = byName.get(c.alert)!;
      return {
        name: `${c.alert} ${c.name}`,
        interval: c.interval ?? "1m",
        input_series: c.series.map(([s, values]) => ({ series: s, values })),
        alert_rule_test: [
          {
            eval_time: c.evalTime,
            alertname: c.alert,
            exp_alerts: c.fires.map((f) => {
              const labels = { ...f.labels, ...rule.labels };
              return {
                exp_labels: labels,
                exp_annotations: Object.fromEntries(
                  Object.entries(rule.annotations).map(([k, v]) => [k, renderAnnotation(v, labels, f.value)]),
                ),
              };
            }),
          },
        ],
      };
    }),
  };
}
