/** The pure parts of the kubectl plugin's on-call commands: completion, krew manifest, Job naming. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1CronJob } from "@kubernetes/client-node";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { CAVEATS, krewArch, krewManifest } from "../../../hack/plugin/krew-manifest.ts";
import { candidates, completionScript } from "../../../src/cli/commands/kubectl/completion.ts";
import { parseHub, starOf } from "../../../src/cli/commands/kubectl/hub.ts";
import {
  jobFromCronJob,
  jobState,
  manualJobName,
  wrap,
} from "../../../src/cli/commands/kubectl/repair-now.ts";
import { defaultReportFile, storeEvents } from "../../../src/cli/commands/kubectl/report.ts";
import { restartOrder } from "../../../src/cli/commands/kubectl/restart.ts";
import { renderStoreList } from "../../../src/cli/commands/kubectl/status-list.ts";
import { buildProgram } from "../../../src/cli/program.ts";
import { UserError } from "../../../src/errors.ts";

function pluginCommand() {
  const kubectl = buildProgram().commands.find((c) => c.name() === "kubectl");
  if (!kubectl) throw new Error("no kubectl command");
  return kubectl;
}

/** Runs the bash script's function as bash would on TAB after `words`. */
function complete(script: string, words: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "completion-"));
  const file = join(dir, "c.bash");
  writeFileSync(file, script);
  const line = ["kubectl-replistore", ...words];
  const cword = line.length - 1;
  const quoted = line.map((w) => `'${w}'`).join(" ");
  const out = execFileSync(
    "bash",
    [
      "-c",
      `source ${file}; COMP_WORDS=(${quoted}); COMP_CWORD=${cword}; _kubectl_replistore kubectl-replistore '${line[cword]}' '${line[cword - 1]}'; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: "utf8" },
  );
  return out.split("\n").filter(Boolean);
}

describe("completion", () => {
  const bash = completionScript("bash", pluginCommand());

  it("is valid bash, registered for kubectl-replistore", () => {
    execFileSync("bash", ["-n"], { input: bash });
    expect(bash).toContain("complete -F _kubectl_replistore kubectl-replistore");
  });

  it("completes commands, subcommands, flags and flag values from the command tree", () => {
    expect(complete(bash, [""])).toEqual(
      expect.arrayContaining([
        "status",
        "conflicts",
        "repair",
        "restart",
        "hub",
        "kv",
        "report",
        "completion",
      ]),
    );
    expect(complete(bash, ["conflicts", ""])).toEqual(["list", "show", "resolve"]);
    expect(complete(bash, ["kv", "g"])).toEqual(["get"]);
    expect(complete(bash, ["repair", "now", "orders", "--no"])).toEqual(["--no-wait"]);
    expect(complete(bash, ["-n", "prod", "status", "--all"])).toEqual(["--all-namespaces"]);
    expect(complete(bash, ["status", "-o", ""])).toEqual(["text", "json", "yaml"]);
    expect(complete(bash, ["hub", "orders", "--s"])).toEqual(["--set"]);
  });

  it("answers kubectl's plugin completion (kubectl replistore <TAB>) from the same tree", () => {
    const root = pluginCommand();
    expect(candidates(root, [""])).not.toContain("__complete");
    expect(candidates(root, ["re"])).toEqual(["repair", "restart", "report"]);
    expect(candidates(root, ["kv", ""])).toEqual(["get", "put", "delete"]);
    expect(candidates(root, ["kv", "get", "orders", "--ti"])).toEqual(["--timeout"]);
    expect(candidates(root, ["status", "-o", "j"])).toEqual(["json"]);
    expect(bash).not.toContain("__complete");
  });

  it("zsh runs the same script through bashcompinit; other shells are refused by name", () => {
    const zsh = completionScript("zsh", pluginCommand());
    expect(zsh).toMatch(/^#compdef kubectl-replistore\n/);
    expect(zsh).toContain("autoload -U +X bashcompinit && bashcompinit");
    expect(zsh).toContain(bash);
    expect(() => completionScript("fish", pluginCommand())).toThrow(
      new UserError("no completion for shell fish: choose one of bash, zsh"),
    );
  });
});

describe("krew manifest", () => {
  const sha256 = "a".repeat(64);

  it("names the plugin, its version, each platform's archive and sha256, and the shim", () => {
    const text = krewManifest({
      version: "0.1.0",
      platforms: [{ os: "linux", arch: "amd64", uri: "https://example.com/p.tar.gz", sha256 }],
    });
    const m = load(text) as { spec: { caveats: string; shortDescription: string } };
    expect(m).toMatchObject({
      apiVersion: "krew.googlecontainertools.github.com/v1alpha2",
      kind: "Plugin",
      metadata: { name: "replistore" },
      spec: {
        version: "v0.1.0",
        platforms: [
          {
            selector: { matchLabels: { os: "linux", arch: "amd64" } },
            uri: "https://example.com/p.tar.gz",
            sha256,
            bin: "bin/kubectl-replistore",
          },
        ],
      },
    });
    expect(m.spec.caveats).toBe(CAVEATS);
    expect(m.spec.caveats).toContain("Node.js 24");
    expect(m.spec.shortDescription.length).toBeLessThanOrEqual(80);
  });

  it("refuses a bad sha256, version or no platform; knows krew's arch names", () => {
    const platform = { os: "linux", arch: "amd64", uri: "u", sha256 };
    expect(() => krewManifest({ version: "0.1.0", platforms: [{ ...platform, sha256: "abc" }] })).toThrow(
      /not 64 hex digits/,
    );
    expect(() => krewManifest({ version: "latest", platforms: [platform] })).toThrow(/not semver/);
    expect(() => krewManifest({ version: "0.1.0", platforms: [] })).toThrow(/at least one platform/);
    expect(krewArch("x64")).toBe("amd64");
    expect(krewArch("arm64")).toBe("arm64");
  });
});

describe("repair now's Job", () => {
  const cronJob: V1CronJob = {
    metadata: { name: "orders-repair", namespace: "prod", uid: "u-1" },
    spec: {
      schedule: "0 3 * * *",
      jobTemplate: {
        metadata: { labels: { a: "b" }, annotations: { c: "d" } },
        spec: { backoffLimit: 0, template: { spec: { containers: [{ name: "repair", image: "x" }] } } },
      },
    },
  };

  it("is the CronJob's template, owned by it, annotated as a manual instantiation", () => {
    const job = jobFromCronJob(cronJob, "orders-repair-manual-1");
    expect(job.metadata).toEqual({
      name: "orders-repair-manual-1",
      namespace: "prod",
      labels: { a: "b" },
      annotations: { c: "d", "cronjob.kubernetes.io/instantiate": "manual" },
      ownerReferences: [
        { apiVersion: "batch/v1", kind: "CronJob", name: "orders-repair", uid: "u-1", controller: true },
      ],
    });
    expect(job.spec).toEqual(cronJob.spec?.jobTemplate.spec);
    expect(job.spec).not.toBe(cronJob.spec?.jobTemplate.spec);
  });

  it("is named as the operator's hint names it, and fits 63 characters", () => {
    const at = new Date(1_765_000_000_000);
    expect(manualJobName("orders-repair", at)).toBe("orders-repair-manual-1765000000");
    const long = manualJobName(`${"x".repeat(45)}-repair`, at);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/-m[0-9a-z]+$/);
  });

  it("wraps the summary at 80 columns", () => {
    const lines = wrap(`summary: ${"word ".repeat(40).trim()}`, 80);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^ {2}word/);
  });

  it("states: waiting, pod phase, complete, failed with the reason", () => {
    expect(jobState({}, [])).toBe("waiting for its pod");
    expect(jobState({}, [{ metadata: { name: "p" }, status: { phase: "Pending" } }])).toBe("pod p: Pending");
    expect(jobState({ status: { conditions: [{ type: "Complete", status: "True" }] } }, [])).toBe("complete");
    expect(
      jobState(
        { status: { conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }] } },
        [],
      ),
    ).toBe("failed (BackoffLimitExceeded)");
  });
});

describe("hub, restart, status -A, report", () => {
  it("hub: only Star stores have one, and --set takes a leader's ordinal", () => {
    expect(
      starOf(
        { spec: { mode: "MultiLeader", multiLeader: { leaders: 3, topology: "Star", hub: 1 } } },
        "ns/s",
      ),
    ).toEqual({
      leaders: 3,
      hub: 1,
    });
    expect(() =>
      starOf({ spec: { mode: "MultiLeader", multiLeader: { leaders: 3, topology: "Circle" } } }, "ns/s"),
    ).toThrow("store ns/s uses the Circle topology: only Star has a hub");
    expect(() => starOf({ spec: {} }, "ns/s")).toThrow("store ns/s is Leaderless");
    expect(parseHub("2", 3)).toBe(2);
    for (const bad of ["3", "-1", "1.5", "one", ""]) expect(() => parseHub(bad, 3)).toThrow(/0 to 2/);
  });

  it("restart goes highest ordinal first", () => {
    const pod = (name: string) => ({
      name,
      ip: "1",
      port: 7070,
      ready: true,
      phase: "Running",
      restarts: 0,
      node: undefined,
      startedAt: undefined,
    });
    expect(restartOrder([pod("s-0"), pod("s-10"), pod("s-2")]).map((p) => p.name)).toEqual([
      "s-10",
      "s-2",
      "s-0",
    ]);
  });

  it("status -A fits 80 columns", () => {
    const text = renderStoreList(
      [
        {
          namespace: "a-rather-long-namespace-name-for-payments",
          name: "orders-eu-west",
          spec: { mode: "MultiLeader", replicas: 5 },
          status: { phase: "Degraded", readyReplicas: 4, conflictsPending: 12 },
          createdAt: new Date().toISOString(),
        },
      ],
      true,
    );
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(renderStoreList([], true)).toBe("no ReplicatedStores found\n");
  });

  it("report: its default name, and the events about the store and what it owns", () => {
    expect(defaultReportFile("prod", "orders", new Date("2026-12-06T03:04:05.678Z"))).toBe(
      "replistore-report-prod-orders-20261206T030405Z.tar.gz",
    );
    const ev = (name: string, at: string) => ({ involvedObject: { name }, lastTimestamp: new Date(at) });
    const kept = storeEvents(
      [
        ev("orders-1", "2026-01-02"),
        ev("ordersx", "2026-01-01"),
        ev("orders", "2026-01-01"),
        ev("other", "2026-01-01"),
      ] as never,
      "orders",
    );
    expect(kept.map((e) => e.involvedObject.name)).toEqual(["orders", "orders-1"]);
  });
});
