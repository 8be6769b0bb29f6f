/**
 * ServiceMonitor and PrometheusRule: applied when spec.monitoring asks and the Prometheus Operator's
 * CRDs exist, deleted when it no longer asks, and skipped with a note in the Ready condition when
 * the CRDs are missing. The dashboards ConfigMap needs no CRD: applied or deleted as spec asks.
 */

import type { BuildContext, StoreResource } from "../../builders/context.ts";
import { buildDashboardsConfigMap, dashboardsConfigMapName } from "../../builders/dashboards-config-map.ts";
import { prometheusRuleName, serviceMonitorName } from "../../builders/names.ts";
import { buildPrometheusRule } from "../../builders/prometheus-rule.ts";
import { buildServiceMonitor } from "../../builders/service-monitor.ts";
import type { UnstructuredObject } from "../../builders/unstructured.ts";
import {
  CONFIG_MAPS,
  PROMETHEUS_RULES,
  type ResourceKind,
  SERVICE_MONITORS,
} from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { applyOwned, deleteOwned } from "./apply-owned.ts";

interface MonitoringObject {
  kind: ResourceKind & { kind: "ServiceMonitor" | "PrometheusRule" };
  field: "serviceMonitor" | "prometheusRule";
  name: (store: StoreResource) => string;
  build: (store: StoreResource, ctx: BuildContext) => UnstructuredObject | undefined;
}

const OBJECTS: readonly MonitoringObject[] = [
  {
    kind: { ...SERVICE_MONITORS, kind: "ServiceMonitor" },
    field: "serviceMonitor",
    name: serviceMonitorName,
    build: buildServiceMonitor,
  },
  {
    kind: { ...PROMETHEUS_RULES, kind: "PrometheusRule" },
    field: "prometheusRule",
    name: prometheusRuleName,
    build: buildPrometheusRule,
  },
];

export async function reconcileMonitoring(scope: ReconcileScope): Promise<void> {
  const dashboards = buildDashboardsConfigMap(scope.store, scope.ctx);
  if (dashboards) await applyOwned(scope, CONFIG_MAPS, dashboards);
  else await deleteOwned(scope, CONFIG_MAPS, dashboardsConfigMapName(scope.store));
  for (const object of OBJECTS) {
    const installed = await scope.monitoring.has(object.kind.kind);
    const desired = object.build(scope.store, scope.ctx);
    if (!installed) {
      if (desired) {
        scope.report.notes.push(
          `spec.monitoring.${object.field} skipped: the ${object.kind.kind} CRD (${object.kind.apiVersion}) is not installed; install the Prometheus Operator`,
        );
      }
      continue;
    }
    if (desired) await applyOwned(scope, object.kind, desired);
    else await deleteOwned(scope, object.kind, object.name(scope.store));
  }
}
