/**
 * Where reconcile looks up the live state of an owned object without asking the apiserver each time:
 * - watched kinds come from the informer cache, except that an object this operator wrote in the
 *   last few seconds is taken from its own write (the watch event may not have arrived yet, and
 *   acting on the stale cache would write again);
 * - other kinds (Secret, ServiceMonitor, PrometheusRule) are read once and remembered for a while
 *   (the resync period), so a steady store costs no reads either.
 * Entries are keyed by the store's uid: a store deleted and created again under the same name starts
 * from nothing.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Applier } from "./applier.ts";
import type { ResourceInformer } from "./informer.ts";
import { kindKey, type ResourceKind } from "./resource-kinds.ts";
import { slim } from "./slim.ts";

/** Long enough for a watch event to follow our write even on a loaded apiserver. */
const OWN_WRITE_WINDOW_MS = 30_000;

interface Remembered {
  owner: string;
  object: KubernetesObject | undefined;
  at: number;
}

export class LiveObjects {
  private readonly informers: ReadonlyMap<string, ResourceInformer<KubernetesObject>>;
  private readonly applier: Applier;
  private readonly readTtlMs: number;
  private readonly memory = new Map<string, Remembered>();

  constructor(
    informers: ReadonlyMap<string, ResourceInformer<KubernetesObject>>,
    applier: Applier,
    readTtlMs: number,
  ) {
    this.informers = informers;
    this.applier = applier;
    this.readTtlMs = readTtlMs;
  }

  isWatched(kind: ResourceKind): boolean {
    return this.informers.has(kindKey(kind));
  }

  async get(
    owner: string,
    kind: ResourceKind,
    namespace: string,
    name: string,
  ): Promise<KubernetesObject | undefined> {
    const key = this.key(kind, namespace, name);
    const entry = this.memory.get(key);
    const remembered = entry?.owner === owner ? entry : undefined;
    const now = Date.now();
    const informer = this.informers.get(kindKey(kind));
    if (informer) {
      if (remembered && now - remembered.at < OWN_WRITE_WINDOW_MS) return remembered.object;
      this.memory.delete(key);
      return informer.get(namespace, name);
    }
    if (remembered && now - remembered.at < this.readTtlMs) return remembered.object;
    const object = await this.applier.read({ apiVersion: kind.apiVersion, kind: kind.kind, namespace, name });
    this.memory.set(key, { owner, object: slim(object), at: now });
    return object;
  }

  /** After this operator wrote (or deleted: undefined) the object. */
  remember(
    owner: string,
    kind: ResourceKind,
    namespace: string,
    name: string,
    object: KubernetesObject | undefined,
  ): void {
    this.memory.set(this.key(kind, namespace, name), { owner, object: slim(object), at: Date.now() });
  }

  /** Someone else changed or deleted a watched object: trust the cache again. */
  invalidate(kind: ResourceKind, namespace: string, name: string): void {
    this.memory.delete(this.key(kind, namespace, name));
  }

  /** The store is gone: drop what was remembered for it. */
  forgetOwner(owner: string): void {
    for (const [key, entry] of this.memory) if (entry.owner === owner) this.memory.delete(key);
  }

  private key(kind: ResourceKind, namespace: string, name: string): string {
    return `${kindKey(kind)}|${namespace}|${name}`;
  }
}
