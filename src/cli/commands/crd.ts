/**
 * `replistore crd print|apply`: the CRDs this build generates (ReplicatedStore, ReplicatedStoreBackup). `apply` is what the
 * chart's pre-upgrade hook runs, so `helm upgrade` brings the CRD along; by hand it serves plain
 * manifest installs (`kubectl apply` of deploy/ works as well, but cannot refuse a downgrade).
 */
import type { Command } from "commander";
import { Option } from "commander";
import pkg from "../../../package.json" with { type: "json" };
import { renderAllCrdsYaml } from "../../api/crd-yaml.ts";
import { durationMs, type OutputFormat, outputOption } from "../options.ts";
import { formatStructured, writeOut } from "../output.ts";

interface ApplyFlags {
  kubeconfig?: string;
  timeout: number;
  force: boolean;
  fieldManager: string;
  output: OutputFormat;
}

async function apply(flags: ApplyFlags): Promise<void> {
  // Loaded only here: the other commands should not pay for the Kubernetes client.
  const { loadKubeConfig } = await import("../../operator/controller/kube-config.ts");
  const { upgradeCrds } = await import("../../operator/crd-upgrade.ts");
  const text = flags.output === "text";
  const result = await upgradeCrds(loadKubeConfig(flags.kubeconfig), {
    version: pkg.version,
    timeoutMs: flags.timeout,
    force: flags.force,
    fieldManager: flags.fieldManager,
    progress: (line) => {
      if (text) writeOut(`${line}\n`);
    },
  });
  if (flags.output !== "text") writeOut(formatStructured(result, flags.output));
}

export function registerCrd(program: Command): void {
  const crd = program
    .command("crd")
    .description(
      "the CustomResourceDefinitions of this version (ReplicatedStore, ReplicatedStoreBackup): print them, or apply them to a cluster",
    );
  crd
    .command("print")
    .description("write the CRDs as YAML to stdout (for kubectl apply --server-side -f -)")
    .action(() => writeOut(renderAllCrdsYaml()));
  crd
    .command("apply")
    .description(
      "apply the CRDs server-side and wait until each is established; a CRD from a newer replistore is kept (--force overrides)",
    )
    .addOption(
      new Option(
        "--kubeconfig <file>",
        "kubeconfig to use (default: $KUBECONFIG, in-cluster, ~/.kube/config)",
      ),
    )
    .addOption(
      new Option("--timeout <duration>", "how long to wait for the CRD to be established")
        .argParser(durationMs)
        .default(60_000, "60s"),
    )
    .addOption(new Option("--force", "apply even over a CRD applied by a newer replistore").default(false))
    .addOption(
      new Option(
        "--field-manager <name>",
        "server-side apply field manager; the chart's hook uses helm's own, so a later helm install applies crds/ without conflicts",
      ).default("replistore-crd"),
    )
    .addOption(outputOption())
    .action((flags: ApplyFlags) => apply(flags));
}
