/** `replistore up -f FILE`: run a store as local processes until Ctrl-C. */
import { type Command, Option } from "commander";
import { DEFAULT_DATA_DIR } from "../../runtime/paths.ts";
import { runUp } from "../../runtime/up.ts";
import { durationMs, port } from "../options.ts";

interface UpFlags {
  file: string;
  dataDir: string;
  portBase: number;
  host: string;
  readyTimeout: number;
}

export function registerUp(program: Command): void {
  program
    .command("up")
    .description("run the store of a ReplicatedStore manifest as local processes (Ctrl-C stops it)")
    .requiredOption("-f, --file <path>", "the ReplicatedStore manifest (YAML)")
    .addOption(
      new Option("--data-dir <dir>", "where stores keep config, data and logs").default(DEFAULT_DATA_DIR),
    )
    .addOption(
      new Option("--port-base <port>", "port of node 0; node i gets port-base + i")
        .argParser(port)
        .default(7070),
    )
    .addOption(new Option("--host <host>", "address the nodes listen on").default("127.0.0.1"))
    .addOption(
      new Option("--ready-timeout <duration>", "how long to wait for every node to be ready")
        .argParser(durationMs)
        .default(30_000, "30s"),
    )
    .action(async (flags: UpFlags) => {
      process.exitCode = await runUp({
        file: flags.file,
        dataDir: flags.dataDir,
        portBase: flags.portBase,
        host: flags.host,
        readyTimeoutMs: flags.readyTimeout,
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      });
    });
}
