/** The store of `replistore up`'s review page: its one store, whose nodes are reached at their URLs. */
import type { NodeEndpoint } from "../endpoint.ts";
import { httpEndpoint } from "../http-endpoint.ts";
import type { DirectoryStore, StoreDirectory } from "./directory.ts";

export interface LocalStore {
  name: string;
  mode: string;
  members: { id: string; url: string }[];
  /** whether the store asks for tokens (default: whether there is a token file) */
  auth?: boolean;
  /** the file of the token the page needs (resolving takes the admin role), when there is one */
  tokenFile?: string;
  /** the CA that signed the nodes' certificate (TLS on) */
  ca?: string;
}

export function localDirectory(store: LocalStore): StoreDirectory {
  const info: DirectoryStore = {
    id: store.name,
    name: store.name,
    mode: store.mode,
    auth: store.auth ?? store.tokenFile !== undefined,
    ...(store.tokenFile
      ? { tokenHint: `the admin token is in ${store.tokenFile}` }
      : store.auth
        ? { tokenHint: "resolving needs an admin token: add spec.auth.admin to the manifest" }
        : {}),
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
