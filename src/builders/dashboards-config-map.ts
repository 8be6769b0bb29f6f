/**
 * `<name>-dashboards` (spec.monitoring.dashboard): the store dashboards (overview, anti-entropy,
 * conflicts) as a ConfigMap the Grafana sidecar loads (label grafana_dashboard=1). Each is the
 * shipped dashboard made this store's own: a uid and title of its own, so several stores' maps
 * do not overwrite each other in Grafana, and the namespace and store variables preset to it.
 */
import type { V1ConfigMap } from "@kubernetes/client-node";
import { DASHBOARD_SPECS, dashboardJson } from "../monitoring/dashboards.ts";
import type { BuildContext, StoreResource } from "./context.ts";
import { contentHash } from "./hash.ts";
import { monitoringMetadata } from "./monitoring-settings.ts";
import { peersServiceName } from "./names.ts";

export const GRAFANA_DASHBOARD_LABEL = "grafana_dashboard";
/** Grafana refuses dashboard uids longer than this. */
const GRAFANA_UID_MAX = 40;

export const dashboardsConfigMapName = (store: StoreResource) => `${store.metadata.name}-dashboards`;

type Json = Record<string, unknown>;

export function buildDashboardsConfigMap(
  store: StoreResource,
  ctx: Pick<BuildContext, "monitoring"> = {},
): V1ConfigMap | undefined {
  if (!store.spec.monitoring.dashboard) return undefined;
  const { namespace, name } = store.metadata;
  const suffix = contentHash(`${namespace}/${name}`).slice(0, 8);
  const preset: Record<string, string> = { namespace, store: peersServiceName(store) };
  const data: Record<string, string> = {};
  for (const spec of DASHBOARD_SPECS) {
    if (!spec.variables.some((v) => v.name === "store")) continue; // the operator's own dashboard
    const json = dashboardJson(spec);
    json.uid = `${spec.uid.slice(0, GRAFANA_UID_MAX - suffix.length - 1)}-${suffix}`;
    json.title = `${spec.title} (${namespace}/${name})`;
    const templating = json.templating as { list: Json[] };
    for (const variable of templating.list) {
      const value = preset[String(variable.name)];
      if (value !== undefined) variable.current = { text: value, value };
    }
    data[`${spec.uid}.json`] = `${JSON.stringify(json)}\n`;
  }
  const metadata = monitoringMetadata(store, ctx, dashboardsConfigMapName(store));
  metadata.labels = { ...metadata.labels, [GRAFANA_DASHBOARD_LABEL]: "1" };
  return { apiVersion: "v1", kind: "ConfigMap", metadata, data };
}
