/**
 * The generated CRD (crds/, as a user applies it) on a real kube-apiserver: defaults, every CEL
 * rule's rejection and message, unknown fields, the status subresource, printer columns and the
 * OpenAPI document `kubectl explain` reads.
 */
import { join } from "node:path";
import Value from "typebox/value";
import { beforeAll, describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { GROUP, PLURAL, VERSION } from "../../../src/api/names.ts";
import { ReplicatedStoreSpec } from "../../../src/api/replicated-store.ts";
import { CROSS_FIELD_RULES } from "../../../src/api/rules.ts";
import { validateManifest } from "../../../src/api/validate.ts";
import { useControlPlane } from "../../support/k8s/fixture.ts";
import { createNamespace, httpGet, installCrd, refusal } from "../../support/k8s/index.ts";
import { REPO_ROOT } from "../../support/node-process.ts";
import { EVERY_POD_SETTING } from "../../unit/api/manifests.ts";

type Json = Record<string, unknown>;

const env = useControlPlane();
let namespace: string;

beforeAll(async () => {
  await installCrd(env.clients, join(REPO_ROOT, CRD_FILE));
  namespace = await createNamespace(env.clients, "crd");
});

function store(name: string, spec: Json): Json {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: "ReplicatedStore", metadata: { name }, spec };
}

const target = () => ({ group: GROUP, version: VERSION, namespace, plural: PLURAL });

async function create(body: Json, fieldValidation = "Strict"): Promise<Json> {
  return (await env.clients.custom.createNamespacedCustomObject({
    ...target(),
    body,
    fieldValidation,
  })) as Json;
}

async function read(name: string): Promise<Json> {
  return (await env.clients.custom.getNamespacedCustomObject({ ...target(), name })) as Json;
}

/** One spec per cross-field rule that breaks that rule and no other. */
const VIOLATIONS: Record<string, Json> = {
  "factor-within-replicas": { replicas: 3, replication: { factor: 4 } },
  "write-quorum-within-factor": { replicas: 3, replication: { writeQuorum: 4 } },
  "read-quorum-within-factor": { replicas: 3, replication: { readQuorum: 4 } },
  "quorums-overlap": { replicas: 3, replication: { writeQuorum: 1, readQuorum: 1 } },
  "multi-leader-needs-mode": { mode: "Leaderless", multiLeader: { leaders: 1 } },
  "mode-needs-multi-leader": { mode: "MultiLeader" },
  "leaders-within-replicas": { replicas: 3, mode: "MultiLeader", multiLeader: { leaders: 4 } },
  "hub-is-a-leader": {
    replicas: 3,
    mode: "MultiLeader",
    multiLeader: { leaders: 2, topology: "Star", hub: 2 },
  },
  "clock-offset-positive": { clock: { maxOffset: "0s" } },
  "request-timeout-positive": { limits: { requestTimeout: "0" } },
  "max-value-size-positive": { limits: { maxValueSize: "0Mi" } },
  "schedule-minute": { antiEntropy: { schedule: "99 * * * *" } },
  "schedule-hour": { antiEntropy: { schedule: "0 0-24 * * *" } },
  "schedule-day-of-month": { antiEntropy: { schedule: "0 0 0 * *" } },
  "schedule-month": { antiEntropy: { schedule: "0 0 * */0 *" } },
  "schedule-day-of-week": { antiEntropy: { schedule: "0 0 * * 1#2" } },
  "auth-names-a-secret": { auth: {} },
  "tls-issuer-ref-with-cert-manager": { tls: { mode: "CertManager" } },
  "tls-secret-name-with-secret": { tls: { mode: "Auto", secretName: "mine" } },
  "from-backup-one-source": {
    bootstrap: { fromBackup: { backupName: "nightly", destination: { path: "s3://backups/orders" } } },
  },
  "from-backup-id-with-destination": {
    bootstrap: { fromBackup: { backupName: "nightly", backupId: "orders-20261206-220236" } },
  },
};

describe("ReplicatedStore CRD on a real apiserver", () => {
  it("has a violating spec for every cross-field rule", () => {
    expect(Object.keys(VIOLATIONS).sort()).toEqual(CROSS_FIELD_RULES.map((rule) => rule.id).sort());
  });

  it("accepts a minimal store and fills in every default", async () => {
    await create(store("minimal", {}));
    const spec = (await read("minimal")).spec as Json;
    expect(spec).toEqual({
      replicas: 3,
      mode: "Leaderless",
      replication: { consistency: "Strong" },
      conflicts: { policy: "Review", retention: "720h" },
      clock: { maxOffset: "500ms" },
      antiEntropy: { schedule: "*/15 * * * *", suspend: false },
      tombstones: { gracePeriod: "24h" },
      hintedHandoff: { enabled: true, window: "3h", maxSize: "256Mi" },
      limits: { maxValueSize: "1Mi", requestTimeout: "2s" },
      storage: { size: "1Gi", retainOnDelete: true },
      monitoring: { serviceMonitor: false, prometheusRule: false, dashboard: false },
      tls: { mode: "Auto" },
    });
  });

  it("applies the same defaults as replistore up", async () => {
    const created = await create(store("same-defaults", { replicas: 5, mode: "Leaderless" }));
    const local = validateManifest(store("same-defaults", { replicas: 5, mode: "Leaderless" }));
    if (!local.ok) throw new Error(local.errors.join("; "));
    const { replication: serverReplication, ...serverRest } = created.spec as Json;
    const { replication: localReplication, ...localRest } = local.manifest.spec;
    expect(serverRest).toEqual(localRest);
    // N, W and R stay unset on the server (they depend on other fields); `up` resolves them.
    expect(serverReplication).toEqual({ consistency: localReplication.consistency });
  });

  it("accepts a multi-leader star, and an Eventual store whose quorums do not overlap", async () => {
    await create(
      store("star", {
        replicas: 4,
        mode: "MultiLeader",
        multiLeader: { leaders: 3, topology: "Star", hub: 2 },
      }),
    );
    await create(
      store("eventual", {
        replicas: 3,
        replication: { factor: 3, writeQuorum: 1, readQuorum: 1, consistency: "Eventual" },
      }),
    );
    expect(((await read("star")).spec as Json).multiLeader).toEqual({
      leaders: 3,
      topology: "Star",
      hub: 2,
      failoverAfter: "10s",
    });
  });

  it.each(CROSS_FIELD_RULES.map((rule) => [rule.id, rule] as const))(
    "rejects a spec breaking %s with that rule's message",
    async (id, rule) => {
      const spec = VIOLATIONS[id] ?? {};
      const refused = await refusal(() => create(store(`bad-${id}`, spec)));
      expect(refused.code).toBe(422);
      expect(refused.reason).toBe("Invalid");
      expect(refused.message).toContain(`${rule.field}: Invalid value`);
      expect(refused.message).toContain(rule.message);
      for (const other of CROSS_FIELD_RULES) {
        if (other.id !== id) expect(refused.message).not.toContain(other.message);
      }
      // `replistore up` refuses the same manifest, for the same single reason.
      const local = validateManifest(store(`bad-${id}`, spec));
      const defaulted = Value.Default(ReplicatedStoreSpec, structuredClone(spec)) as ReplicatedStoreSpec;
      expect(local.ok ? [] : local.errors).toEqual([rule.explain(defaulted)]);
    },
  );

  it("rejects field-level mistakes with the field and the constraint", async () => {
    const refused = await refusal(() =>
      create(store("fields", { replicas: 0, mode: "Quorum", clock: { maxOffset: "5 minutes" } })),
    );
    expect(refused.code).toBe(422);
    expect(refused.message).toContain(
      "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
    );
    expect(refused.message).toContain(
      'spec.mode: Unsupported value: "Quorum": supported values: "Leaderless", "MultiLeader"',
    );
    expect(refused.message).toContain("spec.clock.maxOffset: Invalid value");
  });

  it("accepts a store with every pod setting and keeps each as given", async () => {
    const spec = structuredClone(EVERY_POD_SETTING) as unknown as Json;
    await create(store("pod-settings", spec));
    const stored = (await read("pod-settings")).spec as Json;
    for (const field of [
      "imagePullSecrets",
      "serviceAccountName",
      "inheritedMetadata",
      "resources",
      "scheduling",
    ]) {
      expect(stored[field], field).toEqual(spec[field]);
    }
    expect((stored.storage as Json).storageClassName).toBe("fast-ssd");
    // `replistore up` takes the same manifest.
    expect(validateManifest(store("pod-settings", spec)).ok).toBe(true);
  });

  it("refuses bad pod settings, naming the field and what it takes", async () => {
    const bad = {
      imagePullSecrets: [{ name: "Reg_Cred" }],
      resources: { requests: { cpu: "half" }, limits: { memory: 1024 } },
      scheduling: {
        tolerations: [{ key: "dedicated", operator: "Equals", effect: "NoSchedule" }],
        topologySpreadConstraints: [
          { maxSkew: 0, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "Maybe" },
        ],
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 101, preference: {} }],
          },
        },
        nodeSelector: { pool: "db pool" },
      },
    };
    const refused = await refusal(() => create(store("bad-pod-settings", bad)));
    expect(refused.code).toBe(422);
    for (const expected of [
      'spec.imagePullSecrets[0].name: Invalid value: "Reg_Cred"',
      'spec.resources.requests.cpu: Invalid value: "half"',
      'spec.resources.limits.memory: Invalid value: "integer": spec.resources.limits.memory in body must be of type string',
      'spec.scheduling.tolerations[0].operator: Unsupported value: "Equals": supported values: "Exists", "Equal"',
      "spec.scheduling.topologySpreadConstraints[0].maxSkew: Invalid value: 0",
      'spec.scheduling.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe"',
      "spec.scheduling.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101",
      'spec.scheduling.nodeSelector.pool: Invalid value: "db pool"',
    ]) {
      expect(refused.message).toContain(expected);
    }
    // `replistore up` refuses the same fields.
    const local = validateManifest(store("bad-pod-settings", bad));
    expect(local.ok ? [] : local.errors.map((e) => e.split(":")[0]).sort()).toEqual(
      [
        "spec.imagePullSecrets[0].name",
        "spec.resources.requests.cpu",
        "spec.resources.limits.memory",
        "spec.scheduling.tolerations[0].operator",
        "spec.scheduling.topologySpreadConstraints[0].maxSkew",
        "spec.scheduling.topologySpreadConstraints[0].whenUnsatisfiable",
        "spec.scheduling.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
        "spec.scheduling.nodeSelector.pool",
      ].sort(),
    );
  });

  it("refuses an unknown field inside affinity under strict field validation", async () => {
    const refused = await refusal(() =>
      create(
        store("affinity-typo", { scheduling: { affinity: { podAntiAffinity: { preferred: [] } } } }),
        "Strict",
      ),
    );
    expect(refused.code).toBe(400);
    expect(refused.message).toContain('unknown field "spec.scheduling.affinity.podAntiAffinity.preferred"');
  });

  it("rejects a name too long for the StatefulSet's pod labels", async () => {
    const refused = await refusal(() => create(store("n".repeat(53), {})));
    expect(refused.code).toBe(422);
    expect(refused.message).toContain("metadata.name");
  });

  it("rejects unknown fields under strict field validation, naming them", async () => {
    const refused = await refusal(() =>
      create(store("typo", { replication: { fator: 3 }, replicass: 3 }), "Strict"),
    );
    expect(refused.code).toBe(400);
    expect(refused.message).toContain('unknown field "spec.replication.fator"');
    expect(refused.message).toContain('unknown field "spec.replicass"');
  });

  it("drops unknown fields (with a warning) under the default field validation", async () => {
    await create(store("pruned", { replication: { fator: 3 } }), "Warn");
    expect(((await read("pruned")).spec as Json).replication).toEqual({ consistency: "Strong" });
  });

  it("keeps status behind the status subresource and shows it in the printer columns", async () => {
    await create(store("columns", { replicas: 3 }));
    const withStatus = {
      ...(await read("columns")),
      status: { readyReplicas: 2, quorum: "3/2/2", conflictsPending: 1, phase: "Degraded" },
    };
    // A status written through the main resource is ignored...
    await env.clients.custom.replaceNamespacedCustomObject({
      ...target(),
      name: "columns",
      body: withStatus,
    });
    expect((await read("columns")).status).toBeUndefined();
    // ...and kept through /status.
    await env.clients.custom.replaceNamespacedCustomObjectStatus({
      ...target(),
      name: "columns",
      body: { ...withStatus, metadata: (await read("columns")).metadata },
    });
    expect((await read("columns")).status).toEqual(withStatus.status);

    const answer = await httpGet(
      `${env.plane.server}/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}/columns`,
      env.plane.tls,
      { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
    );
    expect(answer.status).toBe(200);
    const table = JSON.parse(answer.body) as {
      columnDefinitions: { name: string; priority: number }[];
      rows: { cells: unknown[] }[];
    };
    const columns = table.columnDefinitions.map((c) => c.name);
    expect(columns).toEqual(["Name", "Mode", "Replicas", "Ready", "Phase", "Quorum", "Conflicts", "Age"]);
    expect(table.columnDefinitions.filter((c) => c.priority > 0)).toEqual([]);
    const cells = Object.fromEntries(columns.map((name, i) => [name, table.rows[0]?.cells[i]]));
    expect(cells).toMatchObject({
      Name: "columns",
      Mode: "Leaderless",
      Replicas: 3,
      Ready: 2,
      Quorum: "3/2/2",
      Conflicts: 1,
      Phase: "Degraded",
    });
  });

  it("is listed under the short name rstore and the category all", async () => {
    const answer = await httpGet(`${env.plane.server}/apis/${GROUP}/${VERSION}`, env.plane.tls);
    const list = JSON.parse(answer.body) as {
      resources: { name: string; shortNames?: string[]; categories?: string[] }[];
    };
    const resource = list.resources.find((r) => r.name === PLURAL);
    expect(resource?.shortNames).toEqual(["rstore"]);
    expect(resource?.categories).toEqual(["all"]);
  });

  it("documents every field in the OpenAPI schema kubectl explain reads", async () => {
    const answer = await httpGet(`${env.plane.server}/openapi/v3/apis/${GROUP}/${VERSION}`, env.plane.tls);
    expect(answer.status).toBe(200);
    const document = JSON.parse(answer.body) as { components: { schemas: Record<string, Json> } };
    const root = document.components.schemas[`io.replistore.${VERSION}.ReplicatedStore`];
    expect(root).toBeDefined();
    const undocumented: string[] = [];
    let fields = 0;
    const walk = (node: Json, path: string) => {
      const properties = (node.properties ?? {}) as Record<string, Json>;
      for (const [name, child] of Object.entries(properties)) {
        fields++;
        if (typeof child.description !== "string" || child.description.length < 8) {
          undocumented.push(`${path}.${name}`);
        }
        walk(child, `${path}.${name}`);
      }
      if (typeof node.items === "object" && node.items !== null) walk(node.items as Json, `${path}[]`);
    };
    const properties = (root?.properties ?? {}) as Record<string, Json>;
    for (const name of ["apiVersion", "kind", "spec", "status"]) {
      const child = properties[name];
      expect(child?.description, name).toBeTypeOf("string");
      if (child) walk(child, name);
    }
    expect(fields).toBeGreaterThan(50);
    expect(undocumented).toEqual([]);
    // The pod settings are typed down to their leaves, so `kubectl explain` can describe each.
    // A node of the schema by property names, `[]` for list items.
    const at = (node: Json | undefined, ...path: string[]): Json | undefined =>
      path.reduce<Json | undefined>(
        (here, key) =>
          key === "[]"
            ? (here?.items as Json | undefined)
            : (here?.properties as Record<string, Json> | undefined)?.[key],
        node,
      );
    const spec = properties.spec;
    const term = at(
      spec,
      ...[
        "scheduling",
        "affinity",
        "podAntiAffinity",
        "preferredDuringSchedulingIgnoredDuringExecution",
        "[]",
      ],
      "podAffinityTerm",
    );
    expect(Object.keys((term?.properties ?? {}) as Json)).toContain("topologyKey");
    expect(at(spec, "scheduling", "tolerations", "[]", "operator")?.enum).toEqual(["Exists", "Equal"]);
    expect(at(spec, "resources", "requests")?.additionalProperties).toMatchObject({ type: "string" });
  });
});
