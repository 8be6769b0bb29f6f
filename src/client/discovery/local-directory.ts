/** The store of `replistore up`'s review page: its one store, whose nodes are reached at their URLs. */
import type { NodeEndpoint } from "../endpoint.ts";
import { httpEndpoint } from "../http-endpoint.ts";
import type { DirectoryStore, StoreDirectory } from "./directory.ts";

export interface LocalStore {
  name: string;
  mode: string;
  members: { id: string; url: string }[];
  /** the token file, when the store has a token */
  tokenFile?: string;
  /** the CA that signed the nodes' certificate (TLS on) */
  ca?: string;
}

export function localDirectory(store: LocalStore): StoreDirectory {
  const info: DirectoryStore = {
    id: store.name,
    name: store.name,
    mode: store.mode,
    auth: store.tokenFile !== undefined,
    ...(store.tokenFile ? { tokenHint: `the token is in ${store.tokenFile}` } : {}),
  };
  const endpoints: NodeEndpoint[] = store.members.map((m) =>
    httpEndpoint(m.id, m.url, store.ca !== undefined ? { ca: store.ca } : {}),
  );
  return {
    describe: `replistore up: nodes ${store.members.map((m) => m.url).join(", ")}`,
    stores: async () => [info],
    endpoints: async (id) => (id === store.name ? endpoints : undefined),
  };
}
