/**
 * `npm run fuzz [-- options]`: the API fuzz run (fuzz.ts) against a node, by default a 3-node store
 * it starts on loopback with the test harness (test/support) and removes afterwards. Prints the case
 * count and every failure; exits 1 on any failure. See docs/development.md ("The API fuzz run").
 *
 *   --url <base>            fuzz this node instead (any node of a running store)
 *   --peer-url <base>       that node's peer listener, when it has one (default: --url)
 *   --cacert <file>         trust this CA (TLS)
 *   --cert <file> --key <file>   on peer routes, present this certificate (a node's: mutual TLS)
 *   --header 'Name: value'  on every request (repeatable), e.g. 'Authorization: Bearer <token>'
 *   --peer-header 'Name: value'  on peer routes only (repeatable)
 *   --peer-secret <secret>  on peer routes, X-Replistore-Peer-Secret; with no --url, the local store's too
 *   --tls                   the local store serves HTTPS with a CA of its own; the run is a peer by a node's certificate
 *   --multi-leader          the local store is MultiLeader (2 leaders of 3, AllToAll), so pushed updates are applied
 *   --token <token>         the local store's client token, sent as Authorization: Bearer <token>
 *   --time <s>              the whole run's budget (default 120)
 *   --max-examples <n>      per operation, for schemathesis (default 50)
 *   --seed <n>              to repeat a run (default: random, printed)
 *   --out <dir>             reports and logs (default: a new temporary directory)
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PEER_SECRET_HEADER } from "../../src/node/tls/peer-credentials.ts";
import { type PeerCredentials, runFuzz } from "./fuzz.ts";
import type { Target } from "./http.ts";
import { type LocalStore, startLocalStore } from "./local-store.ts";

function headers(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list ?? []) {
    const i = h.indexOf(":");
    if (i <= 0) throw new Error(`--header/--peer-header takes 'Name: value'; got '${h}'`);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

function number(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`--${name} takes a whole number above 0; got '${raw}'`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      "peer-url": { type: "string" },
      tls: { type: "boolean" },
      cacert: { type: "string" },
      cert: { type: "string" },
      key: { type: "string" },
      header: { type: "string", multiple: true },
      "peer-header": { type: "string", multiple: true },
      "peer-secret": { type: "string" },
      token: { type: "string" },
      "multi-leader": { type: "boolean" },
      time: { type: "string" },
      "max-examples": { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
    },
  });
  const seed =
    values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : number("seed", values.seed, 0);
  const outDir = values.out ?? (await mkdtemp(join(tmpdir(), "replistore-fuzz-")));
  const secret = values["peer-secret"];

  let local: LocalStore | undefined;
  let target: Target;
  let peer: PeerCredentials;
  if (values.url) {
    target = { url: values.url, cacert: values.cacert, headers: {} };
    peer = { url: values["peer-url"], cert: values.cert, key: values.key, headers: {} };
    if (secret) peer.headers[PEER_SECRET_HEADER] = secret;
    if (values.token) target.headers.Authorization = `Bearer ${values.token}`;
  } else {
    local = await startLocalStore({
      multiLeader: values["multi-leader"],
      tls: values.tls,
      peerSecret: secret,
      token: values.token,
    });
    ({ target, peer } = local);
    console.log(`fuzz: started a local 3-node store (${local.describe})`);
  }
  Object.assign(target.headers, headers(values.header));
  Object.assign(peer.headers, headers(values["peer-header"]));
  try {
    console.log(`fuzz: ${target.url}, seed ${seed}, reports in ${outDir}`);
    const report = await runFuzz({
      target,
      peer,
      timeS: number("time", values.time, 120),
      maxExamples: number("max-examples", values["max-examples"], 50),
      seed,
      outDir,
      log: (line) => console.log(line),
    });
    for (const p of report.parts) if (p.details) console.log(`\n${p.name}:\n${p.details}\n`);
    console.log(
      `fuzz: ${report.cases} cases in ${report.seconds.toFixed(1)} s, ${report.failures} failures (seed ${seed}; reports in ${outDir})`,
    );
    return report.failures === 0 ? 0 : 1;
  } finally {
    await local?.store.cleanup();
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`fuzz: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
}
