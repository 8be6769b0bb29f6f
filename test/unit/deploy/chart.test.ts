/**
 * What can be checked about the chart, the image recipe and the generated files without helm or
 * podman (test/integration/chart and test/integration/image run those): the chart's copies of crds/,
 * deploy/grafana and deploy/prometheus are current, its versions follow package.json, every value
 * is documented in values.schema.json, and the Dockerfile builds on the base hack/image/ makes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAll } from "js-yaml";
import { describe, expect, it } from "vitest";
import { CHART_DIR, chartCopies, ROOT } from "../../../hack/chart/generate.ts";
import { RUN_AS_USER } from "../../../src/builders/context.ts";
import { OPERATOR_NODE_OPTIONS } from "../../../src/operator/runtime-flags.ts";

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const yaml = (path: string) => loadAll(read(path))[0] as Record<string, unknown>;
const pkg = JSON.parse(read("package.json")) as { version: string; devDependencies: Record<string, string> };

interface Schema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
}

describe("charts/replistore", () => {
  it("has the CRD, dashboards and alert rules npm run gen:deploy copies, and nothing else in those folders", async () => {
    const copies = await chartCopies();
    for (const copy of copies) {
      expect(read(copy.path), `${copy.path} is stale: run npm run gen:deploy`).toBe(copy.text);
    }
    const wanted = new Set(copies.map((c) => c.path));
    for (const [sub, match] of [
      ["crds", /\.yaml$/],
      ["files/dashboards", /\.json$/],
      ["files/prometheus", /\.ya?ml$/],
    ] as const) {
      const present = readdirSync(join(ROOT, CHART_DIR, sub)).filter((f) => match.test(f));
      for (const file of present) {
        expect(
          wanted.has(`${CHART_DIR}/${sub}/${file}`),
          `${CHART_DIR}/${sub}/${file}: run npm run gen:deploy`,
        ).toBe(true);
      }
    }
    expect(copies.map((c) => c.path)).toContain(`${CHART_DIR}/crds/replistore.io_replicatedstores.yaml`);
  });

  it("has the version of package.json as chart version and appVersion", () => {
    const chart = yaml(`${CHART_DIR}/Chart.yaml`);
    expect(chart.version).toBe(pkg.version);
    expect(chart.appVersion).toBe(pkg.version);
  });

  it("documents every value in values.schema.json, and the schema has nothing values.yaml lacks", () => {
    const values = yaml(`${CHART_DIR}/values.yaml`);
    const schema = JSON.parse(read(`${CHART_DIR}/values.schema.json`)) as Schema;
    const problems: string[] = [];
    const walk = (value: unknown, node: Schema, path: string) => {
      const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
      // Free-form maps (resources, affinity, labels...) are documented as a whole.
      if (!isObject || !node.properties) return;
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const sub = node.properties[key];
        if (!sub) problems.push(`${path}${key}: not in the schema`);
        else if (!sub.description) problems.push(`${path}${key}: no description`);
        else walk(child, sub, `${path}${key}.`);
      }
      for (const key of Object.keys(node.properties)) {
        if (key !== "global" && !(key in (value as Record<string, unknown>))) {
          problems.push(`${path}${key}: in the schema but not in values.yaml`);
        }
      }
      if (node.additionalProperties !== false)
        problems.push(`${path || "(top)"}: misspelt keys are not refused`);
    };
    walk(values, schema, "");
    expect(problems).toEqual([]);
  });

  it("runs the operator with the V8 flags the benchmark measured, as the image's user", () => {
    const values = yaml(`${CHART_DIR}/values.yaml`) as {
      operator: { nodeOptions: string; podSecurityContext: { runAsUser: number; runAsGroup: number } };
    };
    expect(values.operator.nodeOptions).toBe(OPERATOR_NODE_OPTIONS);
    expect(values.operator.podSecurityContext.runAsUser).toBe(RUN_AS_USER);
    expect(values.operator.podSecurityContext.runAsGroup).toBe(RUN_AS_USER);
  });
});

describe("the image recipe", () => {
  const dockerfile = read("Dockerfile");
  const versions = read("hack/image/versions.env");
  const base = /^BASE_IMAGE=(\S+)$/m.exec(versions)?.[1];

  it("builds every stage FROM the base hack/image/base.sh makes, of the project's Node major", () => {
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBe(2);
    for (const from of froms) expect(from).toBe(base);
    const nodeMajor = /(\d+)/.exec(pkg.devDependencies.node ?? "")?.[1];
    expect(base).toMatch(new RegExp(`:${nodeMajor}-`));
  });

  it("runs as the uid the operator's pods require, with the CLI as entrypoint", () => {
    expect(dockerfile).toMatch(new RegExp(`^USER ${RUN_AS_USER}:${RUN_AS_USER}$`, "m"));
    expect(dockerfile).toMatch(/^ENTRYPOINT \["replistore"\]$/m);
  });

  it("sends only what the image needs as build context", () => {
    const ignore = read(".dockerignore")
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#"));
    expect(ignore).toEqual(["*", "!package.json", "!package-lock.json", "!src/"]);
    for (const match of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of match[1]?.split(/\s+/) ?? []) {
        expect(["package.json", "package-lock.json", "src"]).toContain(source);
      }
    }
  });
});
