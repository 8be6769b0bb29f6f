import { type Logger, pino } from "pino";
import { restoreNode } from "./backup/restore.ts";
import type { ClientTokens } from "./client-tokens.ts";
import { ConfigWatcher } from "./config-watcher.ts";
import { buildServer } from "./http/server.ts";
import { FreedMemoryTrimmer, loadGlibc, TRIM_DEFAULTS } from "./memory/freed-memory.ts";
import { ReplicaNode } from "./replica-node.ts";
import { listenPeers, serveOptions } from "./serve.ts";
import { peerCredentials } from "./tls/peer-credentials.ts";
import { TlsDir } from "./tls/tls-dir.ts";

export interface NodeOptions {
  id: string;
  /** host:port */
  listen: string;
  dataDir: string;
  configPath: string;
  token?: string;
  /** a directory with tls.crt, tls.key and ca.crt: serve HTTPS and authenticate peers by certificate */
  tlsDir?: string;
  /** host:port of a listener for the peer routes alone */
  peerListen?: string;
  /** without TLS: the secret peers send on the peer routes */
  peerSecret?: string;
  roleTokens?: Omit<ClientTokens, "all">;
  clockSkewMs?: number;
  logLevel?: string;
}

const SHUTDOWN_DEADLINE_MS = 25_000;

/**
 * Runs one replica node until SIGTERM or SIGINT, then shuts down gracefully: stop accepting,
 * finish requests in flight, let peer traffic drain, flush storage, exit 0. Resolves after that.
 */
export async function runNode(opts: NodeOptions): Promise<void> {
  const log = pino({ level: opts.logLevel ?? "info", base: { node: opts.id } });
  let node: ReplicaNode | undefined;
  const watcher = new ConfigWatcher(
    opts.configPath,
    log,
    (cfg) => {
      if (!node) return;
      node.metrics.configReloads.inc({ result: node.applyConfig(cfg) ? "applied" : "rejected" });
    },
    (err) => {
      node?.metrics.configReloads.inc({ result: "rejected" });
      log.error({ err: err.message }, "config file rejected; keeping the last good config");
    },
  );
  const config = watcher.start();
  const tls = opts.tlsDir ? new TlsDir(opts.tlsDir, log) : undefined;
  const peerListen = opts.peerListen ? parseListen(opts.peerListen) : undefined;
  if (!tls && !opts.peerSecret) {
    log.warn("no TLS and no peer secret: the peer routes accept any caller that can reach this node");
  }
  // Before the node opens its storage: a new store's data comes from its backup first.
  await restoreNode({ selfId: opts.id, dataDir: opts.dataDir, config, log });
  node = new ReplicaNode({
    id: opts.id,
    dataDir: opts.dataDir,
    config,
    token: opts.token || undefined,
    ...(opts.roleTokens ? { roleTokens: opts.roleTokens } : {}),
    clockSkewMs: opts.clockSkewMs ?? 0,
    peerCredentials: peerCredentials(tls, opts.peerSecret),
    log,
  });
  const app = buildServer(node, serveOptions(tls, opts.peerSecret, peerListen));
  const { host, port } = parseListen(opts.listen);
  await app.listen({ host, port });
  const peerServer = await listenPeers(app, tls, peerListen, log);
  node.start();
  const trimmer = freedMemoryTrimmer(node, log);
  trimmer.start();
  log.info(
    {
      listen: opts.listen,
      ...(opts.peerListen ? { peerListen: opts.peerListen } : {}),
      tls: tls ? `certificate valid until ${tls.current().notAfter.toISOString()}` : "off",
      generation: config.generation,
      members: config.members.length,
    },
    "node ready",
  );

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off("SIGTERM", onTerm);
      process.off("SIGINT", onInt);
      log.info({ signal }, "shutting down");
      const deadline = setTimeout(() => {
        log.error("shutdown took too long; exiting");
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      const n = node!;
      n.ready = false;
      watcher.stop();
      trimmer.stop();
      tls?.stop();
      peerServer?.close();
      // Connections busy when close began become idle once their response is sent; close them as
      // they do, or keep-alive clients would hold the server open until their idle timeout.
      const reaper = setInterval(() => {
        app.server.closeIdleConnections();
        peerServer?.closeIdleConnections();
      }, 50);
      void app
        .close()
        .then(() => {
          clearInterval(reaper);
          return n.close();
        })
        .then(() => {
          log.info("stopped");
          resolve();
        });
    };
    const onTerm = () => stop("SIGTERM");
    const onInt = () => stop("SIGINT");
    process.on("SIGTERM", onTerm);
    process.on("SIGINT", onInt);
  });
}

const MiB = 1024 * 1024;

function freedMemoryTrimmer(node: ReplicaNode, log: Logger): FreedMemoryTrimmer {
  const libc = loadGlibc();
  if (!libc) log.info("no glibc here (or no koffi binary for this platform): freed memory is not trimmed");
  return new FreedMemoryTrimmer({
    ...TRIM_DEFAULTS,
    libc,
    onTrim: ({ freeHeldBytes, rssBefore, rssAfter, pauseMs }) => {
      node.metrics.memoryTrims.inc();
      // Under steady load a trim gives back a little now and then: not worth a line each time.
      const level = rssBefore - rssAfter >= 32 * MiB ? "info" : "debug";
      log[level](
        {
          freeHeldMiB: Math.round(freeHeldBytes / MiB),
          rssBeforeMiB: Math.round(rssBefore / MiB),
          rssAfterMiB: Math.round(rssAfter / MiB),
          pauseMs: Math.round(pauseMs * 10) / 10,
        },
        "gave freed memory back to the OS",
      );
    },
  });
}

function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(":");
  const host = i > 0 ? listen.slice(0, i).replace(/^\[|\]$/g, "") : "0.0.0.0";
  const port = Number(i >= 0 ? listen.slice(i + 1) : listen);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--listen must be host:port or port, e.g. 127.0.0.1:7070; got '${listen}'`);
  }
  return { host, port };
}
