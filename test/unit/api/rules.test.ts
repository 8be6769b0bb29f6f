import { describe, expect, it } from "vitest";
import { openApiSchema } from "../../../src/api/crd.ts";
import { CROSS_FIELD_RULES, crdValidations } from "../../../src/api/rules.ts";
import { validateManifest } from "../../../src/api/validate.ts";
import { manifest } from "./manifests.ts";

function errorsOf(spec: Record<string, unknown>): string[] {
  const result = validateManifest(manifest(spec));
  return result.ok ? [] : result.errors;
}

interface RuleCase {
  id: string;
  bad: Record<string, unknown>;
  message: string;
  boundary: Record<string, unknown>;
}

const CASES: RuleCase[] = [
  {
    id: "auth-names-a-secret",
    bad: { auth: {} },
    message:
      "spec.auth must name at least one Secret: set spec.auth.secretName (one token, every role) or spec.auth.read/write/admin.secretName",
    boundary: { auth: { admin: { secretName: "orders-admin" } } },
  },
  {
    id: "factor-within-replicas",
    bad: { replicas: 3, replication: { factor: 4 } },
    message: "spec.replication.factor (4) must be at most spec.replicas (3): lower factor or raise replicas",
    boundary: { replicas: 3, replication: { factor: 3 } },
  },
  {
    id: "write-quorum-within-factor",
    bad: { replicas: 3, replication: { factor: 3, writeQuorum: 4 } },
    message:
      "spec.replication.writeQuorum (4) must be at most spec.replication.factor (3): lower writeQuorum or raise factor",
    boundary: { replicas: 3, replication: { factor: 3, writeQuorum: 3 } },
  },
  {
    id: "read-quorum-within-factor",
    bad: { replicas: 3, replication: { readQuorum: 4 } },
    message:
      "spec.replication.readQuorum (4) must be at most spec.replication.factor (3, defaulted from spec.replicas): lower readQuorum or raise factor",
    boundary: { replicas: 3, replication: { readQuorum: 3 } },
  },
  {
    id: "quorums-overlap",
    bad: { replicas: 3, replication: { writeQuorum: 1, readQuorum: 2 } },
    message:
      "spec.replication.writeQuorum (1) + readQuorum (2) must exceed factor (3) for Strong consistency: raise writeQuorum or readQuorum (e.g. both to 2), or set consistency: Eventual to accept stale reads",
    boundary: { replicas: 3, replication: { writeQuorum: 1, readQuorum: 3 } },
  },
  {
    id: "multi-leader-needs-mode",
    bad: { mode: "Leaderless", multiLeader: { leaders: 2 } },
    message:
      "spec.multiLeader is only allowed with spec.mode MultiLeader (mode is Leaderless): remove multiLeader or set mode: MultiLeader",
    boundary: { mode: "MultiLeader", multiLeader: { leaders: 2 } },
  },
  {
    id: "mode-needs-multi-leader",
    bad: { mode: "MultiLeader" },
    message:
      "spec.multiLeader is required with spec.mode MultiLeader: add multiLeader with leaders (and topology), or set mode: Leaderless",
    boundary: { mode: "MultiLeader", multiLeader: { leaders: 1 } },
  },
  {
    id: "leaders-within-replicas",
    bad: { replicas: 3, mode: "MultiLeader", multiLeader: { leaders: 4 } },
    message:
      "spec.multiLeader.leaders (4) must be at most spec.replicas (3): lower leaders or raise replicas",
    boundary: { replicas: 3, mode: "MultiLeader", multiLeader: { leaders: 3 } },
  },
  {
    id: "hub-is-a-leader",
    bad: { mode: "MultiLeader", multiLeader: { leaders: 2, topology: "Star", hub: 2 } },
    message:
      "spec.multiLeader.hub (2) must be less than spec.multiLeader.leaders (2), since the hub is one of pods 0..leaders-1: lower hub or raise leaders",
    boundary: { mode: "MultiLeader", multiLeader: { leaders: 2, topology: "Star", hub: 1 } },
  },
  {
    id: "clock-offset-positive",
    bad: { clock: { maxOffset: "0s" } },
    message:
      "spec.clock.maxOffset (0s) must be more than zero, or every peer clock ahead of ours is refused: use e.g. 500ms",
    boundary: { clock: { maxOffset: "1ms" } },
  },
  {
    id: "request-timeout-positive",
    bad: { limits: { requestTimeout: "0.0ms" } },
    message: "spec.limits.requestTimeout (0.0ms) must be more than zero: use e.g. 2s",
    boundary: { limits: { requestTimeout: "1ms" } },
  },
  {
    id: "max-value-size-positive",
    bad: { limits: { maxValueSize: "0Mi" } },
    message: "spec.limits.maxValueSize (0Mi) must be more than zero: use e.g. 1Mi",
    boundary: { limits: { maxValueSize: "1" } },
  },
  {
    id: "schedule-minute",
    bad: { antiEntropy: { schedule: "99 * * * *" } },
    message:
      'spec.antiEntropy.schedule "99 * * * *": the minute (1st field) "99" is not valid: use 0-59, *, ranges a-b, steps /n and lists a,b, e.g. "*/15 * * * *"',
    boundary: { antiEntropy: { schedule: "0-59/30,59 * * * *" } },
  },
  {
    id: "schedule-hour",
    bad: { antiEntropy: { schedule: "0 24 * * *" } },
    message:
      'spec.antiEntropy.schedule "0 24 * * *": the hour (2nd field) "24" is not valid: use 0-23, *, ranges a-b, steps /n and lists a,b, e.g. "*/15 * * * *"',
    boundary: { antiEntropy: { schedule: "0 23 * * *" } },
  },
  {
    id: "schedule-day-of-month",
    bad: { antiEntropy: { schedule: "0 0 32 * *" } },
    message:
      'spec.antiEntropy.schedule "0 0 32 * *": the day of month (3rd field) "32" is not valid: use 1-31, *, ranges a-b, steps /n and lists a,b, e.g. "*/15 * * * *"',
    boundary: { antiEntropy: { schedule: "0 0 31 * ?" } },
  },
  {
    id: "schedule-month",
    bad: { antiEntropy: { schedule: "0 0 1 JANUARY *" } },
    message:
      'spec.antiEntropy.schedule "0 0 1 JANUARY *": the month (4th field) "JANUARY" is not valid: use 1-12 or JAN-DEC, *, ranges a-b, steps /n and lists a,b, e.g. "*/15 * * * *"',
    boundary: { antiEntropy: { schedule: "0 0 1 jan-Dec/3 *" } },
  },
  {
    id: "schedule-day-of-week",
    bad: { antiEntropy: { schedule: "0 0 * * 7" } },
    message:
      'spec.antiEntropy.schedule "0 0 * * 7": the day of week (5th field) "7" is not valid: use 0-6 (Sunday is 0) or SUN-SAT, *, ranges a-b, steps /n and lists a,b, e.g. "*/15 * * * *"',
    boundary: { antiEntropy: { schedule: "0 0 * * MON-FRI,0" } },
  },
  {
    id: "tls-issuer-ref-with-cert-manager",
    bad: { tls: { mode: "CertManager" } },
    message:
      "spec.tls.issuerRef is required with spec.tls.mode CertManager: name the cert-manager Issuer or ClusterIssuer, e.g. issuerRef: {name: my-ca, kind: ClusterIssuer}",
    boundary: { tls: { mode: "CertManager", issuerRef: { name: "my-ca" } } },
  },
  {
    id: "tls-secret-name-with-secret",
    bad: { tls: { secretName: "mine" } },
    message:
      "spec.tls.secretName is only allowed with spec.tls.mode Secret (mode is Auto): remove secretName or set mode: Secret",
    boundary: { tls: { mode: "Secret", secretName: "mine" } },
  },
  {
    id: "from-backup-one-source",
    bad: { bootstrap: { fromBackup: {} } },
    message:
      "spec.bootstrap.fromBackup needs backupName (a ReplicatedStoreBackup in this namespace) or destination {path: s3://bucket/path} with an optional backupId",
    boundary: { bootstrap: { fromBackup: { destination: { path: "s3://backups/orders" } } } },
  },
  {
    id: "from-backup-id-with-destination",
    bad: { bootstrap: { fromBackup: { backupName: "nightly", backupId: "orders-20261206-220236" } } },
    message:
      "spec.bootstrap.fromBackup.backupId goes with destination; with backupName, the backup names itself: remove backupId",
    boundary: {
      bootstrap: {
        fromBackup: { destination: { path: "file:///backups" }, backupId: "orders-20261206-220236" },
      },
    },
  },
];

describe("cross-field rules", () => {
  it("has a test case for every rule", () => {
    expect(CASES.map((c) => c.id).sort()).toEqual(CROSS_FIELD_RULES.map((r) => r.id).sort());
  });

  describe.each(CASES)("$id", ({ bad, message, boundary }) => {
    it("rejects with a message that names the fix", () => {
      expect(errorsOf(bad)).toEqual([message]);
    });

    it("accepts the boundary", () => {
      expect(errorsOf(boundary)).toEqual([]);
    });
  });

  it("reports every broken rule at once", () => {
    const errors = errorsOf({ replicas: 2, replication: { factor: 3, writeQuorum: 4, readQuorum: 4 } });
    expect(errors).toHaveLength(3);
    expect(errors.join("\n")).toMatch(/factor \(3\) must be at most spec.replicas \(2\)/);
  });

  it("turns W + R <= N into a warning, not an error, with consistency Eventual", () => {
    const result = validateManifest(
      manifest({ replication: { writeQuorum: 1, readQuorum: 1, consistency: "Eventual" } }),
    );
    expect(result.ok).toBe(true);
    expect(result.ok && result.warnings).toEqual([
      "spec.replication: writeQuorum (1) + readQuorum (1) <= factor (3) with consistency Eventual: a read may miss the latest acknowledged write until repair catches up",
    ]);
  });

  it("gives no warning for Eventual when the quorums overlap anyway", () => {
    const result = validateManifest(manifest({ replication: { consistency: "Eventual" } }));
    expect(result.ok && result.warnings).toEqual([]);
  });

  it("puts every rule into the CRD's spec schema as a validation with a spec-relative fieldPath", () => {
    const spec = (openApiSchema().properties as Record<string, unknown> | undefined)?.spec as
      | Record<string, unknown>
      | undefined;
    const validations = spec?.["x-kubernetes-validations"];
    expect(validations).toEqual(crdValidations());
    for (const v of crdValidations()) {
      expect(v.fieldPath).toMatch(/^\.[a-zA-Z.]+$/);
      expect(v.message).toMatch(/: /);
    }
  });

  it("writes CEL that reads optional quorum fields only behind has()", () => {
    for (const rule of CROSS_FIELD_RULES) {
      for (const optional of ["factor", "writeQuorum", "readQuorum"]) {
        const uses = rule.cel.split(`self.replication.${optional}`).length - 1;
        const guarded = rule.cel.split(`has(self.replication.${optional})`).length - 1;
        // Each guarded read appears as has(x) ? x : ..., or !has(x) || x.
        expect(uses, `${rule.id}: ${optional}`).toBeLessThanOrEqual(guarded * 2);
      }
    }
  });
});
