/** `replistore node`: one replica node in the foreground (what `up` spawns and each pod runs). */
import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { UserError } from "../../errors.ts";
import type { ClientTokens } from "../../node/client-tokens.ts";
import { listenAddress } from "../options.ts";

type RoleTokens = { -readonly [R in Exclude<keyof ClientTokens, "all">]?: string };

interface NodeFlags {
  id: string;
  listen: string;
  data: string;
  config: string;
  tokenFile?: string;
  readTokenFile?: string;
  writeTokenFile?: string;
  adminTokenFile?: string;
  logLevel: string;
  tlsDir?: string;
  peerListen?: string;
  peerSecretFile?: string;
}

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

function readTokenFile(flag: string, file: string): string {
  let token: string;
  try {
    token = readFileSync(file, "utf8").trim();
  } catch (err) {
    const code = err instanceof Error && "code" in err ? String(err.code) : String(err);
    throw new UserError(`cannot read ${flag} ${file}: ${code === "ENOENT" ? "no such file" : code}`);
  }
  if (token === "")
    throw new UserError(`${flag} ${file} is empty: put the token in it, or leave the flag out`);
  return token;
}

/** Each token from its file flag, else its environment variable (how the pod's Secrets arrive). */
function tokensOf(flags: NodeFlags, env: NodeJS.ProcessEnv): { token?: string; roleTokens: RoleTokens } {
  const pick = (flag: string, file: string | undefined, envName: string): string | undefined =>
    file !== undefined ? readTokenFile(flag, file) : env[envName] || undefined;
  const token = pick("--token-file", flags.tokenFile, "REPLISTORE_TOKEN");
  const roleTokens: RoleTokens = {};
  const read = pick("--read-token-file", flags.readTokenFile, "REPLISTORE_READ_TOKEN");
  const write = pick("--write-token-file", flags.writeTokenFile, "REPLISTORE_WRITE_TOKEN");
  const admin = pick("--admin-token-file", flags.adminTokenFile, "REPLISTORE_ADMIN_TOKEN");
  if (read !== undefined) roleTokens.read = read;
  if (write !== undefined) roleTokens.write = write;
  if (admin !== undefined) roleTokens.admin = admin;
  return { ...(token !== undefined ? { token } : {}), roleTokens };
}

/** Fault injection for tests: shifts this node's wall clock. Hidden from --help on purpose. */
function clockSkewOf(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.REPLISTORE_CLOCK_SKEW_MS;
  if (raw === undefined || raw === "") return undefined;
  if (!/^[+-]?[0-9]+$/.test(raw))
    throw new UserError(`REPLISTORE_CLOCK_SKEW_MS must be a whole number of ms, got "${raw}"`);
  return Number(raw);
}

/** The peer secret (TLS off): from --peer-secret-file, else REPLISTORE_PEER_SECRET. */
function peerSecretOf(flags: NodeFlags, env: NodeJS.ProcessEnv): string | undefined {
  if (flags.peerSecretFile === undefined) return env.REPLISTORE_PEER_SECRET || undefined;
  let secret: string;
  try {
    secret = readFileSync(flags.peerSecretFile, "utf8").trim();
  } catch (err) {
    const code = err instanceof Error && "code" in err ? String(err.code) : String(err);
    throw new UserError(
      `cannot read --peer-secret-file ${flags.peerSecretFile}: ${code === "ENOENT" ? "no such file" : code}`,
    );
  }
  if (secret === "") throw new UserError(`--peer-secret-file ${flags.peerSecretFile} is empty`);
  return secret;
}

async function node(flags: NodeFlags): Promise<void> {
  const peerSecret = peerSecretOf(flags, process.env);
  const { token, roleTokens } = tokensOf(flags, process.env);
  const clockSkewMs = clockSkewOf(process.env);
  // Loaded only here: the other commands should not pay for the storage engine and server.
  const { runNode } = await import("../../node/main.ts");
  await runNode({
    id: flags.id,
    listen: flags.listen,
    dataDir: flags.data,
    configPath: flags.config,
    logLevel: flags.logLevel,
    ...(flags.tlsDir ? { tlsDir: flags.tlsDir } : {}),
    ...(flags.peerListen ? { peerListen: flags.peerListen } : {}),
    ...(peerSecret !== undefined ? { peerSecret } : {}),
    ...(token !== undefined ? { token } : {}),
    roleTokens,
    ...(clockSkewMs !== undefined ? { clockSkewMs } : {}),
  });
}

export function registerNode(program: Command): void {
  program
    .command("node")
    .description("run one replica node in the foreground (replistore up and the operator start these)")
    .addOption(
      new Option("--id <id>", "this node's id, one of the config's members")
        .env("REPLISTORE_NODE_ID")
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--listen <host:port>", "address to serve on")
        .env("REPLISTORE_LISTEN")
        .argParser(listenAddress)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--data <dir>", "this node's data directory")
        .env("REPLISTORE_DATA_DIR")
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--config <file>", "cluster config JSON (reloaded on change)")
        .env("REPLISTORE_CONFIG")
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--token-file <file>", "file holding a token with every role (else REPLISTORE_TOKEN)"),
    )
    .addOption(
      new Option("--read-token-file <file>", "file holding the read token (else REPLISTORE_READ_TOKEN)"),
    )
    .addOption(
      new Option("--write-token-file <file>", "file holding the write token (else REPLISTORE_WRITE_TOKEN)"),
    )
    .addOption(
      new Option("--admin-token-file <file>", "file holding the admin token (else REPLISTORE_ADMIN_TOKEN)"),
    )
    .addOption(
      new Option("--log-level <level>", "log level")
        .env("REPLISTORE_LOG_LEVEL")
        .choices(LOG_LEVELS)
        .default("info"),
    )
    .addOption(
      new Option(
        "--tls-dir <dir>",
        "serve HTTPS with tls.crt, tls.key and ca.crt from this directory (reloaded on change); peers authenticate by certificate",
      ).env("REPLISTORE_TLS_DIR"),
    )
    .addOption(
      new Option("--peer-listen <host:port>", "serve the peer routes on a listener of their own")
        .env("REPLISTORE_PEER_LISTEN")
        .argParser(listenAddress),
    )
    .addOption(
      new Option(
        "--peer-secret-file <file>",
        "file holding the secret peers send when TLS is off (else REPLISTORE_PEER_SECRET)",
      ),
    )
    .action((flags: NodeFlags) => node(flags));
}
