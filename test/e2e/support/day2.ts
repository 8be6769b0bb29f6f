/**
 * Helpers for the day-2 e2e file (scaling and anti-entropy). Bulk reads and writes run as one small
 * Node script inside the client pod, against the node HTTP API (`docs/api.md`) through the Services'
 * DNS names: one `kubectl exec` for a batch of keys instead of one CLI process per key, which keeps
 * the file's runtime small on two shared cores while the requests still cross the pod network.
 */

import { NODE_CONTAINER } from "../../../src/builders/node-container.ts";
import { CA_CERT_KEY, TLS_CERT_KEY, TLS_KEY_KEY } from "../../../src/builders/tls-names.ts";
import { HashRing } from "../../../src/node/ring/hash-ring.ts";
import { type CommandResult, kubectlJson, run } from "./commands.ts";
import { type ClientPod, storeNodeUrl, storeServiceUrl } from "./stores.ts";

/** What one read of a key answered: the HTTP status, and the value when it is 200. */
export interface ReadResult {
  status: number;
  value?: string;
}

const PUT_SCRIPT = `
import { text } from "node:stream/consumers";
const { base, keys } = JSON.parse(await text(process.stdin));
for (const key of keys) {
  try {
    const res = await fetch(base + "/v1/kv/" + encodeURIComponent(key), {
      method: "PUT",
      body: "value-" + key,
      signal: AbortSignal.timeout(10000),
    });
    await res.arrayBuffer();
    if (res.ok) console.log(key);
  } catch {}
}
`;

const GET_SCRIPT = `
import { text } from "node:stream/consumers";
const { base, keys, local } = JSON.parse(await text(process.stdin));
const out = {};
for (const key of keys) {
  try {
    const res = await fetch(base + "/v1/kv/" + encodeURIComponent(key) + (local ? "?local=true" : ""), {
      signal: AbortSignal.timeout(10000),
    });
    const body = await res.text();
    out[key] = res.status === 200 ? { status: 200, value: body } : { status: res.status };
  } catch (error) {
    out[key] = { status: 0, value: String(error) };
  }
}
console.log(JSON.stringify(out));
`;

const STATUS_SCRIPT = `
import { text } from "node:stream/consumers";
const { urls } = JSON.parse(await text(process.stdin));
const out = [];
for (const url of urls) {
  try {
    const res = await fetch(url + "/v1/status", { signal: AbortSignal.timeout(5000) });
    const body = await res.json();
    out.push({ generation: body.generation, members: (body.members ?? []).length });
  } catch (error) {
    out.push({ error: String(error) });
  }
}
console.log(JSON.stringify(out));
`;

// The anti-entropy apply endpoint (src/wire/anti-entropy.ts AE_APPLY), msgpack as the repair job
// sends it: the only way to give one replica a version the others lack, as a lost replica would.
// Peer routes open only to a peer: the script presents the store's own certificate (as the repair
// Job does), on the peer port, from a pod of the store (the NetworkPolicy admits no other pod there).
const APPLY_SCRIPT = `
import { pack, unpack } from "msgpackr";
import { text } from "node:stream/consumers";
import { Agent, request } from "undici";
const { url, records, cert, key, ca } = JSON.parse(await text(process.stdin));
const tuples = records.map(([k, wall, node, value]) => [k, [wall, 0, node, Buffer.from(value)]]);
const dispatcher = new Agent({ connect: { cert, key, ca } });
const res = await request(url + "/internal/v1/ae/apply", {
  method: "POST",
  headers: { "content-type": "application/msgpack" },
  body: pack({ records: tuples }),
  dispatcher,
  headersTimeout: 30000,
});
const body = Buffer.from(await res.body.arrayBuffer());
const ok = res.statusCode === 200;
console.log(JSON.stringify({ status: res.statusCode, body: ok ? unpack(body) : body.toString() }));
await dispatcher.close();
`;

type Exec = (args: string[], options: { input: string; timeoutMs: number }) => Promise<CommandResult>;

/** Runs a module script with node through `exec` (in the image's working directory, /app). */
async function runScript(where: string, exec: Exec, script: string, input: unknown): Promise<string> {
  const result = await exec(["node", "--input-type=module", "-e", script], {
    input: JSON.stringify(input),
    timeoutMs: 180_000,
  });
  if (result.code !== 0) throw new Error(`script in ${where} failed (exit ${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** Runs a module script in the client pod. */
function nodeScript(client: ClientPod, script: string, input: unknown): Promise<string> {
  return runScript(client.name, (args, options) => client.exec(args, options), script, input);
}

/** The client Service's URL, as an application in the namespace would use it. */
export const serviceUrl = storeServiceUrl;

/** One node's URL, by its pod's DNS name under the peers Service. */
export const nodeUrl = storeNodeUrl;

/** One node's peer port (src/builders: 7071, named peer), by its pod's DNS name. */
function peerUrl(namespace: string, store: string, ordinal: number): string {
  return `https://${store}-${ordinal}.${store}-peers.${namespace}.svc.cluster.local:7071`;
}

/** Writes `value-<key>` to each key in turn; returns the keys whose write was acknowledged (200). */
export async function putKeys(client: ClientPod, base: string, keys: readonly string[]): Promise<string[]> {
  const out = await nodeScript(client, PUT_SCRIPT, { base, keys });
  return out.split("\n").filter((line) => keys.includes(line));
}

/** Reads each key (a quorum read, or with `local` only the answering node's copy). */
export async function getKeys(
  client: ClientPod,
  base: string,
  keys: readonly string[],
  local = false,
): Promise<Record<string, ReadResult>> {
  return JSON.parse(await nodeScript(client, GET_SCRIPT, { base, keys, local })) as Record<
    string,
    ReadResult
  >;
}

/** The keys whose read did not return `value-<key>`, with what was answered instead. */
export function wrongReads(reads: Record<string, ReadResult>, keys: readonly string[]): string[] {
  return keys
    .filter((key) => reads[key]?.status !== 200 || reads[key]?.value !== `value-${key}`)
    .map((key) => `${key}: ${JSON.stringify(reads[key])}`);
}

/**
 * Stores `[key, value]` on one node only, each as a version stamped now by `writer`, sent as a peer
 * with the store's certificate (Secret `<store>-tls`) to the node's peer port, from a sibling node's
 * pod (ordinal 0, or 1 when the target is 0): only the store's own pods may reach the peer port.
 */
export async function applyToOneNode(
  node: { namespace: string; store: string; ordinal: number },
  writer: string,
  records: ReadonlyArray<[string, string]>,
): Promise<{ status: number; body: { applied?: number; refused?: number } | string }> {
  const wall = Date.now();
  const rows = records.map(([key, value]) => [key, wall, writer, value]);
  const secret = await kubectlJson<{ data: Record<string, string> }>([
    "get",
    "secret",
    `${node.store}-tls`,
    "-n",
    node.namespace,
  ]);
  const decode = (k: string) => Buffer.from(secret.data[k] ?? "", "base64").toString("utf8");
  const url = peerUrl(node.namespace, node.store, node.ordinal);
  const input = {
    url,
    records: rows,
    cert: decode(TLS_CERT_KEY),
    key: decode(TLS_KEY_KEY),
    ca: decode(CA_CERT_KEY),
  };
  const sibling = `${node.store}-${node.ordinal === 0 ? 1 : 0}`;
  const inSibling: Exec = (args, options) =>
    run("kubectl", ["exec", "-i", "-n", node.namespace, sibling, "-c", NODE_CONTAINER, "--", ...args], {
      ...options,
      allowFailure: true,
    });
  return JSON.parse(await runScript(sibling, inSibling, APPLY_SCRIPT, input));
}

/** The config a node runs, from its own GET /v1/status (`error` when it did not answer). */
export interface NodeConfigView {
  generation?: number;
  members?: number;
  error?: string;
}

/** Each node's view of the config, in the order of `urls`. */
export async function nodeConfigs(client: ClientPod, urls: readonly string[]): Promise<NodeConfigView[]> {
  return JSON.parse(await nodeScript(client, STATUS_SCRIPT, { urls })) as NodeConfigView[];
}

/**
 * Makes the kubelet sync the store's node pods now, which refreshes their ConfigMap volume at once
 * instead of on its next periodic sync (about a minute, often more). The nodes then load the
 * operator's new config sooner; nothing else changes (no controller reads this annotation).
 */
export async function nudgeKubelet(namespace: string, store: string): Promise<void> {
  // Best effort: a pod deleted between the list and the patch is no failure.
  await run(
    "kubectl",
    [
      "annotate",
      "pod",
      "-n",
      namespace,
      "-l",
      `replistore.io/store=${store},app.kubernetes.io/component=node`,
      `e2e.replistore.io/config-nudge=${Date.now()}`,
      "--overwrite",
    ],
    { allowFailure: true },
  );
}

export interface ClusterConfig {
  generation: number;
  members: { id: string }[];
  replication: { factor: number };
  ring: { vnodes: number };
}

/** The nodes' config as the operator wrote it into the store's ConfigMap. */
export async function clusterConfig(namespace: string, store: string): Promise<ClusterConfig> {
  const cm = await kubectlJson<{ data: Record<string, string> }>([
    "get",
    "configmap",
    `${store}-config`,
    "-n",
    namespace,
  ]);
  const json = cm.data["cluster.json"];
  if (!json) throw new Error(`configmap ${store}-config has no cluster.json`);
  return JSON.parse(json) as ClusterConfig;
}

/** A key's owners (pod names) under the config, as every node computes them. */
export function ownersOf(config: ClusterConfig, key: string): readonly string[] {
  const ring = new HashRing(
    config.members.map((m) => m.id),
    config.ring.vnodes,
  );
  return ring.owners(key, config.replication.factor);
}
