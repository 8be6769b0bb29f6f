/**
 * The Helm chart (charts/replistore) with helm built from the Go module proxy (hack/chart/helm/):
 * lint, rendering (dashboards and rules from files/, namespace-scoped RBAC, values schema), the
 * generated deploy/ manifests and chart copies being current, the real apiserver accepting every
 * manifest of deploy/ and every sample in a server-side dry run (the operator's pod template under
 * the restricted Pod Security level too), and a real `helm install`, `upgrade` and `uninstall`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  type KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  RbacAuthorizationV1Api,
  type V1Deployment,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHART_DIR,
  drift,
  type GeneratedFile,
  helmBinary,
  helmTemplate,
  plannedFiles,
  ROOT,
  stagedChart,
} from "../../../hack/chart/generate.ts";
import { allCrds } from "../../../src/api/crd.ts";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import {
  type ControlPlane,
  createNamespace,
  type KubeClients,
  kubeClients,
  refusal,
  startControlPlane,
  writeMonitoringCrds,
} from "../../support/k8s/index.ts";

const run = promisify(execFile);
let helm: string;
let dir: string;
let helmEnv: NodeJS.ProcessEnv;

const sets = (values: string[]) => values.flatMap((v) => ["--set", v]);
/** Every option that renders something extra (but the Namespace, which helm install makes itself). */
const EVERY_OPTION = [
  "metrics.serviceMonitor.enabled=true",
  "metrics.serviceMonitor.labels.release=kube-prometheus-stack",
  "prometheusRule.enabled=true",
  "operator.review.enabled=true",
  "operator.review.via=apiserver",
  "storeMonitoring.labels.release=kube-prometheus-stack",
  // No kubelet runs here to run the CRD hook's Job (helm upgrade would wait for it): the e2e helm
  // test upgrades with it on.
  "crds.upgrade=false",
];
const EVERYTHING = sets([...EVERY_OPTION, "namespace.create=true"]);

async function helmRun(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(helm, args, { env: helmEnv, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

const fixtureDashboard = (uid: string) =>
  `${JSON.stringify({ uid, title: `fixture ${uid}`, panels: [{ title: "{{ not a template }}", targets: [] }] }, null, 2)}\n`;
const FIXTURE_RULES = `# a Prometheus rule file
groups:
  - name: fixture.a
    rules:
      - alert: FixtureDown
        expr: up == 0
        labels: {severity: critical}
        annotations:
          summary: "{{ $labels.instance }} is down"
`;
const FIXTURE_PROMETHEUS_RULE = `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: fixture}
spec:
  groups:
    - name: fixture.b
      rules:
        - record: fixture:up:sum
          expr: sum(up)
`;

beforeAll(async () => {
  helm = helmBinary(false);
  dir = await mkdtemp(join(tmpdir(), "replistore-chart-test-"));
  // helm keeps caches and config under $HOME by default; keep this test's to itself.
  helmEnv = {
    ...process.env,
    HELM_CACHE_HOME: join(dir, "helm-cache"),
    HELM_CONFIG_HOME: join(dir, "helm-config"),
    HELM_DATA_HOME: join(dir, "helm-data"),
  };
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("charts/replistore with helm", () => {
  it("passes helm lint --strict with the default values and with every option on", async () => {
    const plain = await helmRun(["lint", "--strict", join(ROOT, CHART_DIR)]);
    expect(plain.code, plain.out).toBe(0);
    const everything = await helmRun(["lint", "--strict", join(ROOT, CHART_DIR), ...EVERYTHING]);
    expect(everything.code, everything.out).toBe(0);
    expect(everything.out).toContain("0 chart(s) failed");
  });

  it("has deploy/ and the chart's copies of crds/, deploy/grafana and deploy/prometheus as npm run gen:deploy makes them", async () => {
    const planned = await plannedFiles(helm);
    const { changed, stale } = await drift(planned);
    expect(
      [...changed.map((p) => `differs: ${p}`), ...stale.map((p) => `not generated any more: ${p}`)],
      "run `npm run gen:deploy` and commit the result",
    ).toEqual([]);
    const paths = planned.map((f) => f.path);
    for (const file of ["deploy/00-crds.yaml", "deploy/01-rbac.yaml", "deploy/02-operator.yaml"]) {
      expect(paths).toContain(file);
    }
  });

  it("renders one ConfigMap per dashboard for the Grafana sidecar and one PrometheusRule from every rule file, and neither without files", async () => {
    const empty = await stagedChart([]);
    try {
      const kinds = helmTemplate(helm, empty.dir, EVERYTHING).map((d) => d.kind);
      expect(kinds).not.toContain("ConfigMap");
      expect(kinds).not.toContain("PrometheusRule");
      expect(kinds).toContain("ServiceMonitor");
    } finally {
      await empty.remove();
    }

    const files: GeneratedFile[] = [
      { path: `${CHART_DIR}/files/dashboards/replistore-one.json`, text: fixtureDashboard("one") },
      { path: `${CHART_DIR}/files/dashboards/two.json`, text: fixtureDashboard("two") },
      { path: `${CHART_DIR}/files/prometheus/rules.yaml`, text: FIXTURE_RULES },
      { path: `${CHART_DIR}/files/prometheus/object.yaml`, text: FIXTURE_PROMETHEUS_RULE },
    ];
    const staged = await stagedChart(files);
    try {
      const docs = helmTemplate(helm, staged.dir, [
        ...EVERYTHING,
        "--set",
        "dashboards.namespace=monitoring",
        "--set",
        "prometheusRule.labels.release=kube-prometheus-stack",
      ]);
      const maps = docs
        .filter((d) => d.kind === "ConfigMap")
        .map(
          (d) => loadAllYaml(d.text)[0] as { metadata: Record<string, Record<string, string>>; data: object },
        );
      expect(maps.map((m) => m.metadata.name)).toEqual([
        "replistore-dashboard-one",
        "replistore-dashboard-two",
      ]);
      for (const map of maps) {
        expect(map.metadata.labels).toMatchObject({ grafana_dashboard: "1" });
        expect(map.metadata.annotations).toMatchObject({ grafana_folder: "replistore" });
        expect(map.metadata.namespace).toBe("monitoring");
      }
      // The JSON arrives byte for byte ("{{ ... }}" in a dashboard is not a template).
      expect(Object.values(maps[0]?.data ?? {})).toEqual([fixtureDashboard("one").trimEnd()]);

      const rules = docs.filter((d) => d.kind === "PrometheusRule");
      expect(rules).toHaveLength(1);
      const rule = loadAllYaml(rules[0]?.text ?? "")[0] as {
        metadata: { labels: Record<string, string> };
        spec: { groups: { name: string; rules: Record<string, unknown>[] }[] };
      };
      expect(rule.metadata.labels.release).toBe("kube-prometheus-stack");
      // files sort by name: object.yaml (a PrometheusRule's spec.groups) before rules.yaml (groups)
      expect(rule.spec.groups.map((g) => g.name)).toEqual(["fixture.b", "fixture.a"]);
      expect(rule.spec.groups[1]?.rules[0]).toMatchObject({
        alert: "FixtureDown",
        annotations: { summary: "{{ $labels.instance }} is down" },
      });
    } finally {
      await staged.remove();
    }
  });

  it("binds the operator's ClusterRole in the watched namespaces only, when it watches some", async () => {
    const docs = helmTemplate(helm, join(ROOT, CHART_DIR), [
      "--set",
      "operator.watchNamespaces={shop,billing}",
    ]);
    const bindings = docs.filter((d) => d.kind === "RoleBinding" || d.kind === "ClusterRoleBinding");
    // The CRD upgrade hook's binding is cluster-wide (a CRD is) and lives only while the hook runs.
    const hook = bindings.filter((d) => d.text.includes("helm.sh/hook: pre-upgrade"));
    expect(hook.map((d) => d.kind)).toEqual(["ClusterRoleBinding"]);
    const placed = bindings
      .filter((d) => !hook.includes(d))
      .map((d) => {
        const o = loadAllYaml(d.text)[0] as { kind: string; metadata: { name: string; namespace?: string } };
        return `${o.kind} ${o.metadata.namespace ?? "-"}/${o.metadata.name}`;
      });
    expect(placed.sort()).toEqual([
      "RoleBinding billing/replistore-operator",
      "RoleBinding replistore-system/replistore-operator-leader-election",
      "RoleBinding shop/replistore-operator",
    ]);
    const deployment = docs.find((d) => d.kind === "Deployment");
    expect(deployment?.text).toContain('value: "shop,billing"');
  });

  it("lets the CRD upgrade hook get and patch every CRD the release ships, and no other", async () => {
    const docs = helmTemplate(helm, join(ROOT, CHART_DIR), []);
    const role = docs.find((d) => d.kind === "ClusterRole" && d.text.includes("helm.sh/hook: pre-upgrade"));
    const rules = (
      loadAllYaml(role?.text ?? "")[0] as { rules: { resourceNames?: string[]; verbs: string[] }[] }
    ).rules;
    const named = rules.find((r) => r.verbs.includes("patch"));
    expect([...(named?.resourceNames ?? [])].sort()).toEqual(
      allCrds()
        .map((c) => c.metadata.name)
        .sort(),
    );
    expect(rules.filter((r) => r.resourceNames === undefined).flatMap((r) => r.verbs)).toEqual(["create"]);
  });

  it("hands the operator the stores' defaults: pull secret names and the monitoring settings", async () => {
    const docs = helmTemplate(helm, join(ROOT, CHART_DIR), [
      ...sets(["imagePullSecrets[0].name=regcred", "imagePullSecrets[1].name=mirror"]),
      ...sets([
        "storeMonitoring.labels.release=kps",
        "storeMonitoring.runbookBaseUrl=https://rb.example.com/",
      ]),
    ]);
    const deployment = loadAllYaml(docs.find((d) => d.kind === "Deployment")?.text ?? "")[0] as {
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    };
    const env = new Map(deployment.spec.template.spec.containers[0]?.env.map((e) => [e.name, e.value]));
    expect(env.get("REPLISTORE_IMAGE_PULL_SECRETS")).toBe("regcred,mirror");
    expect(JSON.parse(env.get("REPLISTORE_STORE_MONITORING") ?? "{}")).toMatchObject({
      labels: { release: "kps" },
      runbookBaseUrl: "https://rb.example.com/",
      scrapeFrom: { namespaceLabels: { "replistore.io/monitoring": "true" } },
    });
  });

  it("refuses misspelt or mistyped values, and two operators without leader election", async () => {
    const chart = join(ROOT, CHART_DIR);
    const typo = await helmRun(["template", "x", chart, "--set", "operator.replicsa=3"]);
    expect(typo.code).not.toBe(0);
    expect(typo.out).toContain("additional properties 'replicsa' not allowed");
    const type = await helmRun(["template", "x", chart, "--set", "operator.logLevel=loud"]);
    expect(type.code).not.toBe(0);
    expect(type.out).toContain("/operator/logLevel");
    const election = await helmRun([
      "template",
      "x",
      chart,
      "--set",
      "operator.leaderElection.enabled=false",
    ]);
    expect(election.code).not.toBe(0);
    expect(election.out).toContain("operator.replicas > 1 needs operator.leaderElection.enabled");
    const single = await helmRun([
      "template",
      "x",
      chart,
      "--set",
      "operator.leaderElection.enabled=false",
      "--set",
      "operator.replicas=1",
    ]);
    expect(single.code, single.out).toBe(0);
    expect(single.out).toContain("--no-leader-elect");
  });
});

describe("the chart's manifests against a real apiserver", () => {
  let plane: ControlPlane;
  let clients: KubeClients;
  let objects: KubernetesObjectApi;

  beforeAll(async () => {
    plane = await startControlPlane({
      crdFiles: [join(ROOT, CRD_FILE), ...(await writeMonitoringCrds(dir))],
    });
    clients = kubeClients(plane.kubeconfigPath);
    objects = KubernetesObjectApi.makeApiClient(clients.config);
  });

  afterAll(async () => {
    await plane?.stop();
  });

  /** Server-side apply with dryRun=All: validated, defaulted and admitted, then thrown away. */
  async function dryRun(object: KubernetesObject): Promise<KubernetesObject> {
    return objects.patch(
      object,
      undefined,
      "All",
      "replistore-chart-test",
      true,
      PatchStrategy.ServerSideApply,
    );
  }

  async function manifests(file: string): Promise<KubernetesObject[]> {
    return loadAllYaml(await readFile(join(ROOT, file), "utf8")) as KubernetesObject[];
  }

  it("accepts every manifest of deploy/ and deploy/monitoring/ in a server-side dry run, the operator's pods under restricted Pod Security", async () => {
    const files = [
      ...(await readdir(join(ROOT, "deploy")))
        .filter((f) => /^\d\d-.*\.yaml$/.test(f))
        .map((f) => `deploy/${f}`),
      ...(await readdir(join(ROOT, "deploy/monitoring"))).map((f) => `deploy/monitoring/${f}`),
    ].sort();
    expect(files).toContain("deploy/01-rbac.yaml");
    const all = (await Promise.all(files.map(manifests))).flat();
    // A dry run cannot put objects into a namespace that does not exist yet: make that one for real.
    const namespace = all.find((o) => o.kind === "Namespace");
    expect(namespace?.metadata?.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    if (namespace) await objects.create(namespace);
    const accepted: string[] = [];
    for (const object of all) {
      const result = await dryRun(object);
      accepted.push(`${result.kind}/${result.metadata?.name}`);
    }
    expect(accepted).toEqual(all.map((o) => `${o.kind}/${o.metadata?.name}`));

    // Pod Security admission judges pods, not Deployments: dry-run a pod from the template (the
    // ServiceAccount admission plugin wants its service account to exist for real).
    const account = all.find((o) => o.kind === "ServiceAccount");
    if (account) await objects.create(account);
    const deployment = all.find((o) => o.kind === "Deployment") as V1Deployment;
    const template = deployment.spec?.template;
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "operator-template",
        namespace: deployment.metadata?.namespace,
        labels: template?.metadata?.labels,
      },
      spec: template?.spec,
    };
    await objects.create(pod, undefined, "All");
    // ...and the same pod without its security context is refused, so the check above means something.
    const loose = structuredClone(pod);
    delete loose.spec?.securityContext;
    for (const c of loose.spec?.containers ?? []) delete c.securityContext;
    const refused = await refusal(() => objects.create(loose, undefined, "All"));
    expect(refused.code).toBe(403);
    expect(refused.message).toContain("violates PodSecurity");
  });

  it("accepts every sample of deploy/samples/ in a server-side dry run (schema, defaults and CEL rules)", async () => {
    const namespace = await createNamespace(clients, "samples");
    const samples = (await readdir(join(ROOT, "deploy/samples"))).filter((f) => f.endsWith(".yaml")).sort();
    expect(samples.length).toBeGreaterThanOrEqual(5);
    for (const sample of samples) {
      const [store] = await manifests(`deploy/samples/${sample}`);
      expect(store?.kind, sample).toBe("ReplicatedStore");
      const result = (await dryRun({
        ...store,
        metadata: { ...store?.metadata, namespace },
      })) as KubernetesObject & {
        spec: { mode: string };
      };
      expect(result.spec.mode, sample).toMatch(/^(Leaderless|MultiLeader)$/);
    }
  });

  it("installs, upgrades and uninstalls with helm, every option on", async () => {
    const namespace = "replistore-helm";
    const watched = await createNamespace(clients, "watched");
    const common = ["--kubeconfig", plane.kubeconfigPath, "--namespace", namespace];
    const install = await helmRun([
      "install",
      "replistore",
      join(ROOT, CHART_DIR),
      ...common,
      "--create-namespace",
      ...sets([...EVERY_OPTION, `operator.watchNamespaces={${watched}}`]),
    ]);
    expect(install.code, install.out).toBe(0);
    expect(install.out).toContain("STATUS: deployed");
    // NOTES.txt: what to do next
    expect(install.out).toContain(`kubectl -n ${namespace} rollout status deployment/replistore-operator`);

    const rbac = clients.config.makeApiClient(RbacAuthorizationV1Api);
    const deployment = await clients.apps.readNamespacedDeployment({
      namespace,
      name: "replistore-operator",
    });
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.template.spec?.containers[0]?.args).toContain("--review-via=apiserver");
    await rbac.readNamespacedRoleBinding({ namespace: watched, name: "replistore-operator" });
    await refusal(() => rbac.readClusterRoleBinding({ name: "replistore-operator" })).then((r) =>
      expect(r.code).toBe(404),
    );
    const role = await rbac.readClusterRole({ name: "replistore-operator" });
    expect(role.rules?.some((r) => r.resources?.includes("pods/proxy"))).toBe(true);
    await objects.read({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "replistore-operator", namespace },
    });

    const upgrade = await helmRun([
      "upgrade",
      "replistore",
      join(ROOT, CHART_DIR),
      ...common,
      "--reuse-values",
      "--set",
      "operator.replicas=3",
    ]);
    expect(upgrade.code, upgrade.out).toBe(0);
    const upgraded = await clients.apps.readNamespacedDeployment({ namespace, name: "replistore-operator" });
    expect(upgraded.spec?.replicas).toBe(3);

    const uninstall = await helmRun(["uninstall", "replistore", ...common]);
    expect(uninstall.code, uninstall.out).toBe(0);
    const gone = await refusal(() =>
      clients.apps.readNamespacedDeployment({ namespace, name: "replistore-operator" }),
    );
    expect(gone.code).toBe(404);
    // Helm never deletes a CRD it installed from crds/ (that would delete every store).
    await clients.extensions.readCustomResourceDefinition({ name: "replicatedstores.replistore.io" });
  });
});
