/** Which spec.bootstrap.fromBackup fields go together (CEL for the CRD, TypeScript for `replistore up`). */
import type { CrossFieldRule } from "./cross-field-rule.ts";

const HAS_FROM = "has(self.bootstrap) && has(self.bootstrap.fromBackup)";

export const BACKUP_RULES: readonly CrossFieldRule[] = [
  {
    id: "from-backup-one-source",
    field: "spec.bootstrap.fromBackup",
    cel: `!(${HAS_FROM}) || (has(self.bootstrap.fromBackup.backupName) != has(self.bootstrap.fromBackup.destination))`,
    message:
      "spec.bootstrap.fromBackup: give exactly one of backupName (a ReplicatedStoreBackup) or destination (where backups are, with an optional backupId)",
    holds: (spec) => {
      const from = spec.bootstrap?.fromBackup;
      return !from || (from.backupName !== undefined) !== (from.destination !== undefined);
    },
    explain: (spec) =>
      spec.bootstrap?.fromBackup?.backupName !== undefined
        ? "spec.bootstrap.fromBackup: give backupName or destination, not both"
        : "spec.bootstrap.fromBackup needs backupName (a ReplicatedStoreBackup in this namespace) or destination {path: s3://bucket/path} with an optional backupId",
  },
  {
    id: "from-backup-id-with-destination",
    field: "spec.bootstrap.fromBackup.backupId",
    cel: `!(${HAS_FROM}) || !has(self.bootstrap.fromBackup.backupId) || has(self.bootstrap.fromBackup.destination)`,
    message:
      "spec.bootstrap.fromBackup.backupId goes with destination: with backupName, the backup names itself",
    holds: (spec) => {
      const from = spec.bootstrap?.fromBackup;
      return !from || from.backupId === undefined || from.destination !== undefined;
    },
    explain: () =>
      "spec.bootstrap.fromBackup.backupId goes with destination; with backupName, the backup names itself: remove backupId",
  },
];
