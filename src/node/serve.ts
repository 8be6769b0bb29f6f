/**
 * The node's listeners: the client port (the API, probes, metrics) and, when asked for, a peer
 * port of its own serving the peer routes; both HTTPS when the node has a TLS directory, both
 * reloading a renewed certificate without a restart (open connections keep the one they began with).
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from "node:https";
import type { Socket } from "node:net";
import type { Server as TlsServer } from "node:tls";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { forwardUpgrades } from "./http/peer-channel-server.ts";
import type { ServeOptions } from "./http/server.ts";
import type { TlsDir, TlsMaterial } from "./tls/tls-dir.ts";

export interface Address {
  host: string;
  port: number;
}

/**
 * `requestCert` without `rejectUnauthorized`: clients need no certificate (tokens authenticate
 * them); peers present theirs and the peer routes check it, answering 403 with a reason rather
 * than a bare handshake failure.
 */
export function serverTls(m: TlsMaterial): HttpsServerOptions {
  return { cert: m.cert, key: m.key, ca: m.ca, requestCert: true, rejectUnauthorized: false };
}

export function serveOptions(
  tls: TlsDir | undefined,
  peerSecret: string | undefined,
  peerListen: Address | undefined,
): ServeOptions {
  const peerPort = peerListen?.port;
  return {
    https: tls ? serverTls(tls.current()) : undefined,
    peers: {
      tls: tls !== undefined,
      secret: peerSecret,
      onPeerListener: peerListen ? (socket: Socket) => socket.localPort === peerPort : undefined,
      peerPort,
    },
  };
}

/** Starts the peer listener on `app`'s routes, and reloads certificates on every listener. */
export async function listenPeers(
  app: FastifyInstance,
  tls: TlsDir | undefined,
  peerListen: Address | undefined,
  log: Logger,
): Promise<Server | undefined> {
  let peerServer: Server | undefined;
  if (peerListen) {
    const handler = (
      req: Parameters<FastifyInstance["routing"]>[0],
      res: Parameters<FastifyInstance["routing"]>[1],
    ) => app.routing(req, res);
    peerServer = tls ? createHttpsServer(serverTls(tls.current()), handler) : createHttpServer(handler);
    peerServer.keepAliveTimeout = 65_000;
    forwardUpgrades(peerServer, app.server);
    const server = peerServer;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(peerListen.port, peerListen.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  }
  if (tls) {
    tls.onChange((m) => {
      const ctx = serverTls(m);
      (app.server as unknown as TlsServer).setSecureContext(ctx);
      (peerServer as unknown as TlsServer | undefined)?.setSecureContext(ctx);
      log.info({ notAfter: m.notAfter.toISOString() }, "serving the renewed certificate");
    });
    tls.start();
  }
  return peerServer;
}
