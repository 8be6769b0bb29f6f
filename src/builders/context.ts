/**
 * What every builder takes: the store as the apiserver returned it (validated, N/W/R filled in)
 * and the few facts about the operator's environment a manifest cannot know.
 */

import type { BackupDestination } from "../api/backup-types.ts";
import type { MonitoringDefaults } from "../api/monitoring-defaults.ts";
import type { ReplicatedStore } from "../api/replicated-store.ts";

/** A ReplicatedStore read from the apiserver: it has a namespace and a uid (owner references need both). */
export type StoreResource = ReplicatedStore & {
  metadata: ReplicatedStore["metadata"] & { namespace: string; uid: string; generation?: number };
};

export interface BuildContext {
  /** Image of nodes and repair jobs when spec.image is empty: the operator's own. */
  image: string;
  /**
   * Pull secrets (names) for the pods of stores whose spec names none: the operator's own, so a
   * private registry configured once in its chart also serves its stores.
   */
  imagePullSecrets?: readonly string[];
  /** Namespace the operator runs in; the NetworkPolicy lets its pods reach the nodes. */
  operatorNamespace: string;
  /** Written into cluster.json and reported by each node in /v1/status. */
  configGeneration: number;
  /** Cluster DNS domain for member URLs; omitted, URLs end in `.svc` and resolve through the search path. */
  clusterDomain?: string;
  /** Random token for a Secret the operator creates (only read by the Secret builder). */
  token?: string;
  /** MultiLeader failover in force (see operator/failover/plan.ts): the hub and the Circle ring, by ordinal. */
  failover?: { hub?: number; ring?: number[] };
  /**
   * A scale-down in progress (see operator/scale-down/plan.ts): the StatefulSet keeps `pods` replicas and
   * the config `members` members until the leaving nodes have handed their keys over.
   */
  scaleDown?: { pods: number; members: number };
  /**
   * spec.bootstrap.fromBackup as the operator resolved it: where the backup is (the pods keep its
   * settings while spec.bootstrap does, so finishing the restore rolls nothing) and, only while the
   * nodes still load it, which backup (the config carries it then, and only then).
   */
  bootstrap?: { destination: BackupDestination; backupId?: string };
  /** The operator's defaults for spec.monitoring (chart value storeMonitoring). */
  monitoring?: MonitoringDefaults;
}

/** What every pod of a store mounts (its port is in api/names.ts). The image's entrypoint is `replistore`. */
export const CONFIG_DIR = "/etc/replistore";
export const CONFIG_KEY = "cluster.json";
export const CONFIG_PATH = `${CONFIG_DIR}/${CONFIG_KEY}`;
export const DATA_DIR = "/var/lib/replistore";
export const DATA_VOLUME = "data";
export const TOKEN_KEY = "token";
/** Not 0 (root) and not a uid an image is likely to have baked in; matches the image's user. */
export const RUN_AS_USER = 10001;
