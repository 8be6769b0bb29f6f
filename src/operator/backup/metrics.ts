/**
 * Backup metrics of the operator, per store (labels store_namespace and store: `namespace` and `job`
 * are the operator's own scrape labels). Gauges are read at scrape time from the operator's caches;
 * the counter counts the runs this operator saw finish. ReplistoreBackupTooOld reads them.
 */
import { Counter, Gauge, type Registry } from "prom-client";

export interface StoreBackupStats {
  namespace: string;
  store: string;
  /** spec.backup.alertAfter in seconds; undefined for a store without spec.backup. */
  maxAgeSeconds?: number;
  /** When this operator first saw the store's spec.backup (unix seconds). */
  watchedSinceSeconds?: number;
  last?: { completedAtSeconds: number; durationSeconds?: number; bytes?: number; keys?: number };
}

const LABELS = ["store_namespace", "store"] as const;
type Label = (typeof LABELS)[number];

export class BackupMetrics {
  readonly finished: Counter<Label | "result">;

  constructor(registry: Registry, stats: () => StoreBackupStats[]) {
    const registers = [registry];
    this.finished = new Counter({
      name: "replistore_backups_total",
      help: "ReplicatedStoreBackups this operator saw finish, by result (completed or failed)",
      labelNames: [...LABELS, "result"],
      registers,
    });
    const gauge = (name: string, help: string, read: (s: StoreBackupStats) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: [...LABELS],
        registers,
        collect() {
          this.reset();
          for (const s of stats()) {
            const value = read(s);
            if (value !== undefined) this.set({ store_namespace: s.namespace, store: s.store }, value);
          }
        },
      });
    gauge(
      "replistore_backup_last_success_timestamp_seconds",
      "When the store's newest completed backup completed (unix seconds)",
      (s) => s.last?.completedAtSeconds,
    );
    gauge(
      "replistore_backup_last_duration_seconds",
      "How long the store's newest completed backup took",
      (s) => s.last?.durationSeconds,
    );
    gauge(
      "replistore_backup_last_size_bytes",
      "Size of the store's newest completed backup",
      (s) => s.last?.bytes,
    );
    gauge("replistore_backup_last_keys", "Keys in the store's newest completed backup", (s) => s.last?.keys);
    gauge(
      "replistore_backup_max_age_seconds",
      "spec.backup.alertAfter: ReplistoreBackupTooOld fires when the last success is older",
      (s) => s.maxAgeSeconds,
    );
    gauge(
      "replistore_backup_watched_since_timestamp_seconds",
      "When this operator first saw the store's spec.backup: the age of a store never backed up counts from here",
      (s) => s.watchedSinceSeconds,
    );
  }

  countFinished(namespace: string, store: string, result: "completed" | "failed"): void {
    this.finished.inc({ store_namespace: namespace, store, result });
  }
}
