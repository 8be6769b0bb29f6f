/** Helpers shared by the multi-leader integration tests. */
import { expect } from "vitest";
import type { ClusterConfig } from "../../../src/config/cluster-config.ts";
import { eventually, metricValue, type Store, type StoreOptions, startStore } from "../../support/index.ts";

export type Topology = "Circle" | "Star" | "AllToAll";

export interface MultiLeaderOptions {
  nodes: number;
  leaders: number;
  topology: Topology;
  hub?: number;
  writeQuorum?: number;
  failoverAfterMs?: number;
  store?: Partial<StoreOptions>;
}

export function startMultiLeader(o: MultiLeaderOptions): Promise<Store> {
  return startStore({
    nodes: o.nodes,
    writeQuorum: o.writeQuorum ?? 1,
    readQuorum: 1,
    ...o.store,
    config: {
      mode: "MultiLeader",
      multiLeader: {
        leaders: o.leaders,
        topology: o.topology,
        hub: o.hub ?? 0,
        failoverAfterMs: o.failoverAfterMs ?? 1_000,
      },
      ...o.store?.config,
    } as StoreOptions["config"],
  });
}

/** Sum of a metric on node i (0 when absent). */
export async function metric(store: Store, i: number, name: string, labels: Record<string, string> = {}) {
  return metricValue(await store.client(i).metrics(), name, labels) ?? 0;
}

export async function sumMetric(
  store: Store,
  nodes: readonly number[],
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  let total = 0;
  for (const i of nodes) total += await metric(store, i, name, labels);
  return total;
}

/** Waits until node i holds `value` for `key` in its own copy. */
export function waitForValue(store: Store, i: number, key: string, value: string, timeoutMs = 15_000) {
  return eventually(
    async () => {
      const r = await store.client(i).get(key, { local: true });
      expect(r.status, `${store.id(i)} ${key}: ${r.text}`).toBe(200);
      expect(r.text).toBe(value);
    },
    { timeoutMs, what: `${store.id(i)} has ${key}=${value}` },
  );
}

/** Waits until every node in `nodes` holds every key of `expected` with its value. */
export async function waitConverged(
  store: Store,
  nodes: readonly number[],
  expected: ReadonlyMap<string, string>,
  timeoutMs = 20_000,
): Promise<void> {
  await eventually(
    async () => {
      for (const i of nodes) {
        for (const [key, value] of expected) {
          const r = await store.client(i).get(key, { local: true });
          if (r.status !== 200 || r.text !== value) {
            throw new Error(
              `${store.id(i)} has ${key}=${r.status === 200 ? r.text : r.status}, want ${value}`,
            );
          }
        }
      }
    },
    { timeoutMs, intervalMs: 200, what: "every node has every write" },
  );
}

export interface MultiLeaderStatus {
  node: { id: string; role: string };
  multiLeader: {
    topology: Topology;
    leaders: string[];
    hub?: string;
    sendsTo: Array<{ peer: string; ownOnly: boolean; updates: number; seconds: number }>;
    outbox: number;
    buffered: number;
  };
}

export async function mlStatus(store: Store, i: number): Promise<MultiLeaderStatus> {
  const r = await store.client(i).status();
  expect(r.status, r.text).toBe(200);
  return r.body as unknown as MultiLeaderStatus;
}

/** Changes the multi-leader section of the live config. */
export function updateMultiLeader(store: Store, patch: Partial<NonNullable<ClusterConfig["multiLeader"]>>) {
  return store.updateConfig((c) => {
    c.multiLeader = { ...c.multiLeader!, ...patch };
  });
}

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);
