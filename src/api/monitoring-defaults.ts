/**
 * The operator's defaults for every store's monitoring objects (Helm value storeMonitoring, passed
 * as JSON in REPLISTORE_STORE_MONITORING): the same fields as spec.monitoring's, which override
 * them per store. Checked at start, so a typo in the chart's values stops the operator with the
 * field named instead of being ignored.
 */
import Type, { type Static } from "typebox";
import Value from "typebox/value";
import { UserError } from "../errors.ts";
import { Monitoring } from "./replicated-store.ts";
import { describeSchemaErrors } from "./schema-errors.ts";

const { labels, annotations, runbookBaseUrl, scrapeFrom } = Monitoring.properties;

export const MonitoringDefaults = Type.Object(
  { labels, annotations, runbookBaseUrl, scrapeFrom },
  { additionalProperties: false, description: "Defaults for spec.monitoring of every store." },
);
export type MonitoringDefaults = Static<typeof MonitoringDefaults>;

export function parseMonitoringDefaults(json: string, source: string): MonitoringDefaults {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new UserError(
      `${source}: not JSON (${(err as Error).message}): pass an object like {"labels":{"release":"prom"}}`,
    );
  }
  if (value === null || value === "") return {};
  // The chart writes every key it has; an empty runbookBaseUrl means "not set".
  if (
    typeof value === "object" &&
    !Array.isArray(value) &&
    "runbookBaseUrl" in value &&
    value.runbookBaseUrl === ""
  ) {
    const { runbookBaseUrl: _unset, ...rest } = value;
    value = rest;
  }
  if (!Value.Check(MonitoringDefaults, value)) {
    const errors = describeSchemaErrors(MonitoringDefaults, value);
    throw new UserError(`${source}: ${errors.join("; ") || "does not match the monitoring defaults"}`);
  }
  return value;
}
