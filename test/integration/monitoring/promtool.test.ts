/**
 * promtool on the alerts: the shipped rule file and one store's PrometheusRule (from the operator's
 * builder) pass `promtool check rules`, and `promtool test rules` makes each alert fire and not fire
 * (deploy/prometheus/tests/rules.test.yaml; the same cases rendered for the store's rules).
 */

import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { dump } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrometheusRule } from "../../../src/builders/prometheus-rule.ts";
import { promtoolTests } from "../../../src/monitoring/alert-tests.ts";
import type { AlertRule } from "../../../src/monitoring/alerts.ts";
import { ALERT_NAMES } from "../../../src/monitoring/alerts.ts";
import { RULES_FILE, RULES_TEST_FILE } from "../../../src/monitoring/files.ts";
import { store } from "../../unit/builders/fixtures.ts";
import { promtool } from "./prometheus-bin.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function run(args: string[]): { code: number | null; output: string } {
  const result = spawnSync(promtool(), args, { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("promtool", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "replistore-promtool-"));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("check rules accepts the shipped rule file", () => {
    const result = run(["check", "rules", RULES_FILE]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`SUCCESS: ${ALERT_NAMES.length} rules found`);
  });

  it("test rules: every shipped alert fires and stays quiet as its cases say", () => {
    const result = run(["test", "rules", RULES_TEST_FILE]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain("SUCCESS");
  });

  it("check rules and test rules pass on one store's PrometheusRule, as the operator builds it", async () => {
    const object = buildPrometheusRule(store({ monitoring: { prometheusRule: true } }));
    const spec = object?.spec as { groups: Array<{ name: string; rules: AlertRule[] }> };
    const ruleFile = resolve(dir, "store-rules.yaml");
    await writeFile(ruleFile, dump({ groups: spec.groups }, { noRefs: true, lineWidth: -1 }));
    const check = run(["check", "rules", ruleFile]);
    expect(check.code, check.output).toBe(0);
    const rules = spec.groups.flatMap((g) => g.rules);
    const testFile = resolve(dir, "store-rules.test.yaml");
    await writeFile(
      testFile,
      dump(promtoolTests(rules, "store-rules.yaml"), { noRefs: true, lineWidth: -1 }),
    );
    const test = run(["test", "rules", testFile]);
    expect(test.code, test.output).toBe(0);
  });

  it("test rules fails when an alert misbehaves (the tests have teeth)", async () => {
    const object = buildPrometheusRule(store({ monitoring: { prometheusRule: true } }));
    const spec = object?.spec as { groups: Array<{ name: string; rules: AlertRule[] }> };
    const rules = spec.groups.flatMap((g) => g.rules);
    // The node-down alert without its 5 minute grace: the "down for less than 5 minutes" case fails.
    const broken = rules.map((r) => (r.alert === "ReplistoreNodeDown" ? { ...r, for: "1m" } : r));
    await writeFile(resolve(dir, "broken.yaml"), dump({ groups: [{ name: "broken", rules: broken }] }));
    await writeFile(resolve(dir, "broken.test.yaml"), dump(promtoolTests(broken, "broken.yaml")));
    const test = run(["test", "rules", resolve(dir, "broken.test.yaml")]);
    expect(test.code).toBe(1);
    expect(test.output).toContain(
      "ReplistoreNodeDown does not fire while a node has been down for less than 5 minutes",
    );
  });
});
