import { randomUUID } from "node:crypto";
import type { Database, RootDatabase } from "lmdb";
import { formatTimestamp } from "../clock/hlc.ts";
import type { VersionedRecord } from "../storage/record.ts";

/**
 * A write that failed its quorum but was stored by some owners. It cannot be rolled back, so it
 * is kept for the conflict queue, where on-call decides whether it or the value it replaced stands.
 */
export interface PartialWrite {
  id: string;
  key: string;
  /** The version the failed write minted, and its value (null for a delete). */
  version: string;
  value: Uint8Array | null;
  /** The newest version the reached owners held before; its value when this node had it. */
  replaced: { version: string; value?: Uint8Array | null } | null;
  ownersReached: string[];
  ownersFailed: string[];
  needed: number;
  detectedAt: string;
  detectedBy: string;
}

export class PartialWriteLog {
  private readonly db: Database<PartialWrite, string>;

  constructor(root: RootDatabase) {
    this.db = root.openDB<PartialWrite, string>({ name: "partial-writes" });
  }

  async record(input: {
    key: string;
    written: VersionedRecord;
    replaced: VersionedRecord | undefined;
    replacedValueKnown: boolean;
    ownersReached: string[];
    ownersFailed: string[];
    needed: number;
    detectedBy: string;
  }): Promise<PartialWrite> {
    const rec: PartialWrite = {
      id: randomUUID(),
      key: input.key,
      version: formatTimestamp(input.written.version),
      value: input.written.value,
      replaced: input.replaced
        ? {
            version: formatTimestamp(input.replaced.version),
            ...(input.replacedValueKnown ? { value: input.replaced.value } : {}),
          }
        : null,
      ownersReached: input.ownersReached,
      ownersFailed: input.ownersFailed,
      needed: input.needed,
      detectedAt: new Date().toISOString(),
      detectedBy: input.detectedBy,
    };
    await this.db.put(rec.id, rec);
    return rec;
  }

  list(limit = 1000): PartialWrite[] {
    return [...this.db.getRange({ limit }).map(({ value }) => value)];
  }
}
