/** The review page of `replistore up`: its one store, whose nodes it reaches at their URLs. */
import type { ReviewStore, StoreDirectory } from "./directory.ts";
import { httpEndpoint, type NodeEndpoint } from "./upstream.ts";

export interface LocalStore {
  name: string;
  mode: string;
  members: { id: string; url: string }[];
  /** the token file, when the store has a token */
  tokenFile?: string;
}

export function localDirectory(store: LocalStore): StoreDirectory {
  const info: ReviewStore = {
    id: store.name,
    name: store.name,
    mode: store.mode,
    auth: store.tokenFile !== undefined,
    ...(store.tokenFile ? { tokenHint: `the token is in ${store.tokenFile}` } : {}),
  };
  const endpoints: NodeEndpoint[] = store.members.map((m) => httpEndpoint(m.id, m.url));
  return {
    describe: `replistore up: nodes ${store.members.map((m) => m.url).join(", ")}`,
    stores: async () => [info],
    endpoints: async (id) => (id === store.name ? endpoints : undefined),
  };
}
