/** `replistore up -f FILE`: run a store as local processes until Ctrl-C. */
import { type Command, Option } from "commander";
import { DEFAULT_DATA_DIR } from "../../runtime/paths.ts";
import { runUp } from "../../runtime/up.ts";
import { durationMs, listenAddress, port } from "../options.ts";

interface UpFlags {
  file: string;
  dataDir: string;
  portBase: number;
  host: string;
  readyTimeout: number;
  /** false with --no-review */
  review: boolean;
  reviewListen?: string;
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
    .addOption(
      new Option(
        "--review-listen <host:port>",
        "serve the conflict review page here (default: --host, port-base - 1, or any free port)",
      ).argParser(listenAddress),
    )
    .addOption(new Option("--no-review", "do not serve the conflict review page"))
    .action(async (flags: UpFlags) => {
      process.exitCode = await runUp({
        file: flags.file,
        dataDir: flags.dataDir,
        portBase: flags.portBase,
        host: flags.host,
        readyTimeoutMs: flags.readyTimeout,
        review: flags.review ? reviewAddress(flags) : undefined,
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      });
    });
}

/** Where the review page listens: --review-listen, else next to the nodes (moving if that port is taken). */
function reviewAddress(flags: UpFlags): { host: string; port: number; fixed: boolean } {
  if (flags.reviewListen === undefined) {
    return { host: flags.host, port: Math.max(flags.portBase - 1, 0), fixed: false };
  }
  const colon = flags.reviewListen.lastIndexOf(":");
  return {
    host: flags.reviewListen.slice(0, colon).replace(/^\[(.*)\]$/, "$1"),
    port: Number(flags.reviewListen.slice(colon + 1)),
    fixed: true,
  };
}
