import { compareKeys, type KeyRecord } from "../wire/backup.ts";
import { compareTimestamps } from "../wire/version.ts";

/**
 * Merges key-ordered record streams into one: each key once, with the newest version any stream
 * holds (last write wins, as the store itself decides). Holds one record per stream in memory.
 */
export async function* mergeNewest(
  streams: ReadonlyArray<AsyncIterator<KeyRecord>>,
): AsyncGenerator<KeyRecord> {
  const heads: Array<KeyRecord | undefined> = await Promise.all(
    streams.map(async (s) => (await s.next()).value),
  );
  for (;;) {
    let key: string | undefined;
    for (const h of heads) if (h && (key === undefined || compareKeys(h[0], key) < 0)) key = h[0];
    if (key === undefined) return;
    let best: KeyRecord | undefined;
    const advance: number[] = [];
    heads.forEach((h, i) => {
      if (!h || h[0] !== key) return;
      advance.push(i);
      if (!best || compareTimestamps(version(h), version(best)) > 0) best = h;
    });
    yield best!;
    await Promise.all(
      advance.map(async (i) => {
        heads[i] = (await streams[i]!.next()).value;
      }),
    );
  }
}

function version(r: KeyRecord) {
  const t = r[1];
  return { wall: t[0], logical: t[1], node: t[2] };
}
