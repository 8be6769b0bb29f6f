import { describe, expect, it } from "vitest";
import { parseMonitoringDefaults } from "../../../src/api/monitoring-defaults.ts";
import { validateManifest } from "../../../src/api/validate.ts";
import { UserError } from "../../../src/errors.ts";
import { manifest } from "./manifests.ts";

describe("the operator's monitoring defaults (--store-monitoring, chart value storeMonitoring)", () => {
  it("reads what the chart writes, an empty runbookBaseUrl meaning unset", () => {
    const json = JSON.stringify({
      labels: { release: "prom" },
      annotations: {},
      runbookBaseUrl: "",
      scrapeFrom: { namespaceLabels: { "replistore.io/monitoring": "true" } },
    });
    expect(parseMonitoringDefaults(json, "--store-monitoring")).toEqual({
      labels: { release: "prom" },
      annotations: {},
      scrapeFrom: { namespaceLabels: { "replistore.io/monitoring": "true" } },
    });
  });

  it("refuses a misspelt field, a bad URL and text that is not JSON, naming them", () => {
    const refused = (json: string) => {
      try {
        parseMonitoringDefaults(json, "--store-monitoring");
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        return (err as Error).message;
      }
      throw new Error(`accepted ${json}`);
    };
    expect(refused('{"lables":{}}')).toBe("--store-monitoring: lables: unknown field; did you mean labels?");
    expect(refused('{"runbookBaseUrl":"ftp://x"}')).toContain("runbookBaseUrl");
    expect(refused("{nope")).toMatch(/^--store-monitoring: not JSON/);
  });
});

describe("spec.monitoring fields", () => {
  it("accept labels, annotations, a runbook base, alerts to leave out and a scrape source", () => {
    const result = validateManifest(
      manifest({
        monitoring: {
          labels: { release: "prom" },
          annotations: { grafana_folder: "Shop" },
          runbookBaseUrl: "https://wiki.example.com/runbooks/",
          disabledAlerts: ["ReplistoreConflictsWaiting"],
          scrapeFrom: { namespaceLabels: { team: "obs" } },
        },
      }),
    );
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it("refuse an alert that does not exist and a runbook base that is not a URL", () => {
    const result = validateManifest(
      manifest({ monitoring: { disabledAlerts: ["ReplistoreNoSuchAlert"], runbookBaseUrl: "wiki" } }),
    );
    const errors = result.ok ? [] : result.errors.join("\n");
    expect(errors).toContain("spec.monitoring.disabledAlerts");
    expect(errors).toContain("ReplistoreConflictsWaiting");
    expect(errors).toContain("spec.monitoring.runbookBaseUrl");
  });
});
