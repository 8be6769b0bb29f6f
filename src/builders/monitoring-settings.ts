/**
 * What a store's monitoring objects get: spec.monitoring over the operator's defaults (chart value
 * storeMonitoring), over the project's own. Labels and annotations merge key by key; the runbook
 * base and the scrape source are taken whole from the first that sets them.
 */
import type { V1ObjectMeta } from "@kubernetes/client-node";
import type { ScrapeFrom } from "../api/replicated-store.ts";
import { RUNBOOK_BASE_URL } from "../monitoring/alerts.ts";
import type { BuildContext, StoreResource } from "./context.ts";
import {
  type Component,
  MONITORING_LABEL,
  ownedMetadata,
  storeLabels,
  withInheritedMetadata,
} from "./labels.ts";

export interface MonitoringSettings {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Ends in "/": runbook_url is this plus `<AlertName>.md`. */
  runbookBaseUrl: string;
  scrapeFrom: ScrapeFrom;
  disabledAlerts: readonly string[];
}

/** Before this setting existed the NetworkPolicy admitted exactly these namespaces. */
export const DEFAULT_SCRAPE_FROM: ScrapeFrom = { namespaceLabels: { [MONITORING_LABEL]: "true" } };

export function monitoringSettings(
  store: StoreResource,
  ctx: Pick<BuildContext, "monitoring">,
): MonitoringSettings {
  const spec = store.spec.monitoring;
  const defaults = ctx.monitoring ?? {};
  const base = spec.runbookBaseUrl ?? defaults.runbookBaseUrl ?? RUNBOOK_BASE_URL;
  return {
    labels: { ...defaults.labels, ...spec.labels },
    annotations: { ...defaults.annotations, ...spec.annotations },
    runbookBaseUrl: base.endsWith("/") ? base : `${base}/`,
    scrapeFrom: spec.scrapeFrom ?? defaults.scrapeFrom ?? DEFAULT_SCRAPE_FROM,
    disabledAlerts: spec.disabledAlerts ?? [],
  };
}

/**
 * ownedMetadata with the monitoring labels and annotations: they win over spec.inheritedMetadata
 * (a `release` label meant for Prometheus), and the operator's own labels win over both.
 */
export function monitoringMetadata(
  store: StoreResource,
  ctx: Pick<BuildContext, "monitoring">,
  name: string,
  component: Component = "monitoring",
): V1ObjectMeta {
  const { labels, annotations } = monitoringSettings(store, ctx);
  return {
    ...ownedMetadata(store, name, component),
    ...withInheritedMetadata(
      store,
      { ...labels, ...storeLabels(store, component) },
      Object.keys(annotations).length > 0 ? annotations : undefined,
    ),
  };
}
