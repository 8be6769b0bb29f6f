import { compareKeys, type KeyRecord } from "../wire/backup.ts";
import { compareTimestamps } from "../wire/version.ts";

/**
 * Merges key-ordered record streams into one: each key once, with the newest version any stream
 * holds (last write wins, as the store itself decides). Streams come in batches (a snapshot's
 * frames) and the merge yields batches, so it waits only when a stream's batch runs out, not once
 * per record. Holds one batch per stream in memory.
 */
export async function* mergeNewest(
  streams: ReadonlyArray<AsyncIterator<readonly KeyRecord[]>>,
  batchSize = 512,
): AsyncGenerator<KeyRecord[]> {
  const batches: Array<readonly KeyRecord[] | undefined> = [];
  const at: number[] = [];
  const refill = async (i: number) => {
    for (;;) {
      const next = await streams[i]!.next();
      if (next.done) {
        batches[i] = undefined;
        return;
      }
      if (next.value.length > 0) {
        batches[i] = next.value;
        at[i] = 0;
        return;
      }
    }
  };
  await Promise.all(streams.map((_, i) => refill(i)));
  let out: KeyRecord[] = [];
  for (;;) {
    let key: string | undefined;
    for (let i = 0; i < streams.length; i++) {
      const head = batches[i]?.[at[i]!];
      if (head && (key === undefined || compareKeys(head[0], key) < 0)) key = head[0];
    }
    if (key === undefined) break;
    let best: KeyRecord | undefined;
    for (let i = 0; i < streams.length; i++) {
      const batch = batches[i];
      const head = batch?.[at[i]!];
      if (!head || head[0] !== key) continue;
      if (!best || compareTimestamps(version(head), version(best)) > 0) best = head;
      at[i]!++;
      if (at[i]! >= batch!.length) await refill(i);
    }
    out.push(best!);
    if (out.length >= batchSize) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

function version(r: KeyRecord) {
  const t = r[1];
  return { wall: t[0], logical: t[1], node: t[2] };
}
