/**
 * The store's alerts as a Prometheus Operator PrometheusRule, scoped to this store's scrape job
 * (`<name>-peers`, see service-monitor.ts) so that two stores alert separately. The alerts themselves
 * are defined once in src/monitoring/alerts.ts (shared with the shipped deploy/prometheus/rules.yaml);
 * here they get this store's selector and thresholds from its spec.
 */
import { parseDuration } from "../api/duration.ts";
import { type AlertRule, oneStore, alertRules as renderAlertRules } from "../monitoring/alerts.ts";
import type { BuildContext, StoreResource } from "./context.ts";
import { monitoringMetadata, monitoringSettings } from "./monitoring-settings.ts";
import { peersServiceName, prometheusRuleName } from "./names.ts";
import { MONITORING_API_VERSION, type UnstructuredObject } from "./unstructured.ts";

export type { AlertRule };

export function alertRules(store: StoreResource, ctx: Pick<BuildContext, "monitoring"> = {}): AlertRule[] {
  // Repair must run well within the tombstone grace period: alert when it has not for half of it.
  const graceSeconds = parseDuration(store.spec.tombstones.gracePeriod) / 1000;
  const { runbookBaseUrl, disabledAlerts } = monitoringSettings(store, ctx);
  const target = oneStore({
    namespace: store.metadata.namespace,
    name: store.metadata.name,
    job: peersServiceName(store),
    graceSeconds,
  });
  return renderAlertRules({ ...target, runbookBaseUrl }).filter(
    (rule) => !disabledAlerts.includes(rule.alert),
  );
}

export function buildPrometheusRule(
  store: StoreResource,
  ctx: Pick<BuildContext, "monitoring"> = {},
): UnstructuredObject | undefined {
  if (!store.spec.monitoring.prometheusRule) return undefined;
  return {
    apiVersion: MONITORING_API_VERSION,
    kind: "PrometheusRule",
    metadata: monitoringMetadata(store, ctx, prometheusRuleName(store)),
    spec: {
      groups: [
        {
          name: `replistore.${store.metadata.namespace}.${store.metadata.name}`,
          rules: alertRules(store, ctx),
        },
      ],
    },
  };
}
