/**
 * `replistore crd apply` (the chart's pre-upgrade hook) on a real kube-apiserver: an older CRD is
 * brought up to this version's schema and a field it lacked is then accepted; applying again changes
 * nothing; a CRD from a newer replistore is kept unless --force; a missing kubeconfig is a message.
 */
import { join } from "node:path";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { load as loadYaml } from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import pkg from "../../../package.json" with { type: "json" };
import { allCrds, BACKUP_CRD_NAME, CRD_NAME, replicatedStoreCrd } from "../../../src/api/crd.ts";
import { renderAllCrdsYaml, renderCrdYaml } from "../../../src/api/crd-yaml.ts";
import { GROUP, PLURAL, VERSION } from "../../../src/api/names.ts";
import { CRD_VERSION_ANNOTATION, compareVersions, desiredCrd } from "../../../src/operator/crd-upgrade.ts";
import { runCli } from "../../support/cli.ts";
import { eventually } from "../../support/eventually.ts";
import { useControlPlane } from "../../support/k8s/fixture.ts";
import { createNamespace, httpGet, refusal } from "../../support/k8s/index.ts";

type Json = Record<string, unknown>;

const env = useControlPlane();
let namespace: string;

beforeAll(async () => {
  namespace = await createNamespace(env.clients, "crd-upgrade");
});

/** This version's CRD as an older release had it: without spec.monitoring.labels. */
function olderCrd(version: string): Json {
  const crd = desiredCrd(version, replicatedStoreCrd()) as unknown as Json;
  const spec = crd.spec as { versions: { schema: { openAPIV3Schema: Json } }[] };
  const root = spec.versions[0]?.schema.openAPIV3Schema as { properties: Record<string, Json> };
  const specProps = root.properties.spec?.properties as Record<string, { properties: Record<string, Json> }>;
  delete specProps.monitoring?.properties.labels;
  return crd;
}

async function createStore(name: string): Promise<void> {
  await env.clients.custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: PLURAL,
    fieldValidation: "Strict",
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "ReplicatedStore",
      metadata: { name },
      spec: { monitoring: { labels: { release: "kps" } } },
    },
  });
}

async function apply(...extra: string[]) {
  const result = await runCli(
    ["crd", "apply", "--kubeconfig", env.plane.kubeconfigPath, "-o", "json", ...extra],
    {
      timeoutMs: 60_000,
    },
  );
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { name: string; outcome: string; previous?: string; version: string }[];
}

/** The ReplicatedStore CRD's result among those `crd apply` reports. */
async function applyStore(...extra: string[]) {
  const results = await apply(...extra);
  const store = results.find((r) => r.name === CRD_NAME);
  if (!store) throw new Error(`no result for ${CRD_NAME}: ${JSON.stringify(results)}`);
  return store;
}

async function annotateVersion(version: string): Promise<void> {
  const live = await env.clients.extensions.readCustomResourceDefinition({ name: CRD_NAME });
  live.metadata = {
    ...live.metadata,
    annotations: { ...live.metadata?.annotations, [CRD_VERSION_ANNOTATION]: version },
  };
  await env.clients.extensions.replaceCustomResourceDefinition({ name: CRD_NAME, body: live });
}

describe("replistore crd apply", () => {
  it("upgrades an older CRD, after which the field it lacked is accepted", async () => {
    await env.clients.extensions.createCustomResourceDefinition({ body: olderCrd("0.0.1") as never });
    // Until the CRD is established its resource is not served at all (a 404 page, not a refusal).
    await eventually(
      async () => {
        const before = await refusal(() => createStore("before"));
        expect(before.message).toContain('unknown field "spec.monitoring.labels"');
      },
      { timeoutMs: 30_000, what: "the older CRD served, refusing spec.monitoring.labels" },
    );

    const results = await apply();
    expect(results).toEqual([
      { name: CRD_NAME, outcome: "updated", previous: "0.0.1", version: pkg.version },
      // The backup CRD did not exist before: it is created beside the store's.
      { name: BACKUP_CRD_NAME, outcome: "created", version: pkg.version },
    ]);
    await createStore("after");
    // The whole schema arrives, defaults and CEL rules included (they were once dropped on the way).
    for (const generated of allCrds()) {
      const answer = await httpGet(
        `${env.plane.server}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${generated.metadata.name}`,
        env.plane.tls,
      );
      const live = JSON.parse(answer.body) as { spec: { versions: Array<{ schema: unknown }> } };
      const schema = live.spec.versions[0]?.schema;
      expect(schema).toEqual(JSON.parse(JSON.stringify(generated.spec.versions[0]?.schema)));
      expect(JSON.stringify(schema)).toContain('"default"');
    }
    expect(JSON.stringify(replicatedStoreCrd())).toContain("x-kubernetes-validations");
  });

  it("changes nothing when the CRD is already this version's", async () => {
    const before = await env.clients.extensions.readCustomResourceDefinition({ name: CRD_NAME });
    expect((await apply()).map((r) => r.outcome)).toEqual(["unchanged", "unchanged"]);
    const after = await env.clients.extensions.readCustomResourceDefinition({ name: CRD_NAME });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it("keeps a CRD from a newer replistore (a rollback), unless --force", async () => {
    await annotateVersion("99.0.0");
    expect((await applyStore()).outcome).toBe("kept-newer");
    const forced = await applyStore("--force");
    expect(forced).toMatchObject({ outcome: "updated", previous: "99.0.0" });
  });

  it("as the chart's hook applies it (helm's field manager), helm then manages the schema too, so helm install applies crds/ without a conflict", async () => {
    const owners = async () => {
      const crd = await env.clients.extensions.readCustomResourceDefinition({ name: CRD_NAME });
      return (crd.metadata?.managedFields ?? [])
        .filter((entry) => JSON.stringify(entry.fieldsV1 ?? {}).includes('"f:versions"'))
        .map((entry) => entry.manager);
    };
    expect(await owners()).not.toContain("helm");
    expect((await applyStore("--force", "--field-manager=helm")).outcome).not.toBe("kept-newer");
    expect(await owners()).toContain("helm");
    // What Helm 4 does with crds/ on install: server-side apply of the file as "helm", without
    // forcing (sent as it is: the client's typed CRD model would drop its defaults and rules).
    await env.clients.extensions.patchCustomResourceDefinition(
      { name: CRD_NAME, body: loadYaml(renderCrdYaml()), fieldManager: "helm", force: false },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    );
  });

  it("prints progress as text, and says what to do without a cluster", async () => {
    const text = await runCli(["crd", "apply", "--kubeconfig", env.plane.kubeconfigPath], {
      timeoutMs: 60_000,
    });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`${CRD_NAME}: unchanged, established`);
    expect(text.stdout).toContain(`${BACKUP_CRD_NAME}: unchanged, established`);
    const missing = join(env.plane.dir, "no-such-kubeconfig");
    const refused = await runCli(["crd", "apply", "--kubeconfig", missing]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim()).toBe(`error: --kubeconfig ${missing}: no such file`);
  });

  it("prints the CRDs the repository ships", async () => {
    const printed = await runCli(["crd", "print"]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toBe(renderAllCrdsYaml());
  });
});

describe("compareVersions", () => {
  it("orders dotted versions numerically", () => {
    expect(compareVersions("0.10.0", "0.9.1")).toBe(1);
    expect(compareVersions("1.0.0", "1.0")).toBe(0);
    expect(compareVersions("0.1.0-rc.1", "0.2.0")).toBe(-1);
  });
});
