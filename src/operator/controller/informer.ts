/**
 * A watched collection, cached in memory: client-node informers (one per watched namespace, or one
 * for the whole cluster), restarted with backoff when their list or watch fails, since a client-node
 * informer stops for good on an error.
 */
import {
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  KubernetesObjectApi,
  makeInformer,
  type ObjectCache,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import { collectionPath, type ResourceKind } from "./resource-kinds.ts";
import { slim } from "./slim.ts";

export type ChangeKind = "add" | "update" | "delete";
export type ChangeHandler<T> = (object: T, change: ChangeKind) => void;

interface Watched<T extends KubernetesObject> {
  informer: Informer<T> & ObjectCache<T>;
  namespace: string | undefined;
  synced: boolean;
  failures: number;
  timer?: NodeJS.Timeout;
}

const RESTART_MAX_MS = 30_000;

export class ResourceInformer<T extends KubernetesObject> {
  readonly kind: ResourceKind;
  private readonly watched: Watched<T>[] = [];
  private readonly handlers: ChangeHandler<T>[] = [];
  private readonly log: Logger;
  private stopped = false;

  constructor(
    config: KubeConfig,
    kind: ResourceKind,
    options: { namespaces: readonly string[]; labelSelector?: string; log: Logger },
  ) {
    this.kind = kind;
    this.log = options.log.child({ kind: kind.kind });
    const api = KubernetesObjectApi.makeApiClient(config);
    const scopes = options.namespaces.length > 0 ? options.namespaces : [undefined];
    for (const namespace of scopes) {
      const entry = { namespace, synced: false, failures: 0 } as Watched<T>;
      const list = async (): Promise<KubernetesListObject<T>> => {
        const result = await api.list<T>(
          kind.apiVersion,
          kind.kind,
          namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          options.labelSelector,
        );
        entry.synced = true;
        entry.failures = 0;
        return result;
      };
      entry.informer = makeInformer<T>(config, collectionPath(kind, namespace), list, options.labelSelector);
      entry.informer.on("add", (o) => this.emit(entry, o, "add"));
      entry.informer.on("update", (o) => this.emit(entry, o, "update"));
      entry.informer.on("delete", (o) => this.emit(entry, o, "delete"));
      entry.informer.on("error", (err: unknown) => this.restart(entry, err));
      this.watched.push(entry);
    }
  }

  onChange(handler: ChangeHandler<T>): void {
    this.handlers.push(handler);
  }

  /** Starts every informer; resolves once each has listed its collection (or the deadline passes). */
  async start(timeoutMs = 60_000): Promise<void> {
    this.stopped = false;
    await Promise.all(this.watched.map((w) => w.informer.start()));
    const deadline = Date.now() + timeoutMs;
    while (!this.synced()) {
      if (Date.now() > deadline)
        throw new Error(`${this.kind.kind} informer did not sync in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  synced(): boolean {
    return this.watched.every((w) => w.synced);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.watched) clearTimeout(w.timer);
    await Promise.all(this.watched.map((w) => w.informer.stop()));
  }

  get(namespace: string, name: string): T | undefined {
    const w = this.watched.find((x) => x.namespace === undefined || x.namespace === namespace);
    return w?.informer.get(name, namespace);
  }

  list(): T[] {
    return this.watched.flatMap((w) => w.informer.list());
  }

  private emit(entry: Watched<T>, object: T, change: ChangeKind): void {
    // The informer hands its handlers the very object it caches: slimming it here slims the cache.
    slim(object);
    // An event means the watch works again: the next failure starts from the shortest delay.
    entry.failures = 0;
    for (const handler of this.handlers) handler(object, change);
  }

  private restart(entry: Watched<T>, err: unknown): void {
    if (this.stopped) return;
    entry.failures++;
    const delay = Math.min(RESTART_MAX_MS, 500 * 2 ** (entry.failures - 1));
    const message = err instanceof Error ? err.message : String(err);
    this.log.warn({ namespace: entry.namespace, err: message, retryInMs: delay }, "watch failed; restarting");
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      if (!this.stopped) void entry.informer.start();
    }, delay);
    entry.timer.unref();
  }
}
