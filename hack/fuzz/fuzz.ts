/**
 * The API fuzz run: fast-check over the node's msgpack peer routes (msgpack-fuzz.ts), then
 * schemathesis over its public API (/openapi.json) and over its JSON peer routes
 * (internal-openapi.ts), each in its share of one time box. A request that fails at the connection
 * (the node died) throws and so fails the run too. Public requests go to `target` (its headers: a token; its CA);
 * peer requests go to `peer.url` (default: the same node's), with the target's headers and CA plus
 * the peer's credentials: `peer.headers` (the peer secret) or a node's certificate and key (mutual TLS).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { AE_SUMMARY, type TreeSummary } from "../../src/wire/anti-entropy.ts";
import { httpFor, type Target } from "./http.ts";
import { internalOpenApi } from "./internal-openapi.ts";
import { type Failure, fuzzMsgpack, unreached } from "./msgpack-fuzz.ts";
import { runSchemathesis, type SchemathesisResult, schemathesisBin } from "./schemathesis.ts";

export interface PeerCredentials {
  /** The node's peer listener, when it has one. */
  url?: string;
  headers: Record<string, string>;
  cert?: string;
  key?: string;
}

export interface FuzzOptions {
  target: Target;
  peer: PeerCredentials;
  /** The whole run's budget: public API 50%, JSON peer routes 15%, msgpack peer routes 35%. */
  timeS: number;
  /** Per operation, for schemathesis's phases that count examples. */
  maxExamples: number;
  seed: number;
  /** Reports and logs. */
  outDir: string;
  log: (line: string) => void;
}

export interface PartResult {
  name: string;
  cases: number;
  seconds: number;
  /** One line per distinct failure. */
  failures: string[];
  details: string;
}

export interface FuzzReport {
  parts: PartResult[];
  cases: number;
  failures: number;
  seconds: number;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  await mkdir(opts.outDir, { recursive: true });
  const bin = schemathesisBin();
  const peerTarget: Target = {
    url: opts.peer.url ?? opts.target.url,
    cacert: opts.target.cacert,
    cert: opts.peer.cert,
    key: opts.peer.key,
    headers: { ...opts.target.headers, ...opts.peer.headers },
  };
  const parts: PartResult[] = [];
  const part = async (name: string, fn: () => Promise<Omit<PartResult, "name" | "seconds">>) => {
    const t0 = Date.now();
    const r = { name, ...(await fn()), seconds: (Date.now() - t0) / 1000 };
    parts.push(r);
    opts.log(
      `fuzz: ${name}: ${r.cases} cases, ${r.failures.length} failures (${r.seconds.toFixed(1)} s)` +
        r.failures.map((f) => `\n  - ${f}`).join(""),
    );
  };
  const schemathesis = (
    name: string,
    location: string,
    url: string | undefined,
    target: Target,
    share: number,
  ) =>
    part(name, async () => {
      const file = name
        .toLowerCase()
        .replace(/ \(.*/, "")
        .replaceAll(/[^a-z]+/g, "-");
      const r = await runSchemathesis(bin, {
        location,
        url,
        maxTimeS: Math.max(1, Math.round(opts.timeS * share)),
        maxExamples: opts.maxExamples,
        seed: opts.seed,
        headers: target.headers,
        cacert: target.cacert,
        cert: target.cert,
        key: target.key,
        reportPath: join(opts.outDir, `${file}.json`),
        logPath: join(opts.outDir, `${file}.log`),
      });
      return { cases: r.cases, failures: schemathesisFailures(r), details: r.details };
    });

  // The msgpack routes first: whatever they store (keys, a lock, a repair report) is then there for
  // the public API's run to read back.
  const client = httpFor(opts.target);
  const http = httpFor(peerTarget);
  try {
    const members = await memberIds(client);
    // One key, so the trees have an owner set to name.
    const put = await client.request("PUT", "/v1/kv/fuzz/seed", Buffer.from("seed"));
    if (put.status !== 200)
      throw new Error(`PUT /v1/kv/fuzz/seed answered ${put.status}: ${put.body.toString()}`);
    const { sets, levelSizes } = await trees(http);
    await part("peer msgpack routes (fast-check)", async () => {
      const r = await fuzzMsgpack({
        http,
        timeMs: opts.timeS * 0.35 * 1000,
        maxCases: Number.MAX_SAFE_INTEGER,
        seed: opts.seed,
        members,
        sets,
        levelSizes,
      });
      const byRoute = Object.entries(r.byRoute)
        .map(([route, statuses]) => `  ${route}: ${JSON.stringify(statuses)}`)
        .join("\n");
      return {
        cases: r.cases,
        failures: [
          ...(await distinct(r.failures, opts.outDir)),
          ...unreached(r.byRoute).map((route) => `${route} never answered with a message, only refusals`),
        ],
        details: `answers by status:\n${byRoute}`,
      };
    });
  } finally {
    await http.close();
    await client.close();
  }
  const base = opts.target.url.replace(/\/$/, "");
  await schemathesis("public API (schemathesis)", `${base}/openapi.json`, undefined, opts.target, 0.5);
  const doc = join(opts.outDir, "internal-openapi.json");
  await writeFile(doc, JSON.stringify(internalOpenApi(pkg.version), null, 2));
  await schemathesis(
    "peer JSON routes (schemathesis)",
    doc,
    peerTarget.url.replace(/\/$/, ""),
    peerTarget,
    0.15,
  );

  const cases = parts.reduce((n, p) => n + p.cases, 0);
  const failures = parts.reduce((n, p) => n + p.failures.length, 0);
  return { parts, cases, failures, seconds: (Date.now() - started) / 1000 };
}

function schemathesisFailures(r: SchemathesisResult): string[] {
  const out = r.failures.map((f) => `${f.code} ${f.title}: ${f.operations.join(", ")}`);
  out.push(...r.errors.map((e) => `error: ${e}`));
  // A run that tested nothing or broke off is a failure, not a pass with nothing found.
  if (r.cases === 0) out.push("schemathesis generated no test case");
  if (r.exitCode !== 0 && out.length === 0) out.push(`schemathesis exited ${r.exitCode}`);
  return out;
}

/**
 * One line per route, status and problem (the first 80 characters), with how often it happened; the
 * first body of each is kept in `dir` to replay (curl --data-binary @<file> -H 'content-type: application/msgpack').
 */
async function distinct(failures: Failure[], dir: string): Promise<string[]> {
  const seen = new Map<string, { n: number; first: Failure }>();
  for (const f of failures) {
    const k = `${f.route} ${f.status} ${f.problem.slice(0, 80)}`;
    const e = seen.get(k);
    if (e) e.n++;
    else seen.set(k, { n: 1, first: f });
  }
  return Promise.all(
    [...seen.values()].map(async ({ n, first }, i) => {
      const file = join(dir, `failure-${i + 1}.msgpack`);
      await writeFile(file, first.body);
      return `${first.route} answered ${first.status}: ${first.problem} (${n}x; body in ${file})`;
    }),
  );
}

async function memberIds(http: ReturnType<typeof httpFor>): Promise<string[]> {
  const res = await http.request("GET", "/v1/status");
  if (res.status !== 200) throw new Error(`GET /v1/status answered ${res.status}: ${res.body.toString()}`);
  const status = JSON.parse(res.body.toString("utf8")) as { members?: Array<{ id?: string }> };
  return (status.members ?? []).flatMap((m) => (m.id ? [m.id] : []));
}

async function trees(http: ReturnType<typeof httpFor>): Promise<{ sets: string[]; levelSizes: number[] }> {
  const res = await http.request("GET", AE_SUMMARY);
  if (res.status !== 200) throw new Error(`GET ${AE_SUMMARY} answered ${res.status}: ${res.body.toString()}`);
  const summary = JSON.parse(res.body.toString("utf8")) as TreeSummary;
  return { sets: summary.sets.map((s) => s.id), levelSizes: summary.shape.levelSizes };
}
