import { formatTimestamp } from "../clock/hlc.ts";
import type { VersionedRecord } from "../storage/record.ts";
import { type ConflictRecord, conflictId } from "./record.ts";

export interface PartialWriteFacts {
  key: string;
  written: VersionedRecord;
  /** The newest version the reached owners held before; its value when this node had it. */
  replaced: VersionedRecord | undefined;
  replacedValueKnown: boolean;
  ownersReached: string[];
  ownersFailed: string[];
  detectedBy: string;
}

/**
 * A write that failed its quorum but stayed on some owners cannot be rolled back: the record puts
 * it beside the version it replaced so on-call can decide which stands. Last write wins has
 * already applied the partial one.
 */
export function partialWriteRecord(f: PartialWriteFacts): ConflictRecord {
  const written = formatTimestamp(f.written.version);
  const versions: ConflictRecord["versions"] = [
    { version: written, value: f.written.value, origin: f.written.version.node, role: "partial" },
  ];
  if (f.replaced) {
    versions.push({
      version: formatTimestamp(f.replaced.version),
      value: f.replacedValueKnown ? f.replaced.value : undefined,
      origin: f.replaced.version.node,
      role: "replaced",
    });
  }
  return {
    id: conflictId("partial_write", f.key, [written]),
    key: f.key,
    kind: "partial_write",
    versions,
    applied: written,
    detectedAt: new Date().toISOString(),
    detectedBy: f.detectedBy,
    status: "pending",
    resolution: null,
    ownersReached: f.ownersReached,
    ownersFailed: f.ownersFailed,
  };
}
