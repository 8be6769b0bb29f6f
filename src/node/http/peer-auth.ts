/**
 * The peer routes (`/internal/...`) answer peers only. With TLS a peer is whoever presents a
 * certificate of the store (tls/peer-identity.ts); without TLS, whoever sends the store's peer
 * secret. A client's token or certificate never opens them. With a peer listener of its own, the
 * peer routes are served there only, so a NetworkPolicy can keep that port for the store's pods.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { FastifyInstance } from "fastify";
import type { ClusterConfig } from "../../config/cluster-config.ts";
import { PEER_SECRET_HEADER } from "../tls/peer-credentials.ts";
import { socketIsPeer } from "../tls/peer-identity.ts";
import { type ApiError, sendError } from "./errors.ts";
import { isPeerPath } from "./route-role.ts";

/** What a peer listener serves besides the peer routes: the kubelet's probes. */
const PROBES = new Set(["/healthz", "/readyz"]);

export interface PeerAuthOptions {
  /** peers connect over mutual TLS */
  readonly tls: boolean;
  /** without TLS: the secret peers send; unset too: peer routes open (a store `replistore up` or the operator never makes) */
  readonly secret: string | undefined;
  /** whether a socket arrived on the peer listener; undefined: there is none, peer routes are on the client port */
  readonly onPeerListener: ((socket: Socket) => boolean) | undefined;
  /** the peer listener's port, for messages */
  readonly peerPort: number | undefined;
  config(): ClusterConfig;
}

export function installPeerAuth(app: FastifyInstance, opts: PeerAuthOptions): void {
  const check = peerCheck(opts);
  // A callback hook, not an async one: it runs on every request, and a promise per hook shows.
  app.addHook("onRequest", (req, reply, done) => {
    const refused = check(req.url.split("?", 1)[0]!, req.raw.socket, req.headers);
    if (refused) sendError(reply, refused.status, refused.body);
    else done();
  });
}

/** Why a request may not go on (status and JSON body); undefined when it may. */
export type PeerCheck = (
  path: string,
  socket: Socket,
  headers: IncomingHttpHeaders,
) => { status: number; body: ApiError } | undefined;

/** The check every request and every peer-stream upgrade passes before it is served. */
export function peerCheck(opts: PeerAuthOptions): PeerCheck {
  const secret = opts.secret === undefined ? undefined : Buffer.from(opts.secret);
  return (path, socket, headers) => {
    const peerRoute = isPeerPath(path);
    if (opts.onPeerListener) {
      const onPeerPort = opts.onPeerListener(socket);
      if (onPeerPort && !peerRoute && !PROBES.has(path)) {
        return {
          status: 404,
          body: {
            error: "not_found",
            message: `port ${opts.peerPort} serves the store's peers only; the API is on the client port`,
          },
        };
      }
      if (!onPeerPort && peerRoute) {
        return {
          status: 403,
          body: {
            error: "peer_only",
            message: `peer routes are served to the store's own nodes on the peer port (${opts.peerPort}), not here`,
          },
        };
      }
    }
    if (!peerRoute) return undefined;
    if (opts.tls) {
      if (socketIsPeer(socket as TLSSocket, opts.config())) return undefined;
      return {
        status: 403,
        body: {
          error: "peer_only",
          message:
            "peer routes need the certificate of one of this store's nodes (mutual TLS with the store's CA); a client's token or certificate does not open them",
        },
      };
    }
    if (secret === undefined) return undefined;
    const sent = headers[PEER_SECRET_HEADER];
    const got = Buffer.from(typeof sent === "string" ? sent : "");
    if (got.length !== secret.length || !timingSafeEqual(got, secret)) {
      return {
        status: 403,
        body: {
          error: "peer_only",
          message: `peer routes need the store's peer secret in ${PEER_SECRET_HEADER}; a client's token does not open them`,
        },
      };
    }
    return undefined;
  };
}
