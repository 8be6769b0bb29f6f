/** The flags every client command shares, and how they become a Target. */
import { type Command, Option } from "commander";
import type { Role } from "../api/auth-types.ts";
import { DEFAULT_DATA_DIR } from "../runtime/paths.ts";
import { durationMs, type OutputFormat, outputOption } from "./options.ts";
import { resolveTarget, type Target } from "./target.ts";

export interface ClientFlags {
  endpoint?: string;
  store?: string;
  dataDir: string;
  token?: string;
  cacert?: string;
  output: OutputFormat;
  timeout: number;
}

export function addClientOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--endpoint <url>",
        "a node's base URL (else REPLISTORE_ENDPOINT, else replistore up's store)",
      ),
    )
    .addOption(new Option("--store <name>", "the store started by replistore up, when several run"))
    .addOption(
      new Option("--data-dir <dir>", "where replistore up keeps its stores").default(DEFAULT_DATA_DIR),
    )
    .addOption(
      new Option(
        "--token <token>",
        "bearer token (else REPLISTORE_TOKEN, else the local store's token file with the role the command needs)",
      ),
    )
    .addOption(
      new Option(
        "--cacert <file>",
        "trust this CA for https:// nodes (else REPLISTORE_CACERT, else replistore up's store CA)",
      ),
    )
    .addOption(
      new Option("--timeout <duration>", "give up after this long")
        .argParser(durationMs)
        .default(10_000, "10s"),
    )
    .addOption(outputOption());
}

/** `role`: what the command needs (read for gets, write for kv put/delete, admin for resolve). */
export function targetOf(flags: ClientFlags, role: Role): Target {
  return resolveTarget(
    {
      dataDir: flags.dataDir,
      ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
      ...(flags.store !== undefined ? { store: flags.store } : {}),
      ...(flags.token !== undefined ? { token: flags.token } : {}),
      ...(flags.cacert !== undefined ? { cacert: flags.cacert } : {}),
    },
    process.env,
    role,
  );
}
