/**
 * The store a fuzz run starts when it is given no URL (npm run fuzz, the CI test): 3 real node
 * processes on loopback (test/support's harness), and how to reach them as a client and as a peer.
 */
import { join } from "node:path";
import { PEER_SECRET_HEADER } from "../../src/node/tls/peer-credentials.ts";
import { type Store, type StoreOptions, startStore } from "../../test/support/store.ts";
import type { PeerCredentials } from "./fuzz.ts";
import type { Target } from "./http.ts";

export interface LocalStoreOptions {
  /** MultiLeader, 2 leaders of 3, AllToAll (so pushed updates are applied); default Leaderless */
  multiLeader?: boolean;
  /** HTTPS with a CA made for the store; the run is a peer by presenting a node's certificate */
  tls?: boolean;
  /** without TLS: the peer secret the nodes take and the run sends */
  peerSecret?: string;
  /** the client token the nodes take and the run sends */
  token?: string;
}

export interface LocalStore {
  store: Store;
  target: Target;
  peer: PeerCredentials;
  describe: string;
}

export async function startLocalStore(o: LocalStoreOptions): Promise<LocalStore> {
  const options: StoreOptions = {
    nodes: 3,
    proxy: false,
    ...(o.token ? { token: o.token } : {}),
    ...(o.tls ? { tls: true } : {}),
    ...(o.peerSecret ? { peerSecret: o.peerSecret } : {}),
    ...(o.multiLeader
      ? {
          writeQuorum: 1,
          readQuorum: 1,
          config: { mode: "MultiLeader", multiLeader: { leaders: 2, topology: "AllToAll", hub: 0 } },
        }
      : {}),
  };
  const store = await startStore(options);
  const tlsDir = store.tls?.dir;
  return {
    store,
    target: {
      url: store.urls[0]!,
      ...(tlsDir ? { cacert: join(tlsDir, "ca.crt") } : {}),
      headers: o.token ? { Authorization: `Bearer ${o.token}` } : {},
    },
    peer: {
      headers: o.peerSecret ? { [PEER_SECRET_HEADER]: o.peerSecret } : {},
      ...(tlsDir ? { cert: join(tlsDir, "tls.crt"), key: join(tlsDir, "tls.key") } : {}),
    },
    describe: [
      o.multiLeader ? "MultiLeader" : "Leaderless",
      o.tls
        ? "TLS, peers by certificate"
        : o.peerSecret
          ? "no TLS, peers by secret"
          : "no TLS, peer routes open",
      o.token ? "client token" : "no client token",
    ].join(", "),
  };
}
