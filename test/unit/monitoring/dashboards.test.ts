/**
 * The Grafana dashboards' shape: variables for namespace and store, every query filtered by them
 * and using only exported metrics, panels laid out without overlap, titles unique.
 */
import { describe, expect, it } from "vitest";
import {
  DASHBOARD_SPECS,
  DATASOURCE,
  dashboardJson,
  panelQueries,
} from "../../../src/monitoring/dashboards.ts";
import { exportedMetricNames, metricsIn } from "./exported-metrics.ts";

interface PanelJson {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; refId: string }>;
}

describe("Grafana dashboards", () => {
  it("are the store overview, anti-entropy, conflicts and operator, with unique uids", () => {
    expect(DASHBOARD_SPECS.map((d) => d.uid)).toEqual([
      "replistore-overview",
      "replistore-anti-entropy",
      "replistore-conflicts",
      "replistore-operator",
    ]);
  });

  it("pick a namespace and a store (the ServiceMonitor's job), or the operator's job", () => {
    for (const spec of DASHBOARD_SPECS) {
      const json = dashboardJson(spec) as { templating: { list: Array<{ name: string; type: string }> } };
      const names = json.templating.list.map((v) => v.name);
      expect(names[0]).toBe("datasource");
      expect(names).toContain("namespace");
      expect(names).toContain(spec.uid === "replistore-operator" ? "job" : "store");
    }
  });

  it("filter every query by the chosen namespace and store (or operator job)", () => {
    for (const spec of DASHBOARD_SPECS) {
      const variable = spec.uid === "replistore-operator" ? "$job" : "$store";
      for (const q of panelQueries(spec)) {
        const selectors = [...q.expr.matchAll(/\b(?:replistore_[a-z0-9_]+|up)\{([^}]*)\}/g)];
        expect(selectors.length, `${spec.uid} / ${q.panel}`).toBeGreaterThan(0);
        for (const [, matchers] of selectors) {
          expect(matchers, `${spec.uid} / ${q.panel}`).toContain(`namespace="$namespace",job="${variable}"`);
        }
      }
    }
  });

  it("use only metrics the nodes and the operator export", async () => {
    const exported = await exportedMetricNames();
    for (const spec of DASHBOARD_SPECS) {
      for (const q of panelQueries(spec)) {
        for (const name of metricsIn(q.expr)) {
          expect(exported.has(name), `${spec.uid} / ${q.panel} uses ${name}`).toBe(true);
        }
      }
    }
  });

  it("show the required views", () => {
    const titles = (uid: string) =>
      DASHBOARD_SPECS.find((d) => d.uid === uid)!.rows.flatMap((r) => r.panels.map((p) => p.title));
    expect(titles("replistore-overview")).toEqual(
      expect.arrayContaining([
        "Requests by operation",
        "Latency p50 and p99 by operation",
        "Quorum failures and partial writes",
        "Replication lag (updates)",
        "Replication lag (seconds)",
        "Hints pending",
        "Clock offset by peer",
        "Storage per node",
      ]),
    );
    expect(titles("replistore-anti-entropy")).toEqual(
      expect.arrayContaining(["Runs per hour", "Keys repaired per run", "Bytes sent per run"]),
    );
    expect(titles("replistore-conflicts")).toEqual(
      expect.arrayContaining(["Detected by kind", "Pending over time", "Oldest pending age"]),
    );
    expect(titles("replistore-operator")).toEqual(
      expect.arrayContaining(["Reconciles by result", "API errors by code", "Queue depth by replica"]),
    );
  });

  it("lay panels out on the 24-column grid without overlap, each described, with unique titles and ids", () => {
    for (const spec of DASHBOARD_SPECS) {
      const panels = (dashboardJson(spec) as { panels: PanelJson[] }).panels;
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      const titles = panels.filter((p) => p.type !== "row").map((p) => p.title);
      expect(new Set(titles).size, spec.uid).toBe(titles.length);
      const taken = new Set<string>();
      for (const p of panels) {
        const { x, y, w, h } = p.gridPos;
        expect(x + w, `${spec.uid} / ${p.title}`).toBeLessThanOrEqual(24);
        for (let i = x; i < x + w; i++) {
          for (let j = y; j < y + h; j++) {
            expect(taken.has(`${i},${j}`), `${spec.uid} / ${p.title} overlaps`).toBe(false);
            taken.add(`${i},${j}`);
          }
        }
        if (p.type === "row") continue;
        expect(p.description?.length ?? 0, `${spec.uid} / ${p.title}`).toBeGreaterThan(10);
        if (p.type !== "text") {
          expect(p.datasource).toEqual(DATASOURCE);
          expect(p.targets?.length ?? 0, `${spec.uid} / ${p.title}`).toBeGreaterThan(0);
        }
      }
    }
  });
});
