/**
 * `npm run fuzz [-- options]`: the API fuzz run (fuzz.ts) against a node, by default a 3-node store
 * it starts on loopback with the test harness (test/support) and removes afterwards. Prints the case
 * count and every failure; exits 1 on any failure. See docs/development.md ("The API fuzz run").
 *
 *   --url <base>            fuzz this node instead (any node of a running store)
 *   --cacert <file>         trust this CA (TLS)
 *   --cert <file> --key <file>   present this client certificate (a peer's, for the peer routes)
 *   --header 'Name: value'  on every request (repeatable), e.g. 'Authorization: Bearer <token>'
 *   --peer-header 'Name: value'  on peer routes only (repeatable), e.g. the peer secret header
 *   --multi-leader          the local store is MultiLeader (2 leaders of 3, AllToAll), so pushed updates are applied
 *   --token <token>         the local store's REPLISTORE_TOKEN, sent as Authorization: Bearer <token>
 *   --peer-secret <secret>  the local store's REPLISTORE_PEER_SECRET, sent as X-Replistore-Peer-Secret
 *   --time <s>              the whole run's budget (default 120)
 *   --max-examples <n>      per operation, for schemathesis (default 50)
 *   --seed <n>              to repeat a run (default: random, printed)
 *   --out <dir>             reports and logs (default: a new temporary directory)
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Store, startStore } from "../../test/support/store.ts";
import { runFuzz } from "./fuzz.ts";

export const PEER_SECRET_HEADER = "X-Replistore-Peer-Secret";

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
  const clientHeaders = headers(values.header);
  if (values.token) clientHeaders.Authorization = `Bearer ${values.token}`;
  const peerHeaders = headers(values["peer-header"]);
  const secret = values["peer-secret"];
  if (secret) peerHeaders[PEER_SECRET_HEADER] = secret;
  const seed =
    values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : number("seed", values.seed, 0);
  const outDir = values.out ?? (await mkdtemp(join(tmpdir(), "replistore-fuzz-")));

  let store: Store | undefined;
  let url = values.url;
  if (!url) {
    const mode = values["multi-leader"] ? "MultiLeader" : "Leaderless";
    console.log(`fuzz: starting a local 3-node ${mode} store (test/support harness)`);
    store = await startStore({
      nodes: 3,
      proxy: false,
      token: values.token,
      ...(values["multi-leader"]
        ? {
            writeQuorum: 1,
            readQuorum: 1,
            config: { mode: "MultiLeader", multiLeader: { leaders: 2, topology: "AllToAll", hub: 0 } },
          }
        : {}),
      ...(secret ? { nodeEnv: () => ({ REPLISTORE_PEER_SECRET: secret }) } : {}),
    });
    url = store.urls[0]!;
  }
  try {
    console.log(`fuzz: ${url}, seed ${seed}, reports in ${outDir}`);
    const report = await runFuzz({
      target: {
        url,
        cacert: values.cacert,
        cert: values.cert,
        key: values.key,
        headers: clientHeaders,
      },
      peerHeaders,
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
    await store?.cleanup();
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`fuzz: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
}
