/** Stores as vitest fixtures: one for the tests of a describe block, or one per test. */
import { afterAll, afterEach, beforeAll } from "vitest";
import { type Store, type StoreOptions, startStore } from "./store.ts";

/** Three nodes, every one an owner, writes and reads on a majority (N=3, W=2, R=2). */
export const THREE_NODES_MAJORITY = { nodes: 3, factor: 3, writeQuorum: 2, readQuorum: 2 } as const;

/** A cut or killed owner costs a request 1.5 s, not the default timeout. */
export const SHORT_REQUEST_TIMEOUT = { limits: { requestTimeoutMs: 1_500 } } as const;

export interface StoreFixture {
  store: Store;
}

/** A store for the tests of one describe block: `env.store`, started before them, cleaned up after. */
export function useStore(options: StoreOptions): StoreFixture {
  const env = {} as StoreFixture;
  beforeAll(async () => {
    env.store = await startStore(options);
  });
  afterAll(async () => {
    await env.store?.cleanup();
  });
  return env;
}

export interface StorePerTest {
  /** Starts the test's store, cleaned up after the test. */
  start(options: StoreOptions): Promise<Store>;
}

/** A store of its own for each test that starts one; cleaned up after that test. */
export function storePerTest(): StorePerTest {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.cleanup();
    store = undefined;
  });
  return {
    async start(options) {
      store = await startStore(options);
      return store;
    },
  };
}
