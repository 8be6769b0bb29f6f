/** The environment a node inherits from `up`: never a stray identity or token from the user's shell. */

const PER_NODE = [
  "REPLISTORE_NODE_ID",
  "REPLISTORE_LISTEN",
  "REPLISTORE_DATA_DIR",
  "REPLISTORE_CONFIG",
  "REPLISTORE_PEER_LISTEN",
  "REPLISTORE_TLS_DIR",
  "REPLISTORE_PEER_SECRET",
];
const CLIENT_ONLY = ["REPLISTORE_TOKEN", "REPLISTORE_ENDPOINT", "REPLISTORE_CACERT"];

/** How the local nodes (and the repair runs, which act as their peer) secure the wire. */
export interface WireEnv {
  tlsDir?: string;
  peerSecret?: string;
}

export function nodeEnvironment(
  parent: NodeJS.ProcessEnv,
  token: string | undefined,
  wire: WireEnv = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...parent };
  for (const name of [...PER_NODE, ...CLIENT_ONLY]) delete env[name];
  if (token !== undefined) env.REPLISTORE_TOKEN = token;
  if (wire.tlsDir !== undefined) env.REPLISTORE_TLS_DIR = wire.tlsDir;
  if (wire.peerSecret !== undefined) env.REPLISTORE_PEER_SECRET = wire.peerSecret;
  return env;
}
