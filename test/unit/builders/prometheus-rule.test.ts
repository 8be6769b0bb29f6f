/** The operator's PrometheusRule: the shared alert definitions, scoped to one store, thresholds from its spec. */
import { describe, expect, it } from "vitest";
import { alertRules, buildPrometheusRule } from "../../../src/builders/prometheus-rule.ts";
import { ALERT_NAMES, OPERATOR_ALERT_NAMES } from "../../../src/monitoring/alerts.ts";
import { exportedMetricNames, metricsIn } from "../monitoring/exported-metrics.ts";
import { store } from "./fixtures.ts";

describe("buildPrometheusRule", () => {
  it("holds every store alert (the operator's own alerts ship with the operator), in one group per store", () => {
    const rule = buildPrometheusRule(store({ monitoring: { prometheusRule: true } }));
    const groups = rule?.spec.groups as Array<{ name: string; rules: Array<{ alert: string }> }>;
    expect(groups).toHaveLength(1);
    expect(groups[0]?.name).toBe("replistore.shop.orders");
    expect(groups[0]?.rules.map((r) => r.alert)).toEqual(
      ALERT_NAMES.filter((a) => !OPERATOR_ALERT_NAMES.includes(a)),
    );
  });

  it("scopes every expression to the store's scrape job, and names the store in summaries", () => {
    for (const rule of alertRules(store({}, "carts", "web"))) {
      for (const selector of rule.expr.matchAll(/\b(?:replistore_[a-z0-9_]+|up)\{([^}]*)\}/g)) {
        // node metrics by the store's scrape job; the operator's backup metrics by their store labels
        expect(selector[1], rule.alert).toMatch(
          /^namespace="web",job="carts-peers"|^store_namespace="web",store="carts"$/,
        );
      }
      expect(rule.expr).not.toMatch(/\b(replistore_[a-z0-9_]+|up)\b(?!\{)(?!_)/);
      expect(rule.annotations.summary).toContain("web/carts");
      expect(rule.annotations.runbook_url).toMatch(new RegExp(`/docs/runbooks/${rule.alert}\\.md$`));
    }
  });

  it("alerts on stale repair at half the tombstone grace period", () => {
    const stale = (gracePeriod: string) =>
      alertRules(store({ tombstones: { gracePeriod } })).find((r) => r.alert === "ReplistoreRepairStale")
        ?.expr;
    expect(stale("48h")).toMatch(/> 86400\nand on \(namespace, job\)\n.*> 86400$/);
    expect(stale("1h")).toMatch(/> 1800$/);
  });

  it("only uses metrics the nodes export", async () => {
    const exported = await exportedMetricNames();
    for (const rule of alertRules(store())) {
      for (const name of metricsIn(rule.expr)) {
        expect(exported.has(name), `${rule.alert}: ${name}`).toBe(true);
      }
    }
  });
});
