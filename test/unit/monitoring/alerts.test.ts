/**
 * The alert definitions: every alert has a severity, a summary, a description, a runbook that
 * exists, promtool cases that make it fire and not fire, and only metrics the nodes and the
 * operator export (or multi-leader replication will).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ALERT_CASES, promtoolTests, renderAnnotation } from "../../../src/monitoring/alert-tests.ts";
import {
  ALERT_NAMES,
  alertRules,
  EVERY_STORE,
  OPERATOR_ALERT_NAMES,
  oneStore,
  RUNBOOK_BASE_URL,
} from "../../../src/monitoring/alerts.ts";
import { exportedMetricNames, metricsIn } from "./exported-metrics.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const shipped = alertRules(EVERY_STORE);
const perStore = alertRules(
  oneStore({ namespace: "shop", name: "orders", job: "orders-peers", graceSeconds: 86400 }),
);

describe("alert definitions", () => {
  it("cover what on-call needs, each once", () => {
    expect(new Set(ALERT_NAMES).size).toBe(ALERT_NAMES.length);
    for (const needed of [
      "ReplistoreQuorumFailures",
      "ReplistoreNodeDown",
      "ReplistoreConflictsWaiting",
      "ReplistoreRepairFailing",
      "ReplistoreRepairStale",
      "ReplistoreClockOffsetHigh",
      "ReplistoreHintsPilingUp",
      "ReplistoreReplicationLagHigh",
      "ReplistoreOperatorReconcileErrors",
    ]) {
      expect(ALERT_NAMES).toContain(needed);
    }
  });

  it("each has a severity, a summary, a description and a runbook that exists", () => {
    for (const rule of shipped) {
      expect(["critical", "warning", "info"]).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length, rule.alert).toBeGreaterThan(10);
      expect(rule.annotations.description.length, rule.alert).toBeGreaterThan(40);
      expect(rule.annotations.runbook_url).toBe(`${RUNBOOK_BASE_URL}${rule.alert}.md`);
      const runbook = `${ROOT}docs/runbooks/${rule.alert}.md`;
      expect(existsSync(runbook), `${runbook} is missing`).toBe(true);
      const text = readFileSync(runbook, "utf8");
      expect(text.startsWith(`# ${rule.alert}\n`), `${rule.alert}.md starts with its name`).toBe(true);
      for (const section of ["## Meaning", "## Impact", "## Diagnosis", "## Fix", "## Escalate"]) {
        expect(text, `${rule.alert}.md has ${section}`).toContain(section);
      }
      const index = readFileSync(`${ROOT}docs/runbooks/README.md`, "utf8");
      expect(index, `docs/runbooks/README.md links ${rule.alert}`).toContain(`(${rule.alert}.md)`);
    }
  });

  it("use only metrics the nodes and the operator export", async () => {
    const exported = await exportedMetricNames();
    for (const rule of shipped) {
      const used = metricsIn(rule.expr);
      expect(used.length, rule.alert).toBeGreaterThan(0);
      for (const name of used) {
        expect(exported.has(name), `${rule.alert} uses ${name}`).toBe(true);
      }
    }
  });

  it("the shipped rules keep the store's labels in every aggregation, and select node targets by job", () => {
    for (const rule of shipped.filter((r) => !OPERATOR_ALERT_NAMES.includes(r.alert))) {
      for (const by of rule.expr.matchAll(/\bby \(([^)]*)\)/g)) {
        expect(by[1], rule.alert).toMatch(/^namespace, job\b/);
      }
    }
    expect(shipped.find((r) => r.alert === "ReplistoreNodeDown")?.expr).toBe('up{job=~".+-peers"} == 0');
  });

  it("one store's rules are the shipped ones with its selector, and render the same summaries", () => {
    expect(perStore.map((r) => r.alert)).toEqual(
      ALERT_NAMES.filter((a) => !OPERATOR_ALERT_NAMES.includes(a)),
    );
    const labels = { namespace: "shop", job: "orders-peers", node: "orders-0", peer: "orders-1", op: "put" };
    for (const rule of perStore) {
      const twin = shipped.find((r) => r.alert === rule.alert)!;
      expect(rule.for).toBe(twin.for);
      expect(rule.labels).toEqual(twin.labels);
      expect(rule.annotations.description).toBe(twin.annotations.description);
      expect(renderAnnotation(rule.annotations.summary, labels)).toBe(
        renderAnnotation(twin.annotations.summary, labels),
      );
      expect(renderAnnotation(rule.annotations.summary, labels)).toContain("shop/orders");
    }
  });

  it("have a promtool case where each fires and one where it must not", () => {
    for (const alert of ALERT_NAMES) {
      const cases = ALERT_CASES.filter((c) => c.alert === alert);
      expect(
        cases.some((c) => c.fires.length > 0),
        `${alert} fires in some case`,
      ).toBe(true);
      expect(
        cases.some((c) => c.fires.length === 0),
        `${alert} stays quiet in some case`,
      ).toBe(true);
    }
    for (const c of ALERT_CASES) expect(ALERT_NAMES).toContain(c.alert);
  });

  it("render the promtool tests for any rendering of the rules", () => {
    const tests = promtoolTests(perStore, "store-rules.yaml") as { tests: unknown[]; rule_files: string[] };
    expect(tests.rule_files).toEqual(["store-rules.yaml"]);
    const storeCases = ALERT_CASES.filter((c) => !OPERATOR_ALERT_NAMES.includes(c.alert));
    expect(tests.tests).toHaveLength(storeCases.length);
  });
});

describe("renderAnnotation", () => {
  it("renders the template forms the alerts use, as Prometheus does", () => {
    const labels = { namespace: "shop", job: "orders-peers" };
    expect(
      renderAnnotation('{{ $labels.namespace }}/{{ $labels.job | reReplaceAll "-peers$" "" }}', labels),
    ).toBe("shop/orders");
    expect(renderAnnotation("{{ $labels.pod }} is {{ $value | humanizeDuration }}", labels, "5m 0s")).toBe(
      "<no value> is 5m 0s",
    );
  });

  it("refuses forms it cannot check", () => {
    expect(() => renderAnnotation("{{ if $value }}x{{ end }}", {})).toThrow(/unsupported template/);
    expect(() => renderAnnotation("{{ $value }}", {})).toThrow(/state the value/);
  });
});
