/**
 * status.conflictsPending, read from a node without holding up a reconcile: the reconcile takes the
 * last count read and, when one is due, starts a read in the background; a read that finds a
 * different count queues the store again. A read is due when the store has none yet, when what the
 * cache shows changed (its generation, or how many of its pods are ready), and otherwise once per
 * resync period, so a steady store costs one pod list and one small request per period, and none
 * while no pod is ready.
 *
 * The cheapest exact source is the node's `GET /metrics`: `replistore_conflicts_pending` counts the
 * pending records of the replicated queue (every node reports the same), needs no token (metrics
 * are open, like probes), and costs the same whatever the queue holds, where listing
 * `/v1/conflicts?status=pending` would page through every record and its values.
 */
import type { Logger } from "pino";
import { describeAnswer } from "../../client/api-error.ts";
import { keyOf } from "../controller/store-key.ts";
import { failureOf, type NodeAccess, nodeRequest } from "./node-access.ts";

export interface ConflictReading {
  pending: number;
  /** the pod that answered */
  node: string;
}

interface Entry {
  trigger: string;
  at: number;
  reading?: ConflictReading;
  inFlight: boolean;
}

/** After a read that failed, try again this soon (unless the resync period is shorter). */
const RETRY_MS = 30_000;
const CONCURRENT_READS = 4;
const ATTEMPTS = 2;

export function parsePendingGauge(metrics: string): number | undefined {
  const match = /^replistore_conflicts_pending(?:\{[^}]*\})? ([0-9.e+]+)$/m.exec(metrics);
  if (!match) return undefined;
  const value = Number(match[1]);
  return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}

export class ConflictProbes {
  private readonly nodes: NodeAccess;
  private readonly intervalMs: number;
  private readonly log: Logger;
  private readonly onChange: (storeKey: string) => void;
  private readonly entries = new Map<string, Entry>();
  private readonly waiting: (() => Promise<void>)[] = [];
  private running = 0;
  private stopped = false;

  constructor(
    nodes: NodeAccess,
    options: { intervalMs: number; log: Logger; onChange: (storeKey: string) => void },
  ) {
    this.nodes = nodes;
    this.intervalMs = options.intervalMs;
    this.log = options.log;
    this.onChange = options.onChange;
  }

  /**
   * The last count read for the store (undefined: none yet), starting a read when one is due and
   * `canRead` (a pod is ready). `trigger` sums up what the cache shows; a change makes a read due.
   */
  observe(
    store: { namespace: string; name: string; uid: string },
    trigger: string,
    canRead: boolean,
    nowMs = Date.now(),
  ): ConflictReading | undefined {
    let entry = this.entries.get(store.uid);
    if (!entry) {
      entry = { trigger: "", at: 0, inFlight: false };
      this.entries.set(store.uid, entry);
    }
    const wait = entry.reading ? this.intervalMs : Math.min(this.intervalMs, RETRY_MS);
    const due = entry.trigger !== trigger || nowMs - entry.at >= wait;
    if (due && canRead && !entry.inFlight && !this.stopped) {
      entry.inFlight = true;
      entry.trigger = trigger;
      entry.at = nowMs;
      const current = entry;
      this.schedule(() => this.read(store, current));
    }
    return entry.reading;
  }

  forget(uid: string): void {
    this.entries.delete(uid);
  }

  stop(): void {
    this.stopped = true;
    this.waiting.length = 0;
  }

  private schedule(task: () => Promise<void>): void {
    this.waiting.push(task);
    this.drain();
  }

  private drain(): void {
    while (this.running < CONCURRENT_READS && this.waiting.length > 0) {
      const task = this.waiting.shift();
      if (!task) break;
      this.running++;
      void task().finally(() => {
        this.running--;
        this.drain();
      });
    }
  }

  private async read(store: { namespace: string; name: string; uid: string }, entry: Entry): Promise<void> {
    const key = keyOf(store.namespace, store.name);
    try {
      const pods = await this.nodes.storePods(store.namespace, store.name);
      const failures: string[] = [];
      // Ready pods first; two tries at most, so a store whose pods cannot be reached costs little.
      const endpoints = await this.nodes.storeEndpoints(store.namespace, store.name, pods);
      for (const endpoint of endpoints.slice(0, ATTEMPTS)) {
        try {
          const answer = await endpoint.call(nodeRequest("GET", "/metrics"));
          const pending = answer.status === 200 ? parsePendingGauge(answer.body.toString("utf8")) : undefined;
          if (pending === undefined) {
            failures.push(
              `${endpoint.name}: ${answer.status === 200 ? "no replistore_conflicts_pending in /metrics" : describeAnswer(answer)}`,
            );
            continue;
          }
          const changed = entry.reading?.pending !== pending;
          entry.reading = { pending, node: endpoint.name };
          if (changed && this.entries.get(store.uid) === entry) this.onChange(key);
          return;
        } catch (error) {
          failures.push(failureOf(endpoint, error));
        }
      }
      this.log.debug(
        { namespace: store.namespace, name: store.name, failures },
        "could not read the pending conflicts from any node",
      );
    } catch (error) {
      this.log.debug(
        {
          namespace: store.namespace,
          name: store.name,
          err: error instanceof Error ? error.message : String(error),
        },
        "could not list the store's pods to read its pending conflicts",
      );
    } finally {
      entry.inFlight = false;
    }
  }
}
