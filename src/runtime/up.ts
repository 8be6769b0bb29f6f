/**
 * `replistore up`: the same store the operator would run, as local processes. Reads the manifest,
 * writes the cluster config, supervises one process per replica until a signal stops them.
 */
import { mkdirSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { ReplicatedStore } from "../api/replicated-store.ts";
import { waitUntilReady } from "../client/readiness.ts";
import { UserError } from "../errors.ts";
import { localBootstrap, markBootstrapDone } from "./bootstrap.ts";
import { writeClusterFile } from "./cluster-file.ts";
import { ensureLocalTls, type LocalTls } from "./local-tls.ts";
import { tailLines } from "./log-tail.ts";
import { type LocalMember, localMembers } from "./members.ts";
import { nodeEnvironment, repairEnvironment } from "./node-env.ts";
import { START_MARKER, SupervisedNode } from "./node-process.ts";
import { storePaths } from "./paths.ts";
import { busyPorts } from "./ports.ts";
import { readManifestFile } from "./read-manifest.ts";
import { checkRepairSchedule, startRepairSchedule } from "./repair-schedule.ts";
import { startUpReview, type UpReviewAddress } from "./review.ts";
import { ensureTokens, hasTokens, type TokenFiles, tokenFileFor, tokenFilesFor } from "./role-tokens.ts";
import { listenForStop } from "./signals.ts";
import { ensureToken, readToken } from "./token.ts";
import { claimUpState, findRunningStores, releaseUpState, type UpState, updateUpState } from "./up-state.ts";

export interface UpOptions {
  file: string;
  dataDir: string;
  portBase: number;
  host: string;
  readyTimeoutMs: number;
  /** serve the conflict review page (undefined: don't) */
  review?: UpReviewAddress;
  out: (line: string) => void;
  err: (line: string) => void;
}

const STOP_GRACE_MS = 10_000;
const CLI_PATH = fileURLToPath(new URL("../cli/main.ts", import.meta.url));

function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== "" && !rel.startsWith("..") ? rel : path;
}

function checkPortRange(portBase: number, replicas: number): void {
  if (portBase + replicas - 1 > 65_535) {
    throw new UserError(
      `--port-base ${portBase} leaves no room for ${replicas} nodes: use a port below ${65_536 - replicas}`,
    );
  }
}

/**
 * spec.tls.mode as a local store can honour it: Auto (a CA under the data dir) or Disabled. The
 * modes whose certificate comes from the cluster (CertManager, Secret) run as Auto, with a warning,
 * so the same manifest still starts.
 */
function localTlsMode(manifest: ReplicatedStore, warn: (line: string) => void): "Auto" | "Disabled" {
  const mode = (manifest.spec as { tls?: { mode?: string } }).tls?.mode ?? "Auto";
  if (mode === "Auto" || mode === "Disabled") return mode;
  warn(
    `warning: spec.tls.mode ${mode} takes its certificate from the cluster; replistore up uses a local CA instead (as Auto)`,
  );
  return "Auto";
}

function usageHints(
  manifest: ReplicatedStore,
  dataDir: string,
  member: LocalMember,
  tokenFile?: string,
  caFile?: string,
): string[] {
  // tokenFile: one that can read, for the curl GET example.
  const name = manifest.metadata.name;
  const flags: string[] = [];
  if (shortPath(dataDir) !== ".replistore") flags.push(`--data-dir ${shortPath(dataDir)}`);
  if (findRunningStores(dataDir).length > 1) flags.push(`--store ${name}`);
  const f = flags.length > 0 ? ` ${flags.join(" ")}` : "";
  const auth = tokenFile ? ` -H "Authorization: Bearer $(cat ${shortPath(tokenFile)})"` : "";
  const cacert = caFile ? ` --cacert ${shortPath(caFile)}` : "";
  return [
    "",
    "try:",
    `  replistore kv put${f} greeting hello`,
    `  replistore kv get${f} greeting`,
    `  replistore status${f}`,
    `  curl${cacert}${auth} ${member.url}/v1/kv/greeting`,
    "Ctrl-C stops the store; its data stays for the next replistore up.",
  ];
}

/** Where each token is; the CLI picks the one a command's role needs. */
function authLines(files: TokenFiles): string[] {
  const lines: string[] = [];
  if (files.all) lines.push(`auth: token (every role) in ${shortPath(files.all)}`);
  for (const role of ["read", "write", "admin"] as const) {
    const file = files[role];
    if (file) lines.push(`auth: ${role} token in ${shortPath(file)}`);
  }
  if (lines.length > 0)
    lines.push("      (replistore kv, status and conflicts send the token each command needs)");
  return lines;
}

/** How long nodes restoring a backup on their first start may take to become ready (at least). */
const BOOTSTRAP_READY_MS = 30 * 60_000;

export async function runUp(opts: UpOptions): Promise<number> {
  const { manifest, warnings } = readManifestFile(opts.file);
  for (const warning of warnings) opts.err(`warning: ${warning}`);
  const { spec } = manifest;
  const name = manifest.metadata.name;
  checkPortRange(opts.portBase, spec.replicas);
  if (!spec.antiEntropy.suspend) checkRepairSchedule(spec.antiEntropy.schedule);
  const paths = storePaths(opts.dataDir, name);
  mkdirSync(paths.dir, { recursive: true });
  const tlsMode = localTlsMode(manifest, opts.err);
  const tls = tlsMode === "Auto" ? await ensureLocalTls(paths, name, opts.host) : undefined;
  const members = localMembers(name, spec.replicas, opts.host, opts.portBase, tls ? "https" : "http");
  const tokenFiles = tokenFilesFor(paths.dir, spec.auth);
  const { all: tokenFile, ...roleTokenFiles } = tokenFiles;
  const state: UpState = {
    pid: process.pid,
    store: name,
    startedAt: new Date().toISOString(),
    urls: members.map((m) => m.url),
    members: members.map((m) => ({ id: m.id, url: m.url, log: paths.nodeLog(m.id) })),
    ...(tokenFile ? { tokenFile } : {}),
    ...(Object.keys(roleTokenFiles).length > 0 ? { roleTokenFiles } : {}),
    ...(tls ? { caFile: tls.caFile } : {}),
  };
  claimUpState(paths.upState, state);
  try {
    return await runClaimed(opts, manifest, members, state, tokenFiles, tls);
  } finally {
    releaseUpState(paths.upState, process.pid);
  }
}

async function runClaimed(
  opts: UpOptions,
  manifest: ReplicatedStore,
  members: LocalMember[],
  state: UpState,
  tokenFiles: TokenFiles,
  tls: LocalTls | undefined,
): Promise<number> {
  const { out, err } = opts;
  const name = manifest.metadata.name;
  const paths = storePaths(opts.dataDir, name);
  const busy = await busyPorts(
    opts.host,
    members.map((m) => m.port),
  );
  if (busy.length > 0) {
    throw new UserError(
      busy.length === 1
        ? `port ${busy[0]} on ${opts.host} is already in use: stop what uses it or pass --port-base`
        : `ports ${busy.join(", ")} on ${opts.host} are already in use: stop what uses them or pass --port-base`,
    );
  }
  const bootstrap = await localBootstrap(
    manifest,
    paths,
    members.map((m) => m.id),
  );
  if (bootstrap) out(bootstrap.summary);
  const { config, changed } = writeClusterFile(
    paths.clusterConfig,
    manifest,
    members,
    bootstrap ? { backupId: bootstrap.backupId, destination: bootstrap.destination } : undefined,
  );
  if (changed && config.generation > 1)
    out(`config changed: ${shortPath(paths.clusterConfig)} is now generation ${config.generation}`);
  const tokens = ensureTokens(tokenFiles);
  // Without TLS the peers still need a secret of their own: a client's token never opens peer routes.
  const env = nodeEnvironment(
    process.env,
    tokens,
    tls ? { tlsDir: tls.dir } : { peerSecret: ensureToken(paths.peerSecret) },
  );
  const caOption = tls ? { ca: tls.caPem } : {};
  const adminFile = tokenFileFor(tokenFiles, "admin");
  const readFile = tokenFileFor(tokenFiles, "read");

  const nodes = members.map((member) => {
    mkdirSync(paths.nodeData(member.id), { recursive: true });
    return new SupervisedNode(
      {
        id: member.id,
        listen: member.listen,
        dataDir: paths.nodeData(member.id),
        configPath: paths.clusterConfig,
        logPath: paths.nodeLog(member.id),
        cliPath: CLI_PATH,
        env,
      },
      {
        spawned: (id, pid, restart) => {
          const entry = state.members.find((m) => m.id === id);
          if (entry) entry.pid = pid;
          updateUpState(paths.upState, state);
          if (restart) out(`${id} restarted (pid ${pid})`);
        },
        crashed: (id, how, wait) =>
          err(
            `${id} stopped unexpectedly (${how}); restarting in ${wait / 1000}s, see ${shortPath(paths.nodeLog(id))}`,
          ),
      },
    );
  });

  const stop = listenForStop(() => {
    err("second signal: killing the nodes now");
    for (const node of nodes) node.kill();
  });
  try {
    for (const node of nodes) node.start();
    // A first start from a backup loads it before serving: give it the time a load takes.
    const readyMs = bootstrap?.loading
      ? Math.max(opts.readyTimeoutMs, BOOTSTRAP_READY_MS)
      : opts.readyTimeoutMs;
    const deadline = Date.now() + readyMs;
    const ready = await Promise.all(
      members.map((m) => waitUntilReady(m.url, deadline, stop.abort, caOption)),
    );
    if (!stop.abort.aborted && ready.includes(false)) {
      members.forEach((member, i) => {
        if (ready[i]) return;
        const log = paths.nodeLog(member.id);
        err(`error: ${member.id} did not become ready at ${member.url} within ${readyMs / 1000}s`);
        const tail = tailLines(log, 15, START_MARKER);
        err(
          tail.length > 0
            ? `last lines of ${shortPath(log)}:\n${tail.map((l) => `  ${l}`).join("\n")}`
            : `(${shortPath(log)} has no output from this start yet)`,
        );
      });
      err("stopping the store");
      await Promise.all(nodes.map((n) => n.stop(STOP_GRACE_MS)));
      return 1;
    }
    if (!stop.abort.aborted && bootstrap) {
      // Loaded everywhere: nodes added later start empty and catch up, whatever became of the backup.
      markBootstrapDone(paths);
      writeClusterFile(paths.clusterConfig, manifest, members);
    }
    if (!stop.abort.aborted) {
      const { replication } = config;
      out(
        `store ${name} is up: ${members.length} nodes, ${config.mode}, ` +
          `N=${replication.factor} W=${replication.writeQuorum} R=${replication.readQuorum} ${replication.consistency}`,
      );
      for (const member of members)
        out(`  ${member.id}  ${member.url}  log ${shortPath(paths.nodeLog(member.id))}`);
      out(`data: ${shortPath(paths.dir)}`);
      out(
        tls
          ? `tls: on; nodes' certificate signed by the store's CA ${shortPath(tls.caFile)} (${tls.made === "created" ? "new CA" : tls.made === "issued" ? "certificate reissued" : "reused"}; replistore kv and status trust it for you)`
          : "tls: off (spec.tls.mode Disabled): plain HTTP; peers authenticate with a secret",
      );
      for (const line of authLines(tokenFiles)) out(line);
      for (const line of usageHints(manifest, opts.dataDir, members[0] as LocalMember, readFile, tls?.caFile))
        out(line);
    }
    const review =
      stop.abort.aborted || !opts.review
        ? undefined
        : await startUpReview(
            opts.review,
            {
              name,
              mode: config.mode,
              members,
              auth: hasTokens(tokenFiles),
              tokenFile: adminFile,
              ...caOption,
            },
            err,
          );
    if (review) out(`conflict review page: ${review.url}`);
    const { antiEntropy } = manifest.spec;
    const repairs =
      stop.abort.aborted || antiEntropy.suspend
        ? undefined
        : startRepairSchedule({
            schedule: antiEntropy.schedule,
            cliPath: CLI_PATH,
            configPath: paths.clusterConfig,
            logPath: paths.repairLog,
            env: repairEnvironment(env, adminFile === undefined ? undefined : readToken(adminFile)),
            out,
          });
    if (repairs)
      out(`anti-entropy repair runs on "${antiEntropy.schedule}" (log ${shortPath(paths.repairLog)})`);
    const signal = await stop.received;
    repairs?.stop();
    await review?.close();
    out(`${signal}: stopping ${members.length} nodes (up to ${STOP_GRACE_MS / 1000}s; again to force)`);
    await Promise.all(nodes.map((n) => n.stop(STOP_GRACE_MS)));
    out(`store ${name} stopped`);
    return 0;
  } finally {
    stop.dispose();
  }
}
