/**
 * Data for the repair bench: a fast bulk load (msgpack apply batches straight to every node, not
 * the quorum path) and divergence (newer versions applied to one node only).
 */
import { pack, unpack } from "msgpackr";
import { fromTuple, type RecordTuple, recordSize } from "../../src/node/storage/record.ts";
import { AE_APPLY, type ApplyResponse } from "../../src/wire/anti-entropy.ts";
import { send } from "../support/client.ts";
import type { Store } from "../support/store.ts";
import { preloadedKey as keyOf } from "./protocol.ts";

function benchValue(i: number, size: number, generation: number): Buffer {
  const value = Buffer.alloc(size, 97 + (generation % 26));
  value.write(`${generation}:${i}:`, 0, "latin1");
  return value;
}

async function applyBatch(store: Store, node: number, body: Buffer): Promise<number> {
  const reply = await send(store.peerRouteUrls[node]!, "POST", AE_APPLY, {
    body,
    headers: { "content-type": "application/msgpack" },
    token: store.token,
    timeoutMs: 120_000,
    // With TLS the peer routes want the store's certificate.
    ...(store.tls
      ? { ca: store.tls.caPem, peer: { cert: store.tls.cert.certPem, key: store.tls.cert.keyPem } }
      : {}),
  });
  if (reply.status !== 200) throw new Error(`apply to ${store.id(node)}: ${reply.status} ${reply.text}`);
  return (unpack(reply.bytes) as ApplyResponse).applied;
}

/** Loads keys 0..count-1 with the same version on every node; `inFlight` batches per node at once. */
export async function bulkLoad(
  store: Store,
  count: number,
  valueBytes: number,
  batch: number,
  onProgress: (done: number) => void,
  inFlight = 2,
): Promise<void> {
  const wall = Date.now() - 60_000;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const start = next;
      const end = Math.min(count, start + batch);
      next = end;
      const records: Array<[string, RecordTuple]> = [];
      for (let i = start; i < end; i++)
        records.push([keyOf(i), [wall, 0, "node-0", benchValue(i, valueBytes, 0)]]);
      const body = pack({ records });
      const applied = await Promise.all(store.ids.map((_, n) => applyBatch(store, n, body)));
      for (const [n, a] of applied.entries()) {
        if (a !== records.length) throw new Error(`${store.id(n)} applied ${a} of ${records.length}`);
      }
      done += records.length;
      onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

export interface Divergence {
  keys: string[];
  tuples: RecordTuple[];
  /** Sum of the records' sizes (key, value, version), as the node's recordSize counts them. */
  bytes: number;
}

/** Distinct random key indices in 0..count-1. */
function pick(count: number, n: number): number[] {
  const chosen = new Set<number>();
  while (chosen.size < n) chosen.add(Math.floor(Math.random() * count));
  return [...chosen];
}

/** Applies a newer version of `n` random keys to node `node` only. */
export async function diverge(
  store: Store,
  node: number,
  count: number,
  n: number,
  valueBytes: number,
  generation: number,
): Promise<Divergence> {
  const wall = Date.now();
  const out: Divergence = { keys: [], tuples: [], bytes: 0 };
  const records: Array<[string, RecordTuple]> = [];
  for (const i of pick(count, n)) {
    const key = keyOf(i);
    const tuple: RecordTuple = [wall, 0, store.id(node), benchValue(i, valueBytes, generation)];
    records.push([key, tuple]);
    out.keys.push(key);
    out.tuples.push(tuple);
    out.bytes += recordSize(key, fromTuple(tuple));
  }
  for (let i = 0; i < records.length; i += 5_000) {
    await applyBatch(store, node, pack({ records: records.slice(i, i + 5_000) }));
  }
  return out;
}

/** Checks a sample of the divergent keys on every node: each must now hold the newer version. */
export async function verifySample(store: Store, d: Divergence, sample = 100): Promise<string | undefined> {
  for (let j = 0; j < Math.min(sample, d.keys.length); j++) {
    const k = Math.floor((j * d.keys.length) / Math.min(sample, d.keys.length));
    const key = d.keys[k]!;
    const t = d.tuples[k]!;
    const want = `${t[0]}:${t[1]}:${t[2]}`;
    for (let n = 0; n < store.size; n++) {
      const reply = await store.client(n).get(key, { local: true });
      if (reply.version !== want)
        return `${key} on ${store.id(n)}: ${reply.status} ${reply.version} (want ${want})`;
    }
  }
  return undefined;
}
