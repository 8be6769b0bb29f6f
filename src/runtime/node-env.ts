/** The environment a node inherits from `up`: never a stray identity or token from the user's shell. */

const PER_NODE = ["REPLISTORE_NODE_ID", "REPLISTORE_LISTEN", "REPLISTORE_DATA_DIR", "REPLISTORE_CONFIG"];
const CLIENT_ONLY = ["REPLISTORE_TOKEN", "REPLISTORE_ENDPOINT"];

export function nodeEnvironment(parent: NodeJS.ProcessEnv, token: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...parent };
  for (const name of [...PER_NODE, ...CLIENT_ONLY]) delete env[name];
  if (token !== undefined) env.REPLISTORE_TOKEN = token;
  return env;
}
