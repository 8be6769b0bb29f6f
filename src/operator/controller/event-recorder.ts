/**
 * Kubernetes Events on a ReplicatedStore (what `kubectl describe rstore` lists). The reconciler only
 * records an event when something happened (an object written, a condition changed), so a steady
 * store writes none. Failing to record an event is logged, never fatal.
 */
import { randomBytes } from "node:crypto";
import type { CoreV1Api, CoreV1Event } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { API_VERSION, KIND } from "../../api/names.ts";
import { apiErrorMessage } from "./api-errors.ts";
import { type ApiStats, countWrite } from "./api-stats.ts";
import { FIELD_MANAGER } from "./applier.ts";

export type EventType = "Normal" | "Warning";

export interface StoreRef {
  namespace: string;
  name: string;
  uid: string;
  /** The object's kind and apiVersion, when it is not a ReplicatedStore (a ReplicatedStoreBackup). */
  kind?: string;
  apiVersion?: string;
}

/** The apiserver refuses longer event messages. */
const MAX_MESSAGE = 1024;

export class EventRecorder {
  private readonly core: CoreV1Api;
  private readonly stats: ApiStats;
  private readonly instance: string;

  constructor(core: CoreV1Api, stats: ApiStats, instance: string) {
    this.core = core;
    this.stats = stats;
    this.instance = instance;
  }

  async record(
    store: StoreRef,
    type: EventType,
    reason: string,
    message: string,
    log: Logger,
  ): Promise<void> {
    const now = new Date();
    const involvedObject = {
      apiVersion: store.apiVersion ?? API_VERSION,
      kind: store.kind ?? KIND,
      namespace: store.namespace,
      name: store.name,
      uid: store.uid,
    };
    const body: CoreV1Event = {
      metadata: { name: `${store.name}.${randomBytes(8).toString("hex")}`, namespace: store.namespace },
      involvedObject,
      type,
      reason,
      message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message,
      source: { component: FIELD_MANAGER },
      reportingComponent: `replistore.io/${FIELD_MANAGER}`,
      reportingInstance: this.instance,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      action: reason,
    };
    try {
      await this.core.createNamespacedEvent({ namespace: store.namespace, body });
      countWrite(this.stats, "create", "Event");
    } catch (error) {
      log.warn({ reason, err: apiErrorMessage(error) }, "could not record event");
    }
  }
}
