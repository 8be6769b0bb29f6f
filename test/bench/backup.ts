/**
 * `npm run bench:backup`: a local 3-node store (N=3 W=2) bulk-loaded with 1,000,000 keys of 1 KiB,
 * backed up by the real `replistore backup create` to a directory and to a real S3 server
 * (SeaweedFS over HTTPS, test/support/s3-server.ts) while a write load runs, then restored into a
 * new 3-node store. Prints MB/s and keys/s for each, the write rate before and during the backup,
 * and one JSON line.
 *
 *   npm run bench:backup -- --keys 1000000 --value-size 1024 --write-seconds 10
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { BackupManifest } from "../../src/backup/manifest.ts";
import { runCli } from "../support/cli.ts";
import { type S3Server, startS3Server } from "../support/s3-server.ts";
import { type Store, startStore } from "../support/store.ts";
import { parseOrExit, positiveWhole } from "./flags.ts";
import { preloadedKey } from "./protocol.ts";
import { bulkLoad } from "./repair-data.ts";

const MiB = 1024 * 1024;
const { values: flags } = parseOrExit(() =>
  parseArgs({
    options: {
      keys: { type: "string", default: "1000000" },
      "value-size": { type: "string", default: "1024" },
      "write-seconds": { type: "string", default: "10" },
      concurrency: { type: "string", default: "16" },
      "max-rate": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }),
);
if (flags.help) {
  console.log(
    "usage: npm run bench:backup -- [--keys N (1000000)] [--value-size BYTES (1024)] [--write-seconds S (10)] [--concurrency C (16)] [--max-rate SIZE (also a paced backup)]",
  );
  process.exit(0);
}
const keyCount = positiveWhole("keys", flags.keys);
const valueBytes = positiveWhole("value-size", flags["value-size"]);
const writeSeconds = positiveWhole("write-seconds", flags["write-seconds"]);
const concurrency = positiveWhole("concurrency", flags.concurrency);
/** also a file backup paced with --max-rate, to show what it leaves the writes */
const maxRate = flags["max-rate"];
const count = (n: number) => Math.round(n).toLocaleString("en-US");

/** PUTs of fresh keys (w=2) from `concurrency` loops until `stop`; returns how many succeeded. */
async function writeLoad(
  store: Store,
  stop: () => boolean,
): Promise<{ ok: number; failed: number; ms: number }> {
  const value = Buffer.alloc(valueBytes, 120);
  let ok = 0;
  let failed = 0;
  let n = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      const client = store.client(c % store.size);
      while (!stop()) {
        const reply = await client.put(`load-${c}-${n++}`, value, { w: 2, timeoutMs: 10_000 });
        if (reply.status === 200) ok++;
        else failed++;
      }
    }),
  );
  return { ok, failed, ms: performance.now() - t0 };
}

async function timedWrites(store: Store, seconds: number) {
  const end = performance.now() + seconds * 1000;
  const r = await writeLoad(store, () => performance.now() >= end);
  return r.ok / (r.ms / 1000);
}

interface BackupFigures {
  destination: string;
  seconds: number;
  mbPerSecond: number;
  keysPerSecond: number;
  bytes: number;
  writesPerSecondDuring: number;
  writeFailures: number;
}

async function backupWithLoad(
  store: Store,
  destination: string,
  env: Record<string, string>,
  id: string,
  extra: string[] = [],
) {
  let done = false;
  const writes = writeLoad(store, () => done);
  const t0 = performance.now();
  const run = await runCli(
    [
      "backup",
      "create",
      "--config",
      store.configPath,
      "--destination",
      destination,
      "--id",
      id,
      "-o",
      "json",
      ...extra,
    ],
    { env: { ...(store.tls ? { REPLISTORE_TLS_DIR: store.tls.dir } : {}), ...env }, timeoutMs: 3_600_000 },
  );
  const seconds = (performance.now() - t0) / 1000;
  done = true;
  const load = await writes;
  if (run.code !== 0) throw new Error(`backup to ${destination} failed: ${run.stderr}`);
  const manifest = (JSON.parse(run.stdout) as { manifest: BackupManifest }).manifest;
  const figures: BackupFigures = {
    destination: destination.split(":")[0]!,
    seconds,
    mbPerSecond: manifest.bytes / MiB / seconds,
    keysPerSecond: (manifest.keys + manifest.tombstones) / seconds,
    bytes: manifest.bytes,
    writesPerSecondDuring: load.ok / (load.ms / 1000),
    writeFailures: load.failed,
  };
  return { manifest, figures };
}

console.log(
  `replistore bench:backup: 3 nodes (N=3 W=2, TLS on), ${count(keyCount)} keys of ${valueBytes} bytes, ${concurrency} writers`,
);
const dir = await mkdtemp(join(tmpdir(), "replistore-bench-backup-"));
let s3: S3Server | undefined;
const stores: Store[] = [];
let exitCode = 0;
try {
  s3 = await startS3Server({ tls: true, buckets: ["bench"] });
  const store = await startStore({
    nodes: 3,
    factor: 3,
    tls: true,
    proxy: false,
    readyTimeoutMs: 120_000,
    config: { limits: { maxValueBytes: Math.max(MiB, valueBytes) } },
  });
  stores.push(store);
  const loadStart = performance.now();
  await bulkLoad(store, keyCount, valueBytes, 5_000, () => undefined);
  console.log(
    `load: ${count(keyCount)} keys on each node in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`,
  );

  const baseline = await timedWrites(store, writeSeconds);
  console.log(`writes alone: ${count(baseline)}/s (w=2, ${valueBytes}-byte values)`);

  const results: BackupFigures[] = [];
  const file = await backupWithLoad(store, pathToFileURL(join(dir, "backups")).href, {}, "bench-file");
  results.push(file.figures);
  const viaS3 = await backupWithLoad(store, "s3://bench/backups", s3.env(), "bench-s3");
  results.push(viaS3.figures);
  if (maxRate !== undefined) {
    const paced = await backupWithLoad(store, pathToFileURL(join(dir, "paced")).href, {}, "bench-paced", [
      "--max-rate",
      maxRate,
    ]);
    results.push({ ...paced.figures, destination: `file, --max-rate ${maxRate}` });
  }
  for (const r of results) {
    console.log(
      `backup to ${r.destination}: ${count(r.bytes / MiB)} MiB in ${r.seconds.toFixed(1)} s = ${r.mbPerSecond.toFixed(1)} MB/s, ${count(r.keysPerSecond)} keys/s; writes meanwhile ${count(r.writesPerSecondDuring)}/s (${((1 - r.writesPerSecondDuring / baseline) * 100).toFixed(0)}% slower), ${r.writeFailures} failed`,
    );
  }

  const restores: Array<{
    destination: string;
    seconds: number;
    keysPerSecond: number;
    mbPerSecond: number;
  }> = [];
  for (const [label, path, id, env] of [
    ["file", pathToFileURL(join(dir, "backups")).href, "bench-file", {}],
    ["s3", "s3://bench/backups", "bench-s3", s3.env()],
  ] as const) {
    const t0 = performance.now();
    const restored = await startStore({
      nodes: 3,
      factor: 3,
      tls: true,
      proxy: false,
      readyTimeoutMs: 3_600_000,
      nodeEnv: () => ({ ...env }),
      config: { bootstrap: { backupId: id, destination: { path } } },
    });
    const seconds = (performance.now() - t0) / 1000;
    const manifest = label === "file" ? file.manifest : viaS3.manifest;
    const probe = await restored.client(0).get(preloadedKey(keyCount - 1));
    if (probe.status !== 200)
      throw new Error(`restored store lacks ${preloadedKey(keyCount - 1)}: ${probe.status}`);
    restores.push({
      destination: label,
      seconds,
      keysPerSecond: (manifest.keys + manifest.tombstones) / seconds,
      mbPerSecond: manifest.bytes / MiB / seconds,
    });
    console.log(
      `restore from ${label} into 3 new nodes (each loads its N=3 share, all keys): ${seconds.toFixed(1)} s until ready = ${count((manifest.keys + manifest.tombstones) / seconds)} keys/s, ${(manifest.bytes / MiB / seconds).toFixed(1)} MB/s`,
    );
    await restored.cleanup();
  }
  console.log(
    JSON.stringify({
      bench: "backup",
      keys: keyCount,
      valueBytes,
      writesAlone: baseline,
      backups: results,
      restores,
    }),
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  exitCode = 1;
} finally {
  for (const s of stores) await s.cleanup();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
}
process.exit(exitCode);
