/**
 * spec.monitoring's labels, annotations, runbook base, left-out alerts and scrape source, over the
 * operator's defaults (chart value storeMonitoring), in every monitoring object they reach.
 */
import { describe, expect, it } from "vitest";
import { buildDashboardsConfigMap } from "../../../src/builders/dashboards-config-map.ts";
import { STORE_LABEL } from "../../../src/builders/labels.ts";
import { DEFAULT_SCRAPE_FROM, monitoringSettings } from "../../../src/builders/monitoring-settings.ts";
import { allowedPeers, buildNetworkPolicy } from "../../../src/builders/network-policy.ts";
import { alertRules, buildPrometheusRule } from "../../../src/builders/prometheus-rule.ts";
import { buildServiceMonitor } from "../../../src/builders/service-monitor.ts";
import { RUNBOOK_BASE_URL, STORE_ALERT_NAMES } from "../../../src/monitoring/alerts.ts";
import { context, store } from "./fixtures.ts";

const ALL_ON = { serviceMonitor: true, prometheusRule: true, dashboard: true };
const OPERATOR_DEFAULTS = context({
  monitoring: {
    labels: { release: "kube-prometheus-stack", team: "platform" },
    annotations: { grafana_folder: "Stores" },
    runbookBaseUrl: "https://runbooks.example.com/replistore",
    scrapeFrom: { namespaceLabels: { "kubernetes.io/metadata.name": "monitoring" } },
  },
});

describe("monitoring settings", () => {
  it("without any setting: no labels added, the project's runbooks, the replistore.io/monitoring namespaces", () => {
    expect(monitoringSettings(store(), context())).toEqual({
      labels: {},
      annotations: {},
      runbookBaseUrl: RUNBOOK_BASE_URL,
      scrapeFrom: DEFAULT_SCRAPE_FROM,
      disabledAlerts: [],
    });
  });

  it("the store's own values win key by key over the operator's defaults", () => {
    const s = store({ monitoring: { labels: { team: "shop" }, annotations: { grafana_folder: "Shop" } } });
    const settings = monitoringSettings(s, OPERATOR_DEFAULTS);
    expect(settings.labels).toEqual({ release: "kube-prometheus-stack", team: "shop" });
    expect(settings.annotations).toEqual({ grafana_folder: "Shop" });
    expect(settings.runbookBaseUrl).toBe("https://runbooks.example.com/replistore/");
  });

  it("labels and annotations reach the ServiceMonitor, the PrometheusRule and the dashboards, never the operator's own labels", () => {
    const s = store({ monitoring: { ...ALL_ON, labels: { [STORE_LABEL]: "hijack", extra: "yes" } } });
    for (const object of [
      buildServiceMonitor(s, OPERATOR_DEFAULTS),
      buildPrometheusRule(s, OPERATOR_DEFAULTS),
      buildDashboardsConfigMap(s, OPERATOR_DEFAULTS),
    ]) {
      expect(object?.metadata?.labels).toMatchObject({
        release: "kube-prometheus-stack",
        extra: "yes",
        [STORE_LABEL]: "orders",
      });
      expect(object?.metadata?.annotations).toEqual({ grafana_folder: "Stores" });
    }
    expect(buildDashboardsConfigMap(s, OPERATOR_DEFAULTS)?.metadata?.labels?.grafana_dashboard).toBe("1");
  });

  it("the monitoring labels win over spec.inheritedMetadata, and the operator's own over both", () => {
    const s = store({
      inheritedMetadata: {
        labels: { release: "inherited", team: "shop" },
        annotations: { note: "inherited" },
      },
      monitoring: { serviceMonitor: true, labels: { release: "kps" }, annotations: { note: "monitoring" } },
    });
    const metadata = buildServiceMonitor(s, context())?.metadata;
    expect(metadata?.labels).toMatchObject({ release: "kps", team: "shop", [STORE_LABEL]: "orders" });
    expect(metadata?.annotations).toEqual({ note: "monitoring" });
  });

  it("points runbook links at the configured base and leaves out disabled alerts", () => {
    const s = store({
      monitoring: {
        prometheusRule: true,
        runbookBaseUrl: "https://wiki.example.com/rb/",
        disabledAlerts: ["ReplistoreConflictsWaiting", "ReplistoreVolumeFillingUp"],
      },
    });
    const rules = alertRules(s, OPERATOR_DEFAULTS);
    expect(rules.map((r) => r.alert)).toEqual(
      STORE_ALERT_NAMES.filter(
        (a) => a !== "ReplistoreConflictsWaiting" && a !== "ReplistoreVolumeFillingUp",
      ),
    );
    for (const rule of rules) {
      expect(rule.annotations.runbook_url).toBe(`https://wiki.example.com/rb/${rule.alert}.md`);
    }
  });

  it("admits Prometheus to the nodes from where scrapeFrom says", () => {
    const byDefault = allowedPeers(store(), context());
    expect(byDefault).toContainEqual({
      namespaceSelector: { matchLabels: { "replistore.io/monitoring": "true" } },
    });
    expect(allowedPeers(store(), OPERATOR_DEFAULTS)).toContainEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
    });
    const own = store({
      monitoring: { scrapeFrom: { namespaceLabels: { team: "obs" }, podLabels: { app: "prometheus" } } },
    });
    const peers = buildNetworkPolicy(own, OPERATOR_DEFAULTS).spec?.ingress?.[0]?._from ?? [];
    expect(peers).toContainEqual({
      namespaceSelector: { matchLabels: { team: "obs" } },
      podSelector: { matchLabels: { app: "prometheus" } },
    });
    expect(peers).not.toContainEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
    });
  });
});
