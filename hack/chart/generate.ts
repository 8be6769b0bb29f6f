/**
 * `npm run gen:deploy`: keeps the Helm chart and the plain manifests of deploy/ in step with their
 * sources, in two steps:
 *
 * 1. sync: copies into charts/replistore/ what the chart ships but others own
 *    - crds/*.yaml                  -> charts/replistore/crds/          (npm run gen:crds makes them)
 *    - deploy/grafana/*.json        -> charts/replistore/files/dashboards/
 *    - deploy/prometheus/*.y{a,}ml  -> charts/replistore/files/prometheus/ (rule files only: a top-level
 *      `groups`, or a PrometheusRule; promtool test files are left out)
 *    An empty or missing source folder gives an empty target: the chart then renders no dashboards or rules.
 * 2. render: `helm template` of that chart with its default values (plus namespace.create=true, since
 *    `kubectl apply -f deploy/` must make the namespace that `helm install --create-namespace` would),
 *    split by kind into deploy/00-crds.yaml, 01-rbac.yaml, 02-operator.yaml, 03-dashboards.yaml, and,
 *    rendered again with the ServiceMonitor and PrometheusRule on, deploy/monitoring/*.yaml (for
 *    clusters with the Prometheus Operator; not part of `kubectl apply -f deploy/`).
 *
 * Files in those targets that the plan no longer has are deleted. `--check` writes nothing and exits 1
 * listing every file that differs (test/integration/chart/ runs the same check). helm comes from
 * hack/chart/helm/build.sh (built from the Go module proxy on first use, then cached).
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { loadAll } from "js-yaml";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CHART_DIR = "charts/replistore";
export const RELEASE = "replistore";
export const NAMESPACE = "replistore-system";

export interface GeneratedFile {
  /** relative to the repository root */
  path: string;
  text: string;
}

/** Where generated files live: every file matching is either planned or stale. */
const TARGETS: { dir: string; match: RegExp }[] = [
  { dir: `${CHART_DIR}/crds`, match: /\.yaml$/ },
  { dir: `${CHART_DIR}/files/dashboards`, match: /\.json$/ },
  { dir: `${CHART_DIR}/files/prometheus`, match: /\.ya?ml$/ },
  { dir: "deploy", match: /^\d\d-.*\.yaml$/ },
  { dir: "deploy/monitoring", match: /\.yaml$/ },
];

/** deploy/*.yaml by kind, in the order `kubectl apply -f deploy/` applies them (file names sort). */
const DEPLOY_FILES: { file: string; kinds: string[]; about: string }[] = [
  {
    file: "deploy/00-crds.yaml",
    kinds: ["CustomResourceDefinition"],
    about: "The ReplicatedStore and ReplicatedStoreBackup CRDs.",
  },
  {
    file: "deploy/01-rbac.yaml",
    kinds: ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    about:
      "The replistore-system namespace (restricted Pod Security), the operator's service account and its least-privilege RBAC (docs/install.md).",
  },
  {
    file: "deploy/02-operator.yaml",
    kinds: ["Service", "PodDisruptionBudget", "Deployment"],
    about: "The operator: 2 replicas with leader election, its metrics Service and disruption budget.",
  },
  {
    file: "deploy/03-dashboards.yaml",
    kinds: ["ConfigMap"],
    about: "The Grafana dashboards of deploy/grafana/ as ConfigMaps for the Grafana sidecar.",
  },
];
const MONITORING_FILES: { file: string; kinds: string[]; about: string }[] = [
  {
    file: "deploy/monitoring/servicemonitor.yaml",
    kinds: ["ServiceMonitor"],
    about: "Prometheus Operator: scrape the operator's metrics Service.",
  },
  {
    file: "deploy/monitoring/prometheusrule.yaml",
    kinds: ["PrometheusRule"],
    about: "Prometheus Operator: the alert rules of deploy/prometheus/.",
  },
];

async function listFiles(dir: string, match: RegExp): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && match.test(e.name))
    .map((e) => `${dir}/${e.name}`)
    .sort();
}

function isRuleFile(text: string): boolean {
  let doc: unknown;
  try {
    doc = loadAll(text)[0];
  } catch {
    return false;
  }
  if (typeof doc !== "object" || doc === null) return false;
  const record = doc as Record<string, unknown>;
  if (Array.isArray(record.groups)) return true;
  const spec = record.spec as Record<string, unknown> | undefined;
  return record.kind === "PrometheusRule" && Array.isArray(spec?.groups);
}

/** Step 1: the files the chart copies from elsewhere in the repository. */
export async function chartCopies(): Promise<GeneratedFile[]> {
  const out: GeneratedFile[] = [];
  const copy = async (from: string, toDir: string) => {
    out.push({
      path: `${toDir}/${from.slice(from.lastIndexOf("/") + 1)}`,
      text: await readFile(join(ROOT, from), "utf8"),
    });
  };
  for (const file of await listFiles("crds", /\.yaml$/)) await copy(file, `${CHART_DIR}/crds`);
  for (const file of await listFiles("deploy/grafana", /\.json$/))
    await copy(file, `${CHART_DIR}/files/dashboards`);
  for (const file of await listFiles("deploy/prometheus", /\.ya?ml$/)) {
    if (isRuleFile(await readFile(join(ROOT, file), "utf8")))
      await copy(file, `${CHART_DIR}/files/prometheus`);
  }
  return out;
}

/** The helm binary hack/chart/helm/build.sh builds or finds in its cache (its last output line). */
export function helmBinary(build = true): string {
  if (!build) {
    const goMod = execFileSync("cat", [join(ROOT, "hack/chart/helm/go.mod")], { encoding: "utf8" });
    const version = /^\s*helm\.sh\/helm\/v4 (\S+)/m.exec(goMod)?.[1];
    const cache = process.env.REPLISTORE_CACHE ?? join(process.env.HOME ?? "", ".cache", "replistore");
    const path = join(cache, "helm", version ?? "?", "helm");
    if (!existsSync(path)) {
      throw new Error(
        `${path} is missing: run \`npm run helm:build\` (builds helm ${version} from the Go module proxy)`,
      );
    }
    return path;
  }
  const output = execFileSync("bash", [join(ROOT, "hack/chart/helm/build.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return output.trim().split("\n").at(-1) ?? "";
}

/** A copy of the chart with the planned copies in place, so rendering never depends on a stale sync. */
export async function stagedChart(
  copies: GeneratedFile[],
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const tmp = await mkdtemp(join(tmpdir(), "replistore-chart-"));
  const dir = join(tmp, "replistore");
  await cp(join(ROOT, CHART_DIR), dir, { recursive: true });
  for (const target of TARGETS.filter((t) => t.dir.startsWith(`${CHART_DIR}/`))) {
    await rm(join(tmp, target.dir.replace(`${CHART_DIR}`, "replistore")), { recursive: true, force: true });
  }
  for (const file of copies) {
    const path = join(dir, relative(CHART_DIR, file.path));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.text);
  }
  return { dir, remove: () => rm(tmp, { recursive: true, force: true }) };
}

export interface RenderedDoc {
  kind: string;
  name: string;
  text: string;
}

/** `helm template` split into documents (each keeps its comments), with the kind and name of each. */
export function helmTemplate(helm: string, chartDir: string, args: string[]): RenderedDoc[] {
  const output = execFileSync(helm, ["template", RELEASE, chartDir, "--namespace", NAMESPACE, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const docs: RenderedDoc[] = [];
  for (const chunk of output.split(/^---\s*$/m)) {
    const text = chunk.trim();
    if (text === "") continue;
    // A template that rendered nothing leaves its "# Source:" comment alone: no object.
    const object = loadAll(text)[0] as { kind?: string; metadata?: { name?: string } } | null | undefined;
    if (!object) continue;
    docs.push({ kind: object.kind ?? "", name: object.metadata?.name ?? "", text: `${text}\n` });
  }
  return docs;
}

const HEADER = (about: string, command: string) =>
  [
    `# ${about}`,
    "# Generated from charts/replistore by `npm run gen:deploy` (hack/chart/generate.ts): do not edit.",
    `# ${command}`,
    "",
  ].join("\n");

function group(
  docs: RenderedDoc[],
  files: { file: string; kinds: string[]; about: string }[],
  command: string,
): GeneratedFile[] {
  const known = new Set(files.flatMap((f) => f.kinds));
  const unknown = docs.filter((d) => !known.has(d.kind));
  if (unknown.length > 0) {
    throw new Error(
      `the chart renders kinds hack/chart/generate.ts does not place in deploy/: ${unknown.map((d) => `${d.kind}/${d.name}`).join(", ")}`,
    );
  }
  return files.flatMap(({ file, kinds, about }) => {
    const mine = docs.filter((d) => kinds.includes(d.kind));
    // No file rather than an empty one: `kubectl apply -f` refuses a file without objects.
    if (mine.length === 0) return [];
    return [{ path: file, text: HEADER(about, command) + mine.map((d) => `---\n${d.text}`).join("") }];
  });
}

/**
 * The repository's biome formats YAML too (`biome ci` checks every file), so generated manifests are
 * written as it formats them; the objects must be the same before and after.
 */
export function biomeFormatted(file: GeneratedFile): GeneratedFile {
  const result = spawnSync(
    join(ROOT, "node_modules/.bin/biome"),
    ["format", `--stdin-file-path=${file.path}`],
    {
      cwd: ROOT,
      input: file.text,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (result.status !== 0) {
    throw new Error(`biome format ${file.path} failed (${result.status}): ${result.stderr}${result.stdout}`);
  }
  if (!isDeepStrictEqual(loadAll(result.stdout), loadAll(file.text))) {
    throw new Error(`biome format changed the objects of ${file.path}, not only their layout`);
  }
  return { path: file.path, text: result.stdout };
}

/** Step 2: deploy/*.yaml and deploy/monitoring/*.yaml from the staged chart. */
export function renderDeploy(helm: string, chartDir: string): GeneratedFile[] {
  // No CRD hook: applying deploy/ again applies 00-crds.yaml, the new CRD, itself.
  const base = ["--include-crds", "--set", "namespace.create=true", "--set", "crds.upgrade=false"];
  const monitoringSet = [
    "--set",
    "metrics.serviceMonitor.enabled=true",
    "--set",
    "prometheusRule.enabled=true",
  ];
  const command = `helm template ${RELEASE} charts/replistore --namespace ${NAMESPACE} ${base.join(" ")}`;
  const plain = group(helmTemplate(helm, chartDir, base), DEPLOY_FILES, command);
  const monitoring = group(
    helmTemplate(helm, chartDir, [...base, ...monitoringSet]).filter((d) =>
      ["ServiceMonitor", "PrometheusRule"].includes(d.kind),
    ),
    MONITORING_FILES,
    `${command} ${monitoringSet.join(" ")}`,
  );
  return [...plain, ...monitoring].map(biomeFormatted);
}

/** Everything generated, from the sources as they are now. */
export async function plannedFiles(helm: string): Promise<GeneratedFile[]> {
  const copies = await chartCopies();
  const staged = await stagedChart(copies);
  try {
    return [...copies, ...renderDeploy(helm, staged.dir)];
  } finally {
    await staged.remove();
  }
}

export interface Drift {
  /** planned files whose content on disk differs, or that are missing */
  changed: string[];
  /** files in a generated folder that the plan does not have */
  stale: string[];
}

export async function drift(planned: GeneratedFile[]): Promise<Drift> {
  const changed: string[] = [];
  for (const file of planned) {
    const onDisk = await readFile(join(ROOT, file.path), "utf8").catch(() => undefined);
    if (onDisk !== file.text) changed.push(file.path);
  }
  const wanted = new Set(planned.map((f) => f.path));
  const stale: string[] = [];
  for (const target of TARGETS) {
    for (const file of await listFiles(target.dir, target.match)) if (!wanted.has(file)) stale.push(file);
  }
  return { changed, stale };
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  const planned = await plannedFiles(helmBinary());
  const { changed, stale } = await drift(planned);
  if (check) {
    if (changed.length + stale.length === 0) {
      console.log(`gen:deploy: ${planned.length} generated files are up to date`);
      return;
    }
    for (const path of changed) console.error(`gen:deploy: differs: ${path}`);
    for (const path of stale) console.error(`gen:deploy: not generated any more: ${path}`);
    console.error("gen:deploy: run `npm run gen:deploy` and commit the result");
    process.exitCode = 1;
    return;
  }
  for (const path of changed) {
    const file = planned.find((f) => f.path === path);
    if (!file) continue;
    await mkdir(dirname(join(ROOT, path)), { recursive: true });
    await writeFile(join(ROOT, path), file.text);
    console.log(`gen:deploy: wrote ${path}`);
  }
  for (const path of stale) {
    await rm(join(ROOT, path));
    console.log(`gen:deploy: deleted ${path}`);
  }
  console.log(`gen:deploy: ${planned.length} files, ${changed.length} written, ${stale.length} deleted`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
