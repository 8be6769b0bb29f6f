/**
 * Names of the objects a store owns. The store name is at most 52 characters (the CRD says why), so
 * every name below fits its kind's limit except the CronJob's, which must leave room for the Job
 * names the CronJob controller derives from it.
 */
import { createHash } from "node:crypto";
import type { StoreResource } from "./context.ts";

/** The CronJob controller appends "-<minutes since epoch>" (up to 11 characters) to name Jobs. */
const CRONJOB_NAME_MAX = 52;

/** `<base>-<suffix>`, shortened with a hash of the whole when longer than `max`, so it stays unique. */
export function boundedName(base: string, suffix: string, max: number): string {
  const full = `${base}-${suffix}`;
  if (full.length <= max) return full;
  const digest = createHash("sha256").update(full).digest("hex").slice(0, 5);
  const keep = max - suffix.length - digest.length - 2;
  return `${base.slice(0, keep).replace(/-+$/, "")}-${digest}-${suffix}`;
}

export const storeName = (store: StoreResource) => store.metadata.name;
export const statefulSetName = (store: StoreResource) => store.metadata.name;
export const clientServiceName = (store: StoreResource) => store.metadata.name;
export const peersServiceName = (store: StoreResource) => `${store.metadata.name}-peers`;
export const configMapName = (store: StoreResource) => `${store.metadata.name}-config`;
export const podDisruptionBudgetName = (store: StoreResource) => store.metadata.name;
export const networkPolicyName = (store: StoreResource) => store.metadata.name;
export const serviceMonitorName = (store: StoreResource) => store.metadata.name;
export const prometheusRuleName = (store: StoreResource) => store.metadata.name;
export const repairCronJobName = (store: StoreResource) =>
  boundedName(store.metadata.name, "repair", CRONJOB_NAME_MAX);

/** Pod (and node id) of ordinal i: what the StatefulSet controller names it. */
export const podName = (store: StoreResource, ordinal: number) => `${store.metadata.name}-${ordinal}`;
