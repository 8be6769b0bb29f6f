/**
 * Moving the newest records to the owners that lack them: each record is fetched once, from one
 * owner that holds the newest version, and applied in bounded batches to every owner that lacks
 * it. Applying is last-write-wins on the node, so a batch repeated after a crash changes nothing.
 */

import {
  AE_APPLY,
  AE_RECORDS,
  type ApplyRequest,
  ApplyResponse,
  type RecordsRequest,
  RecordsResponse,
} from "../wire/anti-entropy.ts";
import type { RecordTuple } from "../wire/record.ts";
import { type KeyTable, ownersIn } from "./key-table.ts";
import type { NodeClient } from "./node-client.ts";

export const RECORDS_PER_REQUEST = 1_000;
export const APPLY_MAX_BYTES = 4 * 1024 * 1024;

export interface TransferStats {
  keysRepaired: number;
  recordsSent: number;
  recordsApplied: number;
  /** Keys gone from their source between the comparison and the fetch (purged meanwhile). */
  vanished: number;
}

interface Outbox {
  records: Array<[string, RecordTuple]>;
  bytes: number;
}

function tupleBytes(key: string, t: RecordTuple): number {
  return Buffer.byteLength(key) + (t[3]?.byteLength ?? 0) + t[2].length + 24;
}

export async function transfer(
  owners: readonly { client: NodeClient }[],
  table: KeyTable,
  onProgress: (done: number, total: number) => void,
): Promise<TransferStats> {
  const stats: TransferStats = { keysRepaired: 0, recordsSent: 0, recordsApplied: 0, vanished: 0 };
  const bySource = new Map<number, Array<{ key: string; lacking: number }>>();
  let total = 0;
  for (const { key, holders, lacking } of table.stale()) {
    // The lowest holder: which one does not matter for correctness, all hold the same version.
    const source = ownersIn(holders, owners.length)[0]!;
    const list = bySource.get(source);
    if (list) list.push({ key, lacking });
    else bySource.set(source, [{ key, lacking }]);
    total++;
  }
  const outboxes: Outbox[] = owners.map(() => ({ records: [], bytes: 0 }));
  const flush = async (target: number): Promise<void> => {
    const box = outboxes[target]!;
    if (box.records.length === 0) return;
    const request: ApplyRequest = { records: box.records };
    outboxes[target] = { records: [], bytes: 0 };
    stats.recordsSent += request.records.length;
    const answer = await owners[target]!.client.post(AE_APPLY, request, ApplyResponse);
    stats.recordsApplied += answer.body.applied;
  };

  let done = 0;
  // Values can be up to the store's size limit: the chunk shrinks so one answer stays near the cap.
  let chunkSize = RECORDS_PER_REQUEST;
  for (const [source, wanted] of bySource) {
    for (let i = 0; i < wanted.length; ) {
      const chunk = wanted.slice(i, i + chunkSize);
      i += chunk.length;
      const request: RecordsRequest = { keys: chunk.map((w) => w.key) };
      const answer = await owners[source]!.client.post(AE_RECORDS, request, RecordsResponse);
      const lackingOf = new Map(chunk.map((w) => [w.key, w.lacking]));
      let answerBytes = 0;
      for (const [key, tuple] of answer.body.records) {
        const lacking = lackingOf.get(key);
        if (lacking === undefined) continue;
        if (tuple === null) {
          stats.vanished++;
          continue;
        }
        stats.keysRepaired++;
        const size = tupleBytes(key, tuple);
        answerBytes += size;
        for (const target of ownersIn(lacking, owners.length)) {
          const box = outboxes[target]!;
          box.records.push([key, tuple]);
          box.bytes += size;
          if (box.records.length >= RECORDS_PER_REQUEST || box.bytes >= APPLY_MAX_BYTES) await flush(target);
        }
      }
      const average = answerBytes / Math.max(1, chunk.length);
      chunkSize = Math.max(
        1,
        Math.min(RECORDS_PER_REQUEST, Math.floor(APPLY_MAX_BYTES / Math.max(1, average))),
      );
      done += chunk.length;
      onProgress(done, total);
    }
  }
  await Promise.all(owners.map((_, target) => flush(target)));
  return stats;
}
