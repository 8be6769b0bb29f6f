/** The `replistore` command tree. Built separately from main.ts so tests can parse without exiting. */
import { Command, type OutputConfiguration } from "commander";
import pkg from "../../package.json" with { type: "json" };
import { registerBackup } from "./commands/backup.ts";
import { registerConflicts } from "./commands/conflicts.ts";
import { registerCrd } from "./commands/crd.ts";
import { registerKubectl } from "./commands/kubectl/index.ts";
import { registerKv } from "./commands/kv.ts";
import { registerNode } from "./commands/node.ts";
import { registerOperator } from "./commands/operator.ts";
import { registerRepair } from "./commands/repair.ts";
import { registerStatus } from "./commands/status.ts";
import { registerUp } from "./commands/up.ts";

/** `output` redirects commander's own messages (help, usage errors), e.g. for tests. */
export function buildProgram(output?: OutputConfiguration): Command {
  const program = new Command("replistore")
    .description(
      "replicated key-value stores: run them locally (up), talk to them (kv, status, conflicts), run a node (node), repair replicas (repair), run the Kubernetes operator (operator), its CRD (crd)",
    )
    .version(pkg.version)
    // Settings are inherited by subcommands created after this point.
    .exitOverride()
    .showHelpAfterError("(add --help for usage)");
  if (output) program.configureOutput(output);
  registerUp(program);
  registerNode(program);
  registerKv(program);
  registerStatus(program);
  registerRepair(program);
  registerBackup(program);
  registerConflicts(program);
  registerOperator(program);
  registerCrd(program);
  registerKubectl(program);
  return program;
}
