/**
 * The chart's life after `helm install`, as a platform team lives it: `helm upgrade` with a changed
 * value rolls the operator, brings an older CRD up to this version's (the pre-upgrade hook) and
 * leaves running stores alone; `helm uninstall` removes the operator
 * but keeps the CRD and every store (their data plane does not need the operator); deleting a store
 * then keeps or deletes its volumes as `spec.storage.retainOnDelete` says, and a store recreated
 * under the same name finds its retained data.
 *
 * Other e2e files need the chart installed: this file leaves it installed with the default values
 * whatever happens, and support/cluster.ts installs it again if a file finds it missing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { eventually } from "../support/eventually.ts";
import { helm, kubectl, kubectlJson, run } from "./support/commands.ts";
import { ClientPod, createNamespace, deleteNamespace, waitStoreReady } from "./support/stores.ts";

const NS = `e2e-helm-${process.pid}`;
const RELEASE_NS = "replistore-system";
let client: ClientPod;

/** A one-node store: the smallest that has a volume, so the file stays quick on 2 cores. */
function store(name: string, retainOnDelete: boolean): string {
  return JSON.stringify({
    apiVersion: "replistore.io/v1alpha1",
    kind: "ReplicatedStore",
    metadata: { name },
    spec: {
      replicas: 1,
      mode: "Leaderless",
      replication: { factor: 1, writeQuorum: 1, readQuorum: 1 },
      antiEntropy: { suspend: true },
      storage: { size: "64Mi", retainOnDelete },
    },
  });
}

interface Named {
  metadata: { name: string; uid: string };
}

async function claims(storeName: string): Promise<Named[]> {
  const list = await kubectlJson<{ items: Named[] }>(["get", "pvc", "-n", NS]);
  return list.items.filter((c) => c.metadata.name.endsWith(`-${storeName}-0`));
}

async function operatorArgs(): Promise<string[]> {
  const deployment = await kubectlJson<{
    spec: { template: { spec: { containers: { args?: string[] }[] } } };
  }>(["get", "deployment", "replistore-operator", "-n", RELEASE_NS]);
  return deployment.spec.template.spec.containers[0]?.args ?? [];
}

const CRD = "replicatedstores.replistore.io";

/** The live CRD without spec.monitoring.labels, marked as applied by replistore 0.0.1. */
async function installOlderCrd(): Promise<void> {
  type Schema = { properties?: Record<string, Schema> };
  const crd = await kubectlJson<{
    metadata: { annotations?: Record<string, string>; managedFields?: unknown };
    spec: { versions: { schema: { openAPIV3Schema: Schema } }[] };
  }>(["get", "crd", CRD]);
  const monitoring = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec?.properties?.monitoring;
  delete monitoring?.properties?.labels;
  crd.metadata.annotations = { ...crd.metadata.annotations, "replistore.io/version": "0.0.1" };
  delete crd.metadata.managedFields;
  await kubectl(["replace", "-f", "-"], { input: JSON.stringify(crd) });
}

/** A store using spec.monitoring.labels, checked by the apiserver but not stored. */
function dryRunLabelledStore() {
  const manifest = JSON.parse(store("labelled", true)) as { spec: Record<string, unknown> };
  manifest.spec.monitoring = { labels: { release: "kps" } };
  return run("kubectl", ["apply", "--dry-run=server", "-n", NS, "-f", "-"], {
    input: JSON.stringify(manifest),
    allowFailure: true,
  });
}

async function installDefault(): Promise<void> {
  const status = await run("helm", ["status", "replistore", "-n", RELEASE_NS], { allowFailure: true });
  const args =
    status.code === 0
      ? ["upgrade", "replistore", "charts/replistore", "-n", RELEASE_NS, "--reset-values"]
      : ["install", "replistore", "charts/replistore", "-n", RELEASE_NS, "--create-namespace"];
  await helm([...args, "--wait", "--timeout=3m"]);
}

beforeAll(async () => {
  await createNamespace(NS);
  await kubectl(["apply", "-n", NS, "-f", "-"], { input: store("kept", true) });
  await kubectl(["apply", "-n", NS, "-f", "-"], { input: store("dropped", false) });
  client = await ClientPod.start(NS, "client", { "replistore.io/client-of": "kept" });
  await Promise.all([waitStoreReady(NS, "kept", 1), waitStoreReady(NS, "dropped", 1)]);
});

afterAll(async () => {
  await installDefault();
  await deleteNamespace(NS);
});

describe("helm upgrade and uninstall", () => {
  it("upgrades the operator with a changed value and leaves running stores alone", async () => {
    // As if the release was installed by an older chart: its CRD lacks spec.monitoring.labels.
    await installOlderCrd();
    expect((await dryRunLabelledStore()).code).not.toBe(0);
    const before = await kubectlJson<Named>(["get", "pod", "kept-0", "-n", NS]);
    expect(await operatorArgs()).toContain("--log-level=info");
    await helm([
      "upgrade",
      "replistore",
      "charts/replistore",
      "-n",
      RELEASE_NS,
      "--reuse-values",
      "--set",
      "operator.logLevel=debug",
      "--wait",
      "--timeout=3m",
    ]);
    expect(await operatorArgs()).toContain("--log-level=debug");
    // The pre-upgrade hook applied this version's CRD: the new field is accepted at once.
    const crd = await kubectlJson<{ metadata: { annotations?: Record<string, string> } }>([
      "get",
      "crd",
      CRD,
    ]);
    expect(crd.metadata.annotations?.["replistore.io/version"]).toBe(pkg.version);
    // ...whole: its defaults and CEL rules too (a client-side encoding once dropped them all).
    const schema = JSON.stringify(crd);
    expect(schema).toContain('"x-kubernetes-validations"');
    expect(schema).toContain('"default"');
    const labelled = await dryRunLabelledStore();
    expect(labelled.code, labelled.stderr).toBe(0);
    const hookJobs = await kubectlJson<{ items: Named[] }>(["get", "jobs", "-n", RELEASE_NS]);
    expect(hookJobs.items.map((j) => j.metadata.name)).not.toContain("replistore-crd-upgrade");
    const history = await helm(["history", "replistore", "-n", RELEASE_NS, "-o", "json"]);
    const revisions = JSON.parse(history) as { status: string }[];
    expect(revisions.at(-1)?.status).toBe("deployed");
    // The new operator pods hold the lease and still see the store as Ready; its pod never restarted.
    await waitStoreReady(NS, "kept", 1);
    const after = await kubectlJson<Named>(["get", "pod", "kept-0", "-n", NS]);
    expect(after.metadata.uid).toBe(before.metadata.uid);
    const put = await client.cli("kept", ["kv", "put", "after-upgrade", "v1"]);
    expect(put.code, put.stderr).toBe(0);
  });

  it("uninstalls the operator but keeps the CRD and the stores; deletion honours retainOnDelete", async () => {
    const put = await client.cli("kept", ["kv", "put", "survives", "the uninstall"]);
    expect(put.code, put.stderr).toBe(0);
    const keptClaim = (await claims("kept"))[0];
    expect(keptClaim).toBeDefined();
    expect(await claims("dropped")).toHaveLength(1);

    await helm(["uninstall", "replistore", "-n", RELEASE_NS, "--wait", "--timeout=2m"]);
    const deployments = await kubectlJson<{ items: Named[] }>(["get", "deployment", "-n", RELEASE_NS]);
    expect(deployments.items.map((d) => d.metadata.name)).not.toContain("replistore-operator");
    await kubectl(["get", "crd", "replicatedstores.replistore.io"]);
    // Without an operator the nodes go on serving.
    const get = await client.cli("kept", ["kv", "get", "survives"]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout.trim()).toBe("the uninstall");

    // Deleting a store is garbage collection by Kubernetes, so it works without the operator too.
    await kubectl(["delete", "rstore", "kept", "dropped", "-n", NS, "--wait=true"], { timeoutMs: 120_000 });
    await eventually(async () => (await claims("dropped")).length === 0, {
      timeoutMs: 120_000,
      intervalMs: 1000,
      what: "the claim of the store with retainOnDelete: false deleted",
    });
    await eventually(
      async () => {
        const pods = await kubectlJson<{ items: Named[] }>(["get", "pods", "-n", NS]);
        return pods.items.every((p) => !p.metadata.name.startsWith("kept-"));
      },
      { timeoutMs: 120_000, intervalMs: 1000, what: "the pod of the deleted store gone" },
    );
    expect((await claims("kept")).map((c) => c.metadata.uid)).toEqual([keptClaim?.metadata.uid]);

    // Installed again as the README says, a store recreated under its old name finds its data.
    await installDefault();
    await kubectl(["apply", "-n", NS, "-f", "-"], { input: store("kept", true) });
    await waitStoreReady(NS, "kept", 1);
    await eventually(
      async () => {
        const again = await client.cli("kept", ["kv", "get", "survives"]);
        if (again.code !== 0) throw new Error(again.stderr);
        return again.stdout.trim() === "the uninstall";
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: "the retained value read from the recreated store" },
    );
  });
});
