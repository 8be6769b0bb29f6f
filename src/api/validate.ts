/**
 * Manifest validation for `replistore up` and the operator: the same schema and rules the CRD
 * enforces, plus the defaults that depend on other fields (N, W, R), filled in on the result.
 */
import Value from "typebox/value";
import { backwardRanges } from "./cron-rules.ts";
import { effectiveReplication } from "./quorum.ts";
import { ReplicatedStore } from "./replicated-store.ts";
import { CROSS_FIELD_RULES, MANIFEST_WARNINGS } from "./rules.ts";
import { describeSchemaErrors } from "./schema-errors.ts";

export type ManifestValidation =
  | { ok: true; manifest: ReplicatedStore; warnings: string[] }
  | { ok: false; errors: string[] };

export function validateManifest(input: unknown): ManifestValidation {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return {
      ok: false,
      errors: ["manifest: must be a mapping with apiVersion, kind, metadata and spec"],
    };
  }
  const candidate = Value.Default(ReplicatedStore, Value.Clone(input));
  if (!Value.Check(ReplicatedStore, candidate)) {
    const errors = describeSchemaErrors(ReplicatedStore, candidate);
    return {
      ok: false,
      errors: errors.length > 0 ? errors : ["manifest: does not match the ReplicatedStore schema"],
    };
  }
  const { spec } = candidate;
  const errors = CROSS_FIELD_RULES.filter((rule) => !rule.holds(spec)).map((rule) => rule.explain(spec));
  if (errors.length === 0) errors.push(...backwardRanges(spec.antiEntropy.schedule));
  if (errors.length > 0) return { ok: false, errors };
  const warnings = MANIFEST_WARNINGS.filter((w) => w.applies(spec)).map((w) => w.explain(spec));
  const { factor, writeQuorum, readQuorum } = effectiveReplication(spec);
  spec.replication = { ...spec.replication, factor, writeQuorum, readQuorum };
  return { ok: true, manifest: candidate, warnings };
}
