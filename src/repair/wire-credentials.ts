/**
 * What the repair Job needs to talk to the nodes as one of their peers: the CA to verify them and
 * the store's certificate for the peer routes (mutual TLS), or the peer secret without TLS. The
 * operator mounts the nodes' TLS Secret into the Job; `replistore up` passes its local directory.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { buildConnector } from "undici";
import { UserError } from "../errors.ts";

export interface RepairWire {
  /** PEM: the CA that signed the nodes' certificate */
  ca?: string;
  /** PEM: the certificate and key that make this process a peer */
  cert?: string;
  key?: string;
  /** without TLS: what the peer routes want in X-Replistore-Peer-Secret */
  peerSecret?: string;
}

function read(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${what} ${path} (${code === "ENOENT" ? "no such file" : code})`);
  }
}

/** From REPLISTORE_TLS_DIR (tls.crt, tls.key, ca.crt), REPLISTORE_CACERT and REPLISTORE_PEER_SECRET. */
export function repairWireFromEnv(env: NodeJS.ProcessEnv, cacert?: string): RepairWire {
  const wire: RepairWire = {};
  const dir = env.REPLISTORE_TLS_DIR || undefined;
  if (dir !== undefined) {
    wire.cert = read(join(dir, "tls.crt"), "REPLISTORE_TLS_DIR's");
    wire.key = read(join(dir, "tls.key"), "REPLISTORE_TLS_DIR's");
    wire.ca = read(join(dir, "ca.crt"), "REPLISTORE_TLS_DIR's");
  }
  const caFile = cacert ?? (env.REPLISTORE_CACERT || undefined);
  if (caFile !== undefined) wire.ca = read(caFile, cacert !== undefined ? "--cacert" : "REPLISTORE_CACERT");
  if (env.REPLISTORE_PEER_SECRET) wire.peerSecret = env.REPLISTORE_PEER_SECRET;
  return wire;
}

/** undici connect options for these credentials. */
export function connectOptions(wire: RepairWire): buildConnector.BuildOptions {
  return {
    ...(wire.ca !== undefined ? { ca: wire.ca } : {}),
    ...(wire.cert !== undefined && wire.key !== undefined ? { cert: wire.cert, key: wire.key } : {}),
  };
}
