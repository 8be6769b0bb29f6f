import { describe, expect, it } from "vitest";
import { alertRules, buildPrometheusRule } from "../../../src/builders/prometheus-rule.ts";
import { buildServiceMonitor } from "../../../src/builders/service-monitor.ts";
import { buildPeersService } from "../../../src/builders/services.ts";
import { store } from "./fixtures.ts";

describe("monitoring objects", () => {
  it("are built only when spec.monitoring asks", () => {
    expect(buildServiceMonitor(store())).toBeUndefined();
    expect(buildPrometheusRule(store())).toBeUndefined();
    expect(buildServiceMonitor(store({ monitoring: { serviceMonitor: true } }))).toBeDefined();
    expect(buildPrometheusRule(store({ monitoring: { prometheusRule: true } }))).toBeDefined();
  });

  it("ServiceMonitor selects the peers Service (which lists unready pods) in the store's namespace", () => {
    const s = store({ monitoring: { serviceMonitor: true } });
    const monitor = buildServiceMonitor(s);
    expect(monitor?.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(monitor?.kind).toBe("ServiceMonitor");
    if (!monitor) throw new Error("no ServiceMonitor");
    const selector = (monitor.spec.selector as { matchLabels: Record<string, string> }).matchLabels;
    const peerLabels = buildPeersService(s).metadata?.labels ?? {};
    expect(Object.entries(selector).every(([k, v]) => peerLabels[k] === v)).toBe(true);
    expect(monitor?.spec.namespaceSelector).toEqual({ matchNames: ["shop"] });
    expect(monitor?.spec.endpoints).toEqual([expect.objectContaining({ port: "http", path: "/metrics" })]);
  });

  it("PrometheusRule alerts are scoped to this store's scrape job", () => {
    const rules = alertRules(store());
    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) {
      // node metrics by the store's scrape job; the operator's backup metrics by their store labels
      expect(rule.expr).toMatch(/namespace="shop",job="orders-peers"|store_namespace="shop",store="orders"/);
      expect(rule.alert).toMatch(/^Replistore[A-Z]/);
      expect(rule.annotations.description.length).toBeGreaterThan(20);
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  it("alerts on stale repair at half the tombstone grace period", () => {
    const stale = alertRules(store({ tombstones: { gracePeriod: "48h" } })).find(
      (r) => r.alert === "ReplistoreRepairStale",
    );
    expect(stale?.expr).toMatch(/> 86400$/);
  });
});
