/**
 * Cross-field rules of a ReplicatedStore spec, each written twice on purpose: once in CEL for the
 * CRD's x-kubernetes-validations (the apiserver rejects a bad manifest before the operator sees it)
 * and once in TypeScript for `replistore up`. The unit tests hold the two in step on the same
 * cases. In CEL `self` is the spec after apiserver defaulting, so defaulted objects exist but the
 * optional N/W/R may not.
 */
import { namesASecret } from "./auth-types.ts";
import { BACKUP_RULES } from "./backup-rules.ts";
import { CRON_FIELD_RULES } from "./cron-rules.ts";
import type { CrossFieldRule } from "./cross-field-rule.ts";
import { effectiveReplication, majority } from "./quorum.ts";
import type { ReplicatedStoreSpec } from "./replicated-store.ts";
import { TLS_RULES } from "./tls-rules.ts";

export type { CrossFieldRule };

export interface CrdValidation {
  rule: string;
  message: string;
  fieldPath: string;
  reason: string;
}

const N = "(has(self.replication.factor) ? self.replication.factor : self.replicas)";
const W = `(has(self.replication.writeQuorum) ? self.replication.writeQuorum : ${N} / 2 + 1)`;
const R = `(has(self.replication.readQuorum) ? self.replication.readQuorum : ${N} / 2 + 1)`;
// A value that is zero in every component: "0", "0s", "0.0Mi", "0h0m".
const ZERO_DURATION = "'^(0|(0+(\\\\.0+)?[a-zµ]+)+)$'";
const ZERO_QUANTITY = "'^0+(\\\\.0+)?[A-Za-z]*$'";

function factorLabel(spec: ReplicatedStoreSpec): string {
  const { factor } = effectiveReplication(spec);
  return spec.replication.factor === undefined
    ? `spec.replication.factor (${factor}, defaulted from spec.replicas)`
    : `spec.replication.factor (${factor})`;
}

function quorumLabel(spec: ReplicatedStoreSpec, which: "writeQuorum" | "readQuorum"): string {
  const value = effectiveReplication(spec)[which];
  const defaulted = spec.replication[which] === undefined ? `, defaulted to floor(N/2)+1` : "";
  return `spec.replication.${which} (${value}${defaulted})`;
}

const isZeroDuration = (text: string) => /^(0|(0+(\.0+)?[a-zµ]+)+)$/.test(text);
const isZeroQuantity = (text: string) => /^0+(\.0+)?[A-Za-z]*$/.test(text);

export const CROSS_FIELD_RULES: readonly CrossFieldRule[] = [
  {
    id: "auth-names-a-secret",
    field: "spec.auth",
    cel: "!has(self.auth) || has(self.auth.secretName) || has(self.auth.read) || has(self.auth.write) || has(self.auth.admin)",
    message:
      "spec.auth must name at least one Secret: set spec.auth.secretName (one token, every role) or spec.auth.read/write/admin.secretName",
    holds: (spec) => spec.auth === undefined || namesASecret(spec.auth),
    explain: () =>
      "spec.auth must name at least one Secret: set spec.auth.secretName (one token, every role) or spec.auth.read/write/admin.secretName",
  },
  {
    id: "factor-within-replicas",
    field: "spec.replication.factor",
    cel: "!has(self.replication.factor) || self.replication.factor <= self.replicas",
    message: "spec.replication.factor must be at most spec.replicas: lower factor or raise replicas",
    holds: (spec) => spec.replication.factor === undefined || spec.replication.factor <= spec.replicas,
    explain: (spec) =>
      `spec.replication.factor (${spec.replication.factor}) must be at most spec.replicas (${spec.replicas}): lower factor or raise replicas`,
  },
  {
    id: "write-quorum-within-factor",
    field: "spec.replication.writeQuorum",
    cel: `!has(self.replication.writeQuorum) || self.replication.writeQuorum <= ${N}`,
    message:
      "spec.replication.writeQuorum must be at most spec.replication.factor: lower writeQuorum or raise factor",
    holds: (spec) => {
      const q = effectiveReplication(spec);
      return q.writeQuorum <= q.factor;
    },
    explain: (spec) =>
      `${quorumLabel(spec, "writeQuorum")} must be at most ${factorLabel(spec)}: lower writeQuorum or raise factor`,
  },
  {
    id: "read-quorum-within-factor",
    field: "spec.replication.readQuorum",
    cel: `!has(self.replication.readQuorum) || self.replication.readQuorum <= ${N}`,
    message:
      "spec.replication.readQuorum must be at most spec.replication.factor: lower readQuorum or raise factor",
    holds: (spec) => {
      const q = effectiveReplication(spec);
      return q.readQuorum <= q.factor;
    },
    explain: (spec) =>
      `${quorumLabel(spec, "readQuorum")} must be at most ${factorLabel(spec)}: lower readQuorum or raise factor`,
  },
  {
    id: "quorums-overlap",
    field: "spec.replication",
    cel: `self.replication.consistency == 'Eventual' || ${W} + ${R} > ${N}`,
    message:
      "spec.replication.writeQuorum + readQuorum must exceed factor for Strong consistency: raise writeQuorum or readQuorum, or set consistency: Eventual to accept stale reads",
    holds: (spec) => {
      const q = effectiveReplication(spec);
      return q.consistency === "Eventual" || q.writeQuorum + q.readQuorum > q.factor;
    },
    explain: (spec) => {
      const q = effectiveReplication(spec);
      return (
        `spec.replication.writeQuorum (${q.writeQuorum}) + readQuorum (${q.readQuorum}) must exceed factor (${q.factor}) ` +
        `for Strong consistency: raise writeQuorum or readQuorum (e.g. both to ${majority(q.factor)}), ` +
        "or set consistency: Eventual to accept stale reads"
      );
    },
  },
  {
    id: "multi-leader-needs-mode",
    field: "spec.multiLeader",
    cel: "!has(self.multiLeader) || self.mode == 'MultiLeader'",
    message:
      "spec.multiLeader is only allowed with spec.mode MultiLeader: remove multiLeader or set mode: MultiLeader",
    holds: (spec) => spec.multiLeader === undefined || spec.mode === "MultiLeader",
    explain: (spec) =>
      `spec.multiLeader is only allowed with spec.mode MultiLeader (mode is ${spec.mode}): remove multiLeader or set mode: MultiLeader`,
  },
  {
    id: "mode-needs-multi-leader",
    field: "spec.multiLeader",
    cel: "self.mode != 'MultiLeader' || has(self.multiLeader)",
    message:
      "spec.multiLeader is required with spec.mode MultiLeader: add multiLeader with leaders (and topology)",
    holds: (spec) => spec.mode !== "MultiLeader" || spec.multiLeader !== undefined,
    explain: () =>
      "spec.multiLeader is required with spec.mode MultiLeader: add multiLeader with leaders (and topology), or set mode: Leaderless",
  },
  {
    id: "leaders-within-replicas",
    field: "spec.multiLeader.leaders",
    cel: "!has(self.multiLeader) || self.multiLeader.leaders <= self.replicas",
    message: "spec.multiLeader.leaders must be at most spec.replicas: lower leaders or raise replicas",
    holds: (spec) => spec.multiLeader === undefined || spec.multiLeader.leaders <= spec.replicas,
    explain: (spec) =>
      `spec.multiLeader.leaders (${spec.multiLeader?.leaders}) must be at most spec.replicas (${spec.replicas}): lower leaders or raise replicas`,
  },
  {
    id: "hub-is-a-leader",
    field: "spec.multiLeader.hub",
    cel: "!has(self.multiLeader) || !has(self.multiLeader.hub) || self.multiLeader.hub < self.multiLeader.leaders",
    message:
      "spec.multiLeader.hub must be less than spec.multiLeader.leaders (the hub is one of pods 0..leaders-1): lower hub or raise leaders",
    holds: (spec) => spec.multiLeader === undefined || spec.multiLeader.hub < spec.multiLeader.leaders,
    explain: (spec) =>
      `spec.multiLeader.hub (${spec.multiLeader?.hub}) must be less than spec.multiLeader.leaders (${spec.multiLeader?.leaders}), ` +
      "since the hub is one of pods 0..leaders-1: lower hub or raise leaders",
  },
  {
    id: "clock-offset-positive",
    field: "spec.clock.maxOffset",
    cel: `!self.clock.maxOffset.matches(${ZERO_DURATION})`,
    message:
      "spec.clock.maxOffset must be more than zero (zero refuses every peer clock ahead of ours): use e.g. 500ms",
    holds: (spec) => !isZeroDuration(spec.clock.maxOffset),
    explain: (spec) =>
      `spec.clock.maxOffset (${spec.clock.maxOffset}) must be more than zero, or every peer clock ahead of ours is refused: use e.g. 500ms`,
  },
  {
    id: "request-timeout-positive",
    field: "spec.limits.requestTimeout",
    cel: `!self.limits.requestTimeout.matches(${ZERO_DURATION})`,
    message: "spec.limits.requestTimeout must be more than zero: use e.g. 2s",
    holds: (spec) => !isZeroDuration(spec.limits.requestTimeout),
    explain: (spec) =>
      `spec.limits.requestTimeout (${spec.limits.requestTimeout}) must be more than zero: use e.g. 2s`,
  },
  {
    id: "max-value-size-positive",
    field: "spec.limits.maxValueSize",
    cel: `!self.limits.maxValueSize.matches(${ZERO_QUANTITY})`,
    message: "spec.limits.maxValueSize must be more than zero: use e.g. 1Mi",
    holds: (spec) => !isZeroQuantity(spec.limits.maxValueSize),
    explain: (spec) =>
      `spec.limits.maxValueSize (${spec.limits.maxValueSize}) must be more than zero: use e.g. 1Mi`,
  },
  ...CRON_FIELD_RULES,
  ...TLS_RULES,
  ...BACKUP_RULES,
];

/** Accepted but worth saying: the operator sets a warning condition, `up` prints them. */
export interface ManifestWarning {
  id: string;
  field: string;
  applies(spec: ReplicatedStoreSpec): boolean;
  explain(spec: ReplicatedStoreSpec): string;
}

export const MANIFEST_WARNINGS: readonly ManifestWarning[] = [
  {
    id: "eventual-quorums-may-miss-writes",
    field: "spec.replication",
    applies: (spec) => {
      const q = effectiveReplication(spec);
      return q.consistency === "Eventual" && q.writeQuorum + q.readQuorum <= q.factor;
    },
    explain: (spec) => {
      const q = effectiveReplication(spec);
      return (
        `spec.replication: writeQuorum (${q.writeQuorum}) + readQuorum (${q.readQuorum}) <= factor (${q.factor}) ` +
        "with consistency Eventual: a read may miss the latest acknowledged write until repair catches up"
      );
    },
  },
];

/** The rules as the CRD's x-kubernetes-validations on spec (fieldPath is relative to spec). */
export function crdValidations(): CrdValidation[] {
  return CROSS_FIELD_RULES.map((rule) => ({
    rule: rule.cel,
    message: rule.message,
    fieldPath: rule.field.slice("spec".length),
    reason: "FieldValueInvalid",
  }));
}
