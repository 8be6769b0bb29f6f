/**
 * Reads one node's snapshot stream (src/wire/backup.ts) frame by frame, checking each against its
 * schema and the stream against itself: key order, the end frame, its counts. Anything off fails
 * the stream with the node's name; a backup never stores what it could not check.
 */
import { unpack } from "msgpackr";
import { UserError } from "../errors.ts";
import {
  ConflictsFrame,
  compareKeys,
  frameBodies,
  type KeyRecord,
  RecordsFrame,
  SnapshotEnd,
  SnapshotHeader,
} from "../wire/backup.ts";
import type { ConflictRecord } from "../wire/conflict.ts";
import { checker } from "../wire/decode.ts";
import type { ClockPair } from "../wire/record.ts";

const header = checker(SnapshotHeader);
const records = checker(RecordsFrame);
const conflicts = checker(ConflictsFrame);
const end = checker(SnapshotEnd);

/** A node's snapshot that failed or did not check out; the backup fails with it and writes no manifest. */
export class SnapshotError extends UserError {
  constructor(node: string, message: string) {
    super(`${node}: snapshot ${message}`);
    this.name = "SnapshotError";
  }
}

export interface NodeSnapshot {
  readonly node: string;
  readonly clock: ClockPair;
  /** The node's records in key order, a frame at a time; read once. */
  readonly records: AsyncIterator<readonly KeyRecord[]>;
  /** Filled once `records` is done. */
  readonly conflicts: ConflictRecord[];
  /** How many records came, so far. */
  count(): number;
}

/** Reads the header now, so a node that cannot even start its snapshot fails before any work. */
export async function readSnapshot(node: string, body: AsyncIterable<Uint8Array>): Promise<NodeSnapshot> {
  const frames = decoded(frameBodies(body));
  const first = await next(node, frames);
  if (first.done || !header.check(first.value)) {
    throw new SnapshotError(
      node,
      `did not start with its header frame${first.done ? " (empty answer)" : `: ${header.explain(first.value, "frame")}`}`,
    );
  }
  const found: ConflictRecord[] = [];
  let seen = 0;
  async function* entries(): AsyncGenerator<readonly KeyRecord[]> {
    let last: string | undefined;
    for (;;) {
      const step = await next(node, frames);
      if (step.done)
        throw new SnapshotError(node, `ended after ${seen} records without its end frame (connection cut?)`);
      const frame = step.value;
      if (records.check(frame)) {
        for (const entry of frame.entries) {
          if (last !== undefined && compareKeys(last, entry[0]) >= 0) {
            throw new SnapshotError(
              node,
              `sent key ${JSON.stringify(entry[0])} after ${JSON.stringify(last)}: out of order`,
            );
          }
          last = entry[0];
        }
        seen += frame.entries.length;
        yield frame.entries;
      } else if (conflicts.check(frame)) {
        found.push(...frame.records);
      } else if (end.check(frame)) {
        if (frame.records !== seen || frame.conflicts !== found.length) {
          throw new SnapshotError(
            node,
            `end frame counts ${frame.records} records and ${frame.conflicts} conflicts, but ${seen} and ${found.length} came`,
          );
        }
        return;
      } else {
        throw new SnapshotError(node, `frame is malformed: ${records.explain(frame, "frame")}`);
      }
    }
  }
  return {
    node,
    clock: first.value.clock,
    records: entries(),
    conflicts: found,
    count: () => seen,
  };
}

async function next(node: string, frames: AsyncIterator<unknown>): Promise<IteratorResult<unknown>> {
  try {
    return await frames.next();
  } catch (err) {
    if (err instanceof SnapshotError) throw err;
    const code = (err as { code?: unknown }).code;
    throw new SnapshotError(
      node,
      `stream failed: ${typeof code === "string" ? code : (err as Error).message}`,
    );
  }
}

async function* decodedFrames(bodies: AsyncIterable<Buffer>): AsyncGenerator<unknown> {
  for await (const b of bodies) yield unpack(b);
}

function decoded(bodies: AsyncIterable<Buffer>): AsyncIterator<unknown> {
  return decodedFrames(bodies)[Symbol.asyncIterator]();
}
