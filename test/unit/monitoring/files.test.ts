/** CI's check that deploy/grafana and deploy/prometheus are what src/monitoring generates. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { formatted, ROOT } from "../../../hack/monitoring/format.ts";
import { monitoringFiles, RULES_FILE } from "../../../src/monitoring/files.ts";

describe("generated monitoring files", () => {
  const files = monitoringFiles();

  it.each(files.map((f) => [f.path, f] as const))("%s is up to date", (_path, file) => {
    const committed = (() => {
      try {
        return readFileSync(resolve(ROOT, file.path), "utf8");
      } catch {
        return undefined;
      }
    })();
    if (committed !== formatted(file).text) {
      expect.fail(
        `${file.path} is out of date with src/monitoring: run npm run gen:monitoring and commit the result`,
      );
    }
  });

  it("read back as the objects they were made from", () => {
    for (const file of files) {
      const committed = readFileSync(resolve(ROOT, file.path), "utf8");
      const parsed = file.path.endsWith(".json") ? JSON.parse(committed) : load(committed);
      const original = file.path.endsWith(".json") ? JSON.parse(file.text) : load(file.text);
      expect(parsed, file.path).toEqual(original);
    }
  });

  it("the rule file is a plain Prometheus rule file", () => {
    const rules = load(readFileSync(resolve(ROOT, RULES_FILE), "utf8")) as {
      groups: Array<{ name: string; rules: Array<Record<string, unknown>> }>;
    };
    expect(rules.groups.map((g) => g.name)).toEqual(["replistore.stores", "replistore.operator"]);
    for (const rule of rules.groups.flatMap((g) => g.rules)) {
      expect(Object.keys(rule).sort()).toEqual(["alert", "annotations", "expr", "for", "labels"]);
    }
  });
});
