/**
 * The store's alerts as a Prometheus Operator PrometheusRule, scoped to this store's scrape job
 * (`<name>-peers`, see service-monitor.ts) so that two stores alert separately. Each alert says what
 * broke and what to look at; thresholds come from the spec where one applies.
 */
import { parseDuration } from "../api/duration.ts";
import type { StoreResource } from "./context.ts";
import { ownedMetadata } from "./labels.ts";
import { peersServiceName, prometheusRuleName } from "./names.ts";
import { MONITORING_API_VERSION, type UnstructuredObject } from "./unstructured.ts";

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "critical" | "warning" | "info" };
  annotations: { summary: string; description: string };
}

function selector(store: StoreResource): string {
  return `namespace="${store.metadata.namespace}",job="${peersServiceName(store)}"`;
}

export function alertRules(store: StoreResource): AlertRule[] {
  const sel = selector(store);
  const name = `${store.metadata.namespace}/${store.metadata.name}`;
  // Repair must run well within the tombstone grace period, or a replica that missed a delete can
  // bring the key back once the other replicas purged their tombstones. Alert at half of it.
  const staleRepairSeconds = Math.round(parseDuration(store.spec.tombstones.gracePeriod) / 2000);
  return [
    {
      alert: "ReplistoreNodeDown",
      expr: `up{${sel}} == 0`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `A node of ${name} cannot be scraped`,
        description: `{{ $labels.pod }} has not answered /metrics for 5 minutes: check the pod's events and logs.`,
      },
    },
    {
      alert: "ReplistorePeerUnreachable",
      expr: `max by (node, peer) (1 - replistore_peer_up{${sel}}) == 1`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Nodes of ${name} cannot reach a peer`,
        description:
          "{{ $labels.node }} has marked {{ $labels.peer }} down for 5 minutes; writes for it become hints. Check that pod and the network between them.",
      },
    },
    {
      alert: "ReplistoreQuorumFailures",
      expr: `sum by (op) (rate(replistore_quorum_failures_total{${sel}}[5m])) > 0`,
      for: "5m",
      labels: { severity: "critical" },
      annotations: {
        summary: `${name} is failing requests for lack of quorum`,
        description:
          "{{ $labels.op }} requests cannot reach W (writes) or R (reads) owners. Look at kubectl get rstore for ready replicas and at ReplistorePeerUnreachable.",
      },
    },
    {
      alert: "ReplistorePartialWrites",
      expr: `sum(increase(replistore_partial_writes_total{${sel}}[10m])) > 0`,
      for: "0m",
      labels: { severity: "warning" },
      annotations: {
        summary: `${name} has new partial writes to review`,
        description:
          "Writes failed their quorum but reached some owners. Decide which value stands: replistore conflicts list --kind partial_write.",
      },
    },
    {
      alert: "ReplistoreConflictsWaiting",
      expr: `max(replistore_conflicts_oldest_pending_seconds{${sel}}) > 86400`,
      for: "15m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Conflicts in ${name} have waited over a day`,
        description:
          "The oldest pending conflict is {{ $value | humanizeDuration }} old: replistore conflicts list, then resolve.",
      },
    },
    {
      alert: "ReplistoreClockSkew",
      expr: `sum by (node, peer) (increase(replistore_clock_refused_total{${sel}}[10m])) > 0`,
      for: "0m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Nodes of ${name} refuse a peer's clock`,
        description:
          "{{ $labels.node }} refused messages from {{ $labels.peer }} whose clock is more than clock.maxOffset ahead. Check NTP on the Kubernetes node running the peer.",
      },
    },
    {
      alert: "ReplistoreHintsDropped",
      expr: `sum by (node, reason) (increase(replistore_hints_dropped_total{${sel}}[15m])) > 0`,
      for: "0m",
      labels: { severity: "warning" },
      annotations: {
        summary: `${name} is dropping hinted writes`,
        description:
          "{{ $labels.node }} dropped hints ({{ $labels.reason }}): the owner stays stale until the next repair. Bring the owner back or raise hintedHandoff.maxSize/window.",
      },
    },
    {
      alert: "ReplistoreConfigRejected",
      expr: `sum by (node) (increase(replistore_config_reloads_total{${sel},result="rejected"}[10m])) > 0`,
      for: "0m",
      labels: { severity: "critical" },
      annotations: {
        summary: `A node of ${name} rejected its new config`,
        description:
          "{{ $labels.node }} keeps running its previous config; its log says why. Check the operator's events on the ReplicatedStore.",
      },
    },
    {
      alert: "ReplistoreRepairFailing",
      expr: `min(replistore_repair_last_success{${sel}}) == 0`,
      for: "1h",
      labels: { severity: "warning" },
      annotations: {
        summary: `Anti-entropy repair of ${name} does not complete`,
        description:
          "The last repair skipped owner sets. kubectl describe rstore shows the last run; the Job's log says which sets and why.",
      },
    },
    {
      alert: "ReplistoreRepairStale",
      expr: `time() - max(replistore_repair_last_run_timestamp_seconds{${sel}}) > ${staleRepairSeconds}`,
      for: "15m",
      labels: { severity: "critical" },
      annotations: {
        summary: `${name} has not been repaired for half its tombstone grace period`,
        description:
          "Deleted keys can come back if repair does not run before tombstones are purged. Check the repair CronJob (suspended? failing?).",
      },
    },
  ];
}

export function buildPrometheusRule(store: StoreResource): UnstructuredObject | undefined {
  if (!store.spec.monitoring.prometheusRule) return undefined;
  return {
    apiVersion: MONITORING_API_VERSION,
    kind: "PrometheusRule",
    metadata: ownedMetadata(store, prometheusRuleName(store), "monitoring"),
    spec: {
      groups: [
        { name: `replistore.${store.metadata.namespace}.${store.metadata.name}`, rules: alertRules(store) },
      ],
    },
  };
}
