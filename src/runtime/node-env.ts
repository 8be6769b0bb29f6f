/** The environment a node inherits from `up`: never a stray identity or token from the user's shell. */
import type { LocalTokens } from "./role-tokens.ts";

const PER_NODE = [
  "REPLISTORE_NODE_ID",
  "REPLISTORE_LISTEN",
  "REPLISTORE_DATA_DIR",
  "REPLISTORE_CONFIG",
  "REPLISTORE_PEER_LISTEN",
  "REPLISTORE_TLS_DIR",
  "REPLISTORE_PEER_SECRET",
];
const TOKEN_ENV = {
  all: "REPLISTORE_TOKEN",
  read: "REPLISTORE_READ_TOKEN",
  write: "REPLISTORE_WRITE_TOKEN",
  admin: "REPLISTORE_ADMIN_TOKEN",
} as const;
const CLIENT_ONLY = ["REPLISTORE_ENDPOINT", "REPLISTORE_CACERT"];

/** How the local nodes (and the repair runs, which act as their peer) secure the wire. */
export interface WireEnv {
  tlsDir?: string;
  peerSecret?: string;
}

export function nodeEnvironment(
  parent: NodeJS.ProcessEnv,
  tokens: LocalTokens,
  wire: WireEnv = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...parent };
  for (const name of [...PER_NODE, ...CLIENT_ONLY, ...Object.values(TOKEN_ENV)]) delete env[name];
  for (const [key, name] of Object.entries(TOKEN_ENV)) {
    const token = tokens[key as keyof LocalTokens];
    if (token !== undefined) env[name] = token;
  }
  if (wire.tlsDir !== undefined) env.REPLISTORE_TLS_DIR = wire.tlsDir;
  if (wire.peerSecret !== undefined) env.REPLISTORE_PEER_SECRET = wire.peerSecret;
  return env;
}

/** The local repair schedule's environment: the nodes', with an admin token as REPLISTORE_TOKEN. */
export function repairEnvironment(
  nodeEnv: NodeJS.ProcessEnv,
  adminToken: string | undefined,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...nodeEnv };
  for (const name of Object.values(TOKEN_ENV)) delete env[name];
  if (adminToken !== undefined) env.REPLISTORE_TOKEN = adminToken;
  return env;
}
