/**
 * `npm run bench:http`: what fastify's per-request machinery costs on the client's hot path, the
 * figure behind the kv fast path (src/node/http/kv-fast-path.ts). The same HTTPS PUT load (the Go
 * load generator, 1 KiB values) against a server written against Node's request API and against a
 * fastify route set up as the node's kv routes are (http-overhead-server.ts); prints requests/s,
 * p50/p99 and the server's CPU per request for each, and the difference.
 *
 *   npm run bench:http -- [--duration SECONDS (8)] [--warmup SECONDS (3)] [--concurrency N (64)] [--value-size BYTES (1024)]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createCa, issueCertificate } from "../../src/tls/pki.ts";
import { LOOPBACK_NAMES } from "../support/tls.ts";
import { loadOptions, loadSettings, parseOrExit } from "./flags.ts";
import { GoPhaseRunner, goLoadgenBinary } from "./go-phase-runner.ts";
import { fixed } from "./phase-runner.ts";
import { cpuSecondsOf } from "./proc-stats.ts";

// Both servers speak HTTPS, as the node does by default: no --tls flag.
const { tls: _tls, ...load } = loadOptions("3");
const { values: flags } = parseOrExit(() =>
  parseArgs({
    options: {
      ...load,
      duration: { type: "string", default: "8" },
      help: { type: "boolean", short: "h" },
    },
  }),
);
if (flags.help) {
  console.log(
    "usage: npm run bench:http -- [--duration SECONDS per server (8)] [--warmup SECONDS (3)] [--concurrency N (64)] [--value-size BYTES (1024)]",
  );
  process.exit(0);
}
const { durationMs, warmupMs, concurrency, valueBytes } = loadSettings({ ...flags, tls: "on" });

const ca = await createCa("replistore bench CA");
const cert = await issueCertificate(ca, { commonName: "bench server", ...LOOPBACK_NAMES });
const serverScript = fileURLToPath(new URL("./http-overhead-server.ts", import.meta.url));
const loadgen = goLoadgenBinary();

function startServer(mode: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", serverScript, mode], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, BENCH_TLS_KEY: cert.keyPem, BENCH_TLS_CERT: cert.certPem },
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the ${mode} server exited (${code}) before it listened`)));
    lines.once("line", (line) => resolve({ child, port: Number(line.split(" ")[1]) }));
  });
}

interface Figures {
  mode: string;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerRequest: number;
  errors: number;
}

async function measure(mode: "node" | "fastify"): Promise<Figures> {
  const { child, port } = await startServer(mode);
  const runner = new GoPhaseRunner(loadgen);
  try {
    const base = { urls: [`https://127.0.0.1:${port}`], ca: ca.certPem, concurrency, valueBytes };
    if (warmupMs > 0) await runner.run({ ...base, phase: "warmup", durationMs: warmupMs });
    const before = cpuSecondsOf(child.pid ?? 0) ?? 0;
    const r = await runner.run({ ...base, phase: "write", durationMs });
    const cpu = (cpuSecondsOf(child.pid ?? 0) ?? 0) - before;
    const figures = {
      mode,
      opsPerSec: r.opsPerSec,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      cpuUsPerRequest: (cpu * 1e6) / Math.max(1, r.ops),
      errors: r.errors,
    };
    console.log(
      `${mode.padEnd(8)} ${fixed(r.opsPerSec, 0).padStart(7)} req/s  p50 ${fixed(r.p50Ms).padStart(6)}  p99 ${fixed(r.p99Ms).padStart(6)} ms  CPU ${fixed(figures.cpuUsPerRequest, 1).padStart(6)} µs per request  errors ${r.errors}`,
    );
    return figures;
  } finally {
    runner.exit();
    child.kill();
  }
}

console.log(
  `HTTPS PUT of ${valueBytes} bytes, ${concurrency} clients, ${durationMs / 1000} s per server (Go load generator)`,
);
const node = await measure("node");
const fastify = await measure("fastify");
const extra = fastify.cpuUsPerRequest - node.cpuUsPerRequest;
console.log(
  `fastify costs ${fixed(extra, 1)} µs more CPU per request: ${fixed((100 * extra) / fastify.cpuUsPerRequest, 0)}% of its own`,
);
console.log(JSON.stringify({ bench: "http", node, fastify }));
if (node.errors + fastify.errors > 0) process.exit(1);
