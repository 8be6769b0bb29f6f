/**
 * How this node proves to a peer that it is one: with TLS, its certificate (mutual TLS, checked
 * against the store's CA); without TLS, the store's peer secret in a header. Client tokens are
 * never sent to peers: they open the client API, not the peer routes.
 */
import { buildConnector } from "undici";
import type { TlsDir } from "./tls-dir.ts";

export const PEER_SECRET_HEADER = "x-replistore-peer-secret";

export interface PeerCredentials {
  /** undici's `connect` option for connections to peers; undefined: plain TCP */
  readonly connect: buildConnector.connector | undefined;
  /** headers every peer request carries */
  readonly headers: Readonly<Record<string, string>>;
  /** whether peers are reached over TLS */
  readonly tls: boolean;
}

/**
 * A connector that reads the TLS material at each new connection, so a renewed certificate is
 * used from the next connection on while connections already open finish what they carry.
 */
export function peerCredentials(tls: TlsDir | undefined, peerSecret: string | undefined): PeerCredentials {
  if (!tls) {
    return {
      connect: undefined,
      headers: peerSecret ? { [PEER_SECRET_HEADER]: peerSecret } : {},
      tls: false,
    };
  }
  let built = build(tls);
  tls.onChange(() => {
    built = build(tls);
  });
  return {
    connect: (opts, cb) => built(opts, cb),
    headers: {},
    tls: true,
  };
}

function build(tls: TlsDir): buildConnector.connector {
  const { cert, key, ca } = tls.current();
  return buildConnector({ cert, key, ca });
}
