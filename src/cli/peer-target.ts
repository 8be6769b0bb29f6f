/**
 * Which store a command that acts as one of its peers (repair, backup) works on, and the
 * credentials it is a peer with: a Job has the nodes' config file and TLS directory (or peer
 * secret) in its environment; a person has --endpoint or a `replistore up` store, whose local
 * credentials are found by themselves.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Command, Option } from "commander";
import type { ClusterConfig, Member } from "../config/cluster-config.ts";
import { loadClusterConfig } from "../config/load.ts";
import { UserError } from "../errors.ts";
import { membersFromStatus } from "../repair/members.ts";
import { type RepairWire, repairWireFromEnv } from "../repair/wire-credentials.ts";
import { DEFAULT_DATA_DIR, storePaths } from "../runtime/paths.ts";
import { readToken } from "../runtime/token.ts";
import { resolveTarget } from "./target.ts";

export interface PeerTargetFlags {
  config?: string;
  endpoint?: string;
  store?: string;
  dataDir: string;
  token?: string;
  cacert?: string;
  timeout: number;
}

export interface PeerTarget {
  members: Member[];
  token: string | undefined;
  wire: RepairWire;
  /** the whole config, with --config */
  config?: ClusterConfig;
  /** the node URLs asked for the members, without --config */
  urls?: string[];
}

function localWire(flags: PeerTargetFlags, store: string | undefined): RepairWire {
  const env = { ...process.env };
  if (store !== undefined && !env.REPLISTORE_TLS_DIR && !env.REPLISTORE_PEER_SECRET) {
    const paths = storePaths(flags.dataDir, store);
    if (existsSync(join(paths.tlsDir, "tls.crt"))) env.REPLISTORE_TLS_DIR = paths.tlsDir;
    else {
      const secret = readToken(paths.peerSecret);
      if (secret !== undefined) env.REPLISTORE_PEER_SECRET = secret;
    }
  }
  return repairWireFromEnv(env, flags.cacert);
}

export async function resolvePeerTarget(flags: PeerTargetFlags): Promise<PeerTarget> {
  if (flags.config !== undefined) {
    if (flags.endpoint !== undefined || flags.store !== undefined) {
      throw new UserError("pass either --config or --endpoint/--store, not both");
    }
    const config = loadClusterConfig(flags.config);
    return {
      members: config.members.map((m) => ({
        id: m.id,
        url: m.url,
        ...(m.peerUrl !== undefined ? { peerUrl: m.peerUrl } : {}),
      })),
      token: flags.token ?? (process.env.REPLISTORE_TOKEN || undefined),
      wire: repairWireFromEnv(process.env, flags.cacert),
      config,
    };
  }
  const target = resolveTarget(
    {
      dataDir: flags.dataDir,
      ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
      ...(flags.store !== undefined ? { store: flags.store } : {}),
      ...(flags.token !== undefined ? { token: flags.token } : {}),
    },
    process.env,
    // Acting as a peer is an admin's action: the local store's admin token, where it has one.
    "admin",
  );
  const wire = localWire(flags, target.store);
  return {
    members: await membersFromStatus(target.urls, target.token, flags.timeout, wire),
    token: target.token,
    wire,
    urls: target.urls,
  };
}

/** The flags that name the store and the credentials: --config, or --endpoint/--store, and the rest. */
export function peerTargetOptions(command: Command): Command {
  return command
    .addOption(new Option("--config <file>", "the nodes' cluster.json (members and their URLs)"))
    .addOption(
      new Option("--endpoint <url>", "any node of the store: the members are read from its /v1/status"),
    )
    .addOption(new Option("--store <name>", "a store started by replistore up"))
    .addOption(
      new Option("--data-dir <dir>", "where replistore up keeps its stores").default(DEFAULT_DATA_DIR),
    )
    .addOption(new Option("--token <token>", "bearer token (else REPLISTORE_TOKEN)"))
    .addOption(
      new Option(
        "--cacert <file>",
        "trust this CA for https:// nodes (else REPLISTORE_CACERT or REPLISTORE_TLS_DIR's ca.crt)",
      ),
    );
}
