import { pino } from "pino";
import type { ClientTokens } from "./client-tokens.ts";
import { ConfigWatcher } from "./config-watcher.ts";
import { buildServer } from "./http/server.ts";
import { ReplicaNode } from "./replica-node.ts";

export interface NodeOptions {
  id: string;
  /** host:port */
  listen: string;
  dataDir: string;
  configPath: string;
  token?: string;
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
  node = new ReplicaNode({
    id: opts.id,
    dataDir: opts.dataDir,
    config,
    token: opts.token || undefined,
    ...(opts.roleTokens ? { roleTokens: opts.roleTokens } : {}),
    clockSkewMs: opts.clockSkewMs ?? 0,
    log,
  });
  const app = buildServer(node);
  const { host, port } = parseListen(opts.listen);
  await app.listen({ host, port });
  node.start();
  log.info(
    { listen: opts.listen, generation: config.generation, members: config.members.length },
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
      // Connections busy when close began become idle once their response is sent; close them as
      // they do, or keep-alive clients would hold the server open until their idle timeout.
      const reaper = setInterval(() => app.server.closeIdleConnections(), 50);
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

function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(":");
  const host = i > 0 ? listen.slice(0, i).replace(/^\[|\]$/g, "") : "0.0.0.0";
  const port = Number(i >= 0 ? listen.slice(i + 1) : listen);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--listen must be host:port or port, e.g. 127.0.0.1:7070; got '${listen}'`);
  }
  return { host, port };
}
