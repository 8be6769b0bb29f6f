import type { Logger } from "pino";
import type { PeerClient } from "../../peers/peer-client.ts";
import { OP_ML_PUSH, OP_ML_VECTOR } from "../../peers/protocol.ts";
import type { Outbox } from "./outbox.ts";
import { tupleBytes, type UpdateTuple } from "./update.ts";
import { type VectorEntry, VersionVector } from "./version-vector.ts";

export interface StreamHost {
  readonly selfOrigin: string;
  readonly outbox: Outbox;
  readonly log: Logger;
  peer(id: string): PeerClient | undefined;
  /** What this node has applied: a peer that lacks some of it for long is rescanned for. */
  applied(): VersionVector;
  /** A peer acknowledged a batch; `vector` is everything it has applied. */
  onAck(peer: string, vector: VersionVector): void;
  onSent(peer: string, updates: number): void;
}

const MAX_UPDATES = 1024;
const MAX_INFLIGHT = 2;
/** Ticks (seconds) without cursor progress while the peer lacks updates before a full rescan. */
const RESCAN_AFTER_TICKS = 5;
const MAX_BYTES = 4 * 1024 * 1024;
/** Entries examined per batch: skipped ones (the peer has them) count too, so a pass stays short. */
const MAX_SCAN = 8192;

/**
 * The stream of updates from this node to one peer. It sends, in outbox order, every entry the
 * peer lacks: not in the peer's acknowledged vector, not already seen by the peer on its way here,
 * and (ownOnly) originated by this node. The cursor marks where the first entry the peer may still
 * lack is; it is kept on disk, so a restart resends only from there, and the vector check drops
 * what the peer already has.
 */
export class PeerStream {
  readonly peerId: string;
  readonly ownOnly: boolean;
  private readonly host: StreamHost;
  /** Entries below the cursor the peer has, or must never get over this link. */
  private cursor: number;
  /** Entries below this were sent and are awaiting the peer's vector; resent if it never covers them. */
  private sentUpTo: number;
  private peerVector: VersionVector | undefined;
  private running = false;
  private inflight = 0;
  private again = false;
  private stopped = false;
  private cursorAtLastTick: number;
  private recheck = false;
  private stalledTicks = 0;

  constructor(peerId: string, ownOnly: boolean, host: StreamHost) {
    this.peerId = peerId;
    this.ownOnly = ownOnly;
    this.host = host;
    // The cursor saved by an earlier stream of the same kind (an own-only stream skips other
    // origins' updates, so its cursor means nothing to a full one); 0 scans from the first entry.
    this.cursor = host.outbox.cursor(this.cursorKey());
    this.sentUpTo = this.cursor;
    this.cursorAtLastTick = this.cursor;
  }

  private cursorKey(): string {
    return `${this.peerId}:${this.ownOnly ? "own" : "all"}`;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * Called every second. Entries sent but still not covered by the peer's last answer may have
   * been applied since (they waited for a predecessor) or lost (the peer restarted, or its causal
   * buffer was full): the next step asks for the peer's vector and resends only what it lacks.
   */
  tick(): void {
    if (this.cursor === this.cursorAtLastTick && this.sentUpTo > this.cursor) this.recheck = true;
    this.stalledTicks = this.cursor === this.cursorAtLastTick ? this.stalledTicks + 1 : 0;
    this.cursorAtLastTick = this.cursor;
    // A safety net under the cursor: if the peer's vector still lacks updates this node has after
    // several seconds without progress, scan the whole outbox again (the vector check keeps
    // what is sent to exactly what the peer lacks).
    if (
      this.stalledTicks >= RESCAN_AFTER_TICKS &&
      this.peerVector &&
      this.peerLacksUpdates(this.peerVector)
    ) {
      this.host.log.info({ peer: this.peerId, cursor: this.cursor }, "replication stream rescans its outbox");
      this.cursor = 0;
      this.sentUpTo = 0;
      this.recheck = true;
      this.stalledTicks = 0;
    }
    this.kick();
  }

  private peerLacksUpdates(theirs: VersionVector): boolean {
    const own = this.host.selfOrigin;
    return this.host.applied().aheadOf(theirs, this.ownOnly ? (o) => o === own : undefined) > 0;
  }

  /**
   * Updates the peer lacks over this link, and the age in seconds of the oldest of them: the
   * entries from the cursor on that it has not acknowledged. Past MAX_SCAN entries the rest of
   * the outbox is counted whole, which is what it is when a peer is far behind.
   */
  lag(now: number): { updates: number; seconds: number } {
    const theirs = this.peerVector ?? new VersionVector();
    let updates = 0;
    let oldest: number | undefined;
    let scanned = 0;
    let last = this.cursor;
    for (const { index, tuple } of this.host.outbox.range(this.cursor, MAX_SCAN)) {
      scanned++;
      last = index;
      if (this.done(tuple, theirs)) continue;
      updates++;
      oldest ??= tuple[2];
    }
    if (scanned >= MAX_SCAN) updates += Math.max(0, this.host.outbox.end() - last - 1);
    return { updates, seconds: oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000) };
  }

  private done(t: UpdateTuple, theirs: VersionVector): boolean {
    if (this.ownOnly && t[0] !== this.host.selfOrigin) return true;
    if (t[7].includes(this.peerId)) return true;
    return theirs.covers(t[0], t[1]);
  }

  /**
   * Keeps up to MAX_INFLIGHT batches on the way: an entry appended while a batch is in flight
   * leaves with the next one instead of waiting for the first's acknowledgement. Batches may
   * arrive out of order; the receiver's causal buffer puts them back in order.
   */
  private async pump(): Promise<void> {
    this.running = true;
    try {
      do {
        this.again = false;
        while (!this.stopped && this.inflight < MAX_INFLIGHT) {
          const next = await this.prepare();
          if (next === "idle") break;
          if (next === "more") continue;
          this.inflight++;
          void this.deliver(next).finally(() => {
            this.inflight--;
            this.kick();
          });
        }
      } while (this.again && !this.stopped);
    } catch (err) {
      this.pause(err);
    } finally {
      this.running = false;
    }
  }

  /** Unreachable peer or refused clock: start over from the cursor with a fresh vector once it is back. */
  private pause(err: unknown): void {
    this.sentUpTo = this.cursor;
    this.peerVector = undefined;
    this.host.log.debug({ peer: this.peerId, err: (err as Error).message }, "replication stream paused");
  }

  /**
   * The next batch the peer lacks; "more" after a full scan of entries it already has, "idle" when
   * there is nothing to send or the peer is down (its health change kicks every stream).
   */
  private async prepare(): Promise<{ batch: UpdateTuple[]; upTo: number } | "more" | "idle"> {
    const peer = this.host.peer(this.peerId);
    if (!peer?.health.up) return "idle";
    if (!this.peerVector || this.recheck) {
      if (this.inflight > 0) return "idle";
      this.recheck = false;
      this.peerVector = VersionVector.from((await peer.send([OP_ML_VECTOR, ""])) as VectorEntry[]);
      this.advanceCursor();
      this.sentUpTo = this.cursor;
    }
    const theirs = this.peerVector;
    const batch: UpdateTuple[] = [];
    let bytes = 0;
    let scanned = 0;
    let scannedTo = Math.max(this.cursor, this.sentUpTo);
    for (const { index, tuple } of this.host.outbox.range(scannedTo, MAX_SCAN)) {
      if (batch.length >= MAX_UPDATES || (bytes > 0 && bytes + tupleBytes(tuple) > MAX_BYTES)) break;
      scanned++;
      scannedTo = index + 1;
      if (this.done(tuple, theirs)) continue;
      batch.push(tuple);
      bytes += tupleBytes(tuple);
    }
    this.sentUpTo = scannedTo;
    if (batch.length === 0) {
      this.advanceCursor();
      // A full scan of entries the peer already has: there may be more past it.
      return scanned >= MAX_SCAN ? "more" : "idle";
    }
    return { batch, upTo: scannedTo };
  }

  private async deliver(next: { batch: UpdateTuple[] }): Promise<void> {
    const peer = this.host.peer(this.peerId);
    try {
      if (!peer) throw new Error("no longer a member");
      const answer = (await peer.send([OP_ML_PUSH, "", next.batch])) as VectorEntry[];
      const vector = VersionVector.from(answer);
      // Answers to batches in flight together may come back in either order: keep the newest.
      this.peerVector = this.peerVector ? this.peerVector.merged(vector) : vector;
      this.host.onSent(this.peerId, next.batch.length);
      this.host.onAck(this.peerId, this.peerVector);
      this.advanceCursor();
    } catch (err) {
      this.pause(err);
    }
  }

  /**
   * Moves the cursor over every entry the peer now has, stopping at the first it lacks. It never
   * jumps ahead to the outbox's end: entries still committing are not visible to the scan yet.
   */
  private advanceCursor(): void {
    const theirs = this.peerVector;
    if (!theirs) return;
    let next = this.cursor;
    for (const { index, tuple } of this.host.outbox.range(this.cursor, MAX_SCAN)) {
      if (!this.done(tuple, theirs)) break;
      next = index + 1;
    }
    if (next !== this.cursor) {
      this.cursor = next;
      this.host.outbox.saveCursor(this.cursorKey(), next);
    }
  }
}
