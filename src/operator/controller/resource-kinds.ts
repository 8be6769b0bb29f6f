/** The kinds the operator reads and writes, and their REST collection paths. */
import { BACKUP_KIND, BACKUP_PLURAL } from "../../api/backup-resource.ts";
import { API_VERSION, KIND, PLURAL } from "../../api/names.ts";
import { MONITORING_API_VERSION } from "../../builders/unstructured.ts";

export interface ResourceKind {
  apiVersion: string;
  kind: string;
  plural: string;
}

export const STORES: ResourceKind = { apiVersion: API_VERSION, kind: KIND, plural: PLURAL };
export const BACKUPS: ResourceKind = { apiVersion: API_VERSION, kind: BACKUP_KIND, plural: BACKUP_PLURAL };
export const STATEFUL_SETS: ResourceKind = {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  plural: "statefulsets",
};
export const CONFIG_MAPS: ResourceKind = { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps" };
export const SERVICES: ResourceKind = { apiVersion: "v1", kind: "Service", plural: "services" };
export const CRON_JOBS: ResourceKind = { apiVersion: "batch/v1", kind: "CronJob", plural: "cronjobs" };
export const DISRUPTION_BUDGETS: ResourceKind = {
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  plural: "poddisruptionbudgets",
};
export const NETWORK_POLICIES: ResourceKind = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  plural: "networkpolicies",
};
export const PODS: ResourceKind = { apiVersion: "v1", kind: "Pod", plural: "pods" };
export const SECRETS: ResourceKind = { apiVersion: "v1", kind: "Secret", plural: "secrets" };
export const SERVICE_MONITORS: ResourceKind = {
  apiVersion: MONITORING_API_VERSION,
  kind: "ServiceMonitor",
  plural: "servicemonitors",
};
export const PROMETHEUS_RULES: ResourceKind = {
  apiVersion: MONITORING_API_VERSION,
  kind: "PrometheusRule",
  plural: "prometheusrules",
};

/** Owned kinds the operator watches (label-selected) and reads from its cache instead of the apiserver. */
export const CACHED_OWNED_KINDS: readonly ResourceKind[] = [
  STATEFUL_SETS,
  CONFIG_MAPS,
  SERVICES,
  CRON_JOBS,
  DISRUPTION_BUDGETS,
  NETWORK_POLICIES,
];

export function collectionPath(kind: ResourceKind, namespace?: string): string {
  const base = kind.apiVersion.includes("/") ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${kind.plural}` : `${base}/${kind.plural}`;
}

export function kindKey(kind: Pick<ResourceKind, "apiVersion" | "kind">): string {
  return `${kind.apiVersion}/${kind.kind}`;
}
