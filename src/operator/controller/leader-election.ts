/**
 * Leader election on a coordination.k8s.io Lease, as client-go does it, so that two operator replicas
 * can run and only one reconciles:
 * - a candidate takes the Lease when it is free, or when its holder has not renewed it for
 *   leaseDuration as measured on this candidate's own clock (from when it last saw the record change,
 *   never from the holder's timestamps, so clock skew between pods does not matter);
 * - the leader renews every retryPeriod; if it cannot renew within renewDeadline it stops leading
 *   (renewDeadline < leaseDuration, so it stops before anyone else may take over);
 * - every write goes through resourceVersion, so two candidates cannot both win;
 * - on a clean stop the leader releases the Lease so a standby takes over at once.
 */
import { type CoordinationV1Api, type V1Lease, V1MicroTime } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { apiErrorMessage, isConflict, isNotFound } from "./api-errors.ts";

export interface LeaderElectionOptions {
  api: CoordinationV1Api;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  log: Logger;
}

export interface LeaderCallbacks {
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

export class LeaderElector {
  private readonly options: LeaderElectionOptions;
  private readonly abort = new AbortController();
  private observed: { holder: string; resourceVersion: string; at: number } | undefined;
  private leading = false;
  private loop: Promise<void> | undefined;

  constructor(options: LeaderElectionOptions) {
    if (options.renewDeadlineMs >= options.leaseDurationMs) {
      throw new Error("renewDeadline must be shorter than leaseDuration");
    }
    this.options = options;
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(callbacks: LeaderCallbacks): void {
    this.loop = this.run(callbacks);
  }

  /** Stops campaigning; a leader releases the Lease unless `release` is false. */
  async stop(release = true): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (this.leading && release) await this.release();
    this.leading = false;
  }

  private async run(callbacks: LeaderCallbacks): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs, log } = this.options;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) break;
      await sleep(retryPeriodMs, signal);
    }
    if (signal.aborted) return;
    this.leading = true;
    log.info({ lease: this.options.name, identity: this.options.identity }, "became leader");
    callbacks.onStartedLeading();
    let lastRenew = Date.now();
    while (!signal.aborted) {
      await sleep(retryPeriodMs, signal);
      if (signal.aborted) return;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = Date.now();
      } else if (Date.now() - lastRenew > renewDeadlineMs) {
        this.leading = false;
        log.error(
          { lease: this.options.name },
          "could not renew the leader lease in time; no longer leading",
        );
        callbacks.onStoppedLeading();
        return;
      }
    }
  }

  private spec(previous: V1Lease | undefined): V1Lease {
    const { identity, leaseDurationMs, name, namespace } = this.options;
    const now = new V1MicroTime();
    const before = previous?.spec;
    const keeping = before?.holderIdentity === identity;
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name,
        namespace,
        ...(previous?.metadata?.resourceVersion
          ? { resourceVersion: previous.metadata.resourceVersion }
          : {}),
      },
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
        acquireTime: keeping && before?.acquireTime ? new V1MicroTime(before.acquireTime) : now,
        renewTime: now,
        leaseTransitions: (before?.leaseTransitions ?? 0) + (keeping || !before?.holderIdentity ? 0 : 1),
      },
    };
  }

  /** True when this candidate holds the Lease after the call. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { api, namespace, name, identity, leaseDurationMs, log } = this.options;
    try {
      let lease: V1Lease;
      try {
        lease = await api.readNamespacedLease({ namespace, name });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        try {
          await api.createNamespacedLease({ namespace, body: this.spec(undefined) });
        } catch (createError) {
          if (!isNotFound(createError)) throw createError;
          log.warn(
            { lease: name, namespace },
            `namespace ${namespace} does not exist, so the leader Lease cannot be made: create it, or pass --leader-election-namespace or --no-leader-elect`,
          );
          return false;
        }
        this.observed = { holder: identity, resourceVersion: "", at: Date.now() };
        return true;
      }
      const holder = lease.spec?.holderIdentity ?? "";
      const resourceVersion = lease.metadata?.resourceVersion ?? "";
      if (this.observed?.resourceVersion !== resourceVersion) {
        this.observed = { holder, resourceVersion, at: Date.now() };
      }
      const expired = Date.now() - this.observed.at > leaseDurationMs;
      if (holder !== "" && holder !== identity && !expired) return false;
      const updated = await api.replaceNamespacedLease({ namespace, name, body: this.spec(lease) });
      this.observed = {
        holder: identity,
        resourceVersion: updated.metadata?.resourceVersion ?? "",
        at: Date.now(),
      };
      return true;
    } catch (error) {
      // A conflict means another candidate wrote first: it won this round.
      if (!isConflict(error))
        log.warn({ lease: name, err: apiErrorMessage(error) }, "leader lease request failed");
      return false;
    }
  }

  private async release(): Promise<void> {
    const { api, namespace, name, identity, log } = this.options;
    try {
      const lease = await api.readNamespacedLease({ namespace, name });
      if (lease.spec?.holderIdentity !== identity) return;
      const body: V1Lease = {
        ...lease,
        spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: new V1MicroTime() },
      };
      await api.replaceNamespacedLease({ namespace, name, body });
      log.info({ lease: name }, "released the leader lease");
    } catch (error) {
      log.warn({ lease: name, err: apiErrorMessage(error) }, "could not release the leader lease");
    }
  }
}
