import { QuorumError } from "../../errors.ts";
import { compareTimestamps, type Timestamp } from "../clock/hlc.ts";
import { partialWriteRecord } from "../conflicts/partial-write-record.ts";
import { ClockOffsetError } from "../peers/errors.ts";
import { GET_NEWER_SINCE, OP_GET, OP_GET_NEWER, OP_PUT, type PutResult } from "../peers/protocol.ts";
import {
  fromTriple,
  fromTuple,
  newer,
  type RecordTuple,
  toTuple,
  type VersionedRecord,
} from "../storage/record.ts";
import { knownVersion, peerCopy } from "./digest-read.ts";
import type { ReplicaContext } from "./replica-context.ts";
import type { WriteOptions, WriteOutcome } from "./strategy.ts";

/** How long a read waits for its first R owners before also asking the rest. */
const SPECULATIVE_READ_MS = 100;

/**
 * Dynamo-style coordination: any node takes any request, sends it to the key's N owners, and
 * answers after W durable acks (writes) or R answers (reads). Hints cover owners that missed a
 * write; read repair fixes owners found stale while answering a read.
 */
export class LeaderlessCoordinator {
  private readonly ctx: ReplicaContext;
  private readCounter = 0;

  constructor(ctx: ReplicaContext) {
    this.ctx = ctx;
  }

  /** Writes a value, or a tombstone when `value` is null. */
  write(key: string, value: Uint8Array | null, w: number, options: WriteOptions = {}): Promise<WriteOutcome> {
    const { ctx } = this;
    const cfg = ctx.config();
    const owners = ctx.ring().owners(key, cfg.replication.factor);
    const rec: VersionedRecord = { version: ctx.clock.now(), value };
    const tuple = toTuple(rec);
    // What this node held before, from its own apply (which reads it anyway to compare versions):
    // a failed write's partial-write record names the value it replaced.
    let localBefore: VersionedRecord | undefined;

    return new Promise((resolve, reject) => {
      const reached: string[] = [];
      let failed = 0;
      let replaced: Timestamp | undefined;
      let settled = false;
      const timer = setTimeout(() => fail(), cfg.limits.requestTimeoutMs);

      // Once W is out of reach we still wait for the owners in flight (bounded by the timer), so
      // the 503 reports every owner that stored the write and the partial write names them all.
      const fail = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ctx.metrics.quorumFailures.inc({ op: value === null ? "delete" : "put" });
        const error = new QuorumError("write", w, reached.length, owners.length, undefined, [...reached]);
        // The 503 waits for the partial-write record to be durable, so whoever sees the failure can find it.
        if (reached.length === 0 || options.recordPartial === false) reject(error);
        else
          void this.recordPartial(key, rec, owners, [...reached], replaced, localBefore).finally(() =>
            reject(error),
          );
      };
      const settleIfDone = () => {
        if (!settled && reached.length + failed === owners.length && reached.length < w) fail();
      };
      const onAck = (owner: string, prev: Timestamp | undefined) => {
        reached.push(owner);
        if (prev && (!replaced || compareTimestamps(prev, replaced) > 0)) replaced = prev;
        if (!settled && reached.length >= w) {
          settled = true;
          clearTimeout(timer);
          resolve({ version: rec.version, acks: reached.length });
        }
        settleIfDone();
      };
      const onFail = (owner: string, err: unknown) => {
        failed++;
        if (!(err instanceof ClockOffsetError)) this.hint(owner, key, tuple);
        settleIfDone();
      };

      for (const owner of owners) {
        if (owner === ctx.selfId) {
          ctx.applyLocal(key, rec).then(
            (r) => {
              localBefore = r.previous;
              onAck(owner, r.previous?.version);
            },
            (err: unknown) => onFail(owner, err),
          );
          continue;
        }
        const peer = ctx.peer(owner);
        if (!peer) {
          onFail(owner, new Error("not a configured member"));
          continue;
        }
        peer.send([OP_PUT, key, tuple]).then(
          (res) => {
            const prev = (res as PutResult)[1];
            onAck(owner, prev ? fromTriple(prev) : undefined);
          },
          (err: unknown) => onFail(owner, err),
        );
      }
    });
  }

  /**
   * Newest version among R owners; undefined when none of them has the key. Our own copy is
   * asked first (no network hop); the other owners rotate so that, over many reads, every owner
   * is consulted and a stale one gets read-repaired. An owner that neither answers nor fails
   * within the speculative delay (a hung process) is covered by asking the remaining owners.
   */
  read(key: string, r: number): Promise<VersionedRecord | undefined> {
    const { ctx } = this;
    const cfg = ctx.config();
    const owners = this.readOrder(ctx.ring().owners(key, ctx.ownersPerKey()));

    return new Promise((resolve, reject) => {
      const answers = new Map<string, VersionedRecord | undefined>();
      let failures = 0;
      let launched = 0;
      let settled = false;
      let newest: VersionedRecord | undefined;
      const speculativeMs = Math.min(SPECULATIVE_READ_MS, cfg.limits.requestTimeoutMs / 2);
      // One timer per read, not two: it first marks the speculative delay, then the rest of the
      // request timeout. A read is the commonest request, and each timer is an allocation and a
      // timer-list insertion and removal.
      let timer = setTimeout(() => {
        timer = setTimeout(fail, cfg.limits.requestTimeoutMs - speculativeMs);
        while (launched < owners.length) launch();
      }, speculativeMs);

      const finish = () => {
        settled = true;
        clearTimeout(timer);
      };
      const fail = () => {
        if (settled) return;
        finish();
        ctx.metrics.quorumFailures.inc({ op: "get" });
        reject(new QuorumError("read", r, answers.size, owners.length));
      };
      // As for writes, a read that cannot reach R still waits for owners in flight, so the 503
      // counts every owner that answered.
      const failIfHopeless = () => {
        if (!settled && owners.length - failures < r && answers.size + failures === launched) fail();
      };
      const onAnswer = (owner: string, rec: VersionedRecord | undefined) => {
        answers.set(owner, rec);
        if (settled) {
          // A late answer: repair it against what we returned.
          if (newest && newer(rec, newest) !== rec) this.repair(key, newest, [owner]);
          return;
        }
        newest = newer(newest, rec);
        if (answers.size < r) {
          failIfHopeless();
          return;
        }
        finish();
        resolve(newest);
        if (newest) {
          const best = newest;
          const stale = [...answers]
            .filter(([, v]) => !v || compareTimestamps(v.version, best.version) < 0)
            .map(([o]) => o);
          this.repair(key, best, stale);
        }
      };
      const onFail = () => {
        failures++;
        if (owners.length - failures < r) failIfHopeless();
        else launch();
      };
      const launch = () => {
        if (settled || launched >= owners.length) return;
        const owner = owners[launched++]!;
        if (owner === ctx.selfId) {
          onAnswer(owner, ctx.readLocal(key));
          return;
        }
        const peer = ctx.peer(owner);
        if (!peer) {
          onFail();
          return;
        }
        // With our own copy in hand, ask only for a newer one: agreeing owners answer with a version.
        if (answers.has(ctx.selfId) && peer.protocol >= GET_NEWER_SINCE) {
          const mine = answers.get(ctx.selfId);
          peer.send([OP_GET_NEWER, key, knownVersion(mine)]).then((res) => {
            const theirs = peerCopy(res, mine);
            if (theirs instanceof Error) onFail();
            else onAnswer(owner, theirs);
          }, onFail);
          return;
        }
        peer.send([OP_GET, key]).then(
          (res) => onAnswer(owner, res ? fromTuple(res as RecordTuple) : undefined),
          () => onFail(),
        );
      };
      for (let i = 0; i < Math.min(r, owners.length); i++) launch();
    });
  }

  /** Self first, then the other owners rotated by a per-node counter; one array per read. */
  private readOrder(owners: readonly string[]): readonly string[] {
    const self = owners.indexOf(this.ctx.selfId);
    const others = self >= 0 ? owners.length - 1 : owners.length;
    const shift = others > 0 ? this.readCounter++ % others : 0;
    const order: string[] = self >= 0 ? [this.ctx.selfId] : [];
    for (let k = 0; k < others; k++) {
      // the (k + shift)-th of the others, skipping over self's place in `owners`
      const j = (k + shift) % others;
      order.push(owners[self >= 0 && j >= self ? j + 1 : j]!);
    }
    return order;
  }

  private repair(key: string, rec: VersionedRecord, stale: string[]): void {
    const { ctx } = this;
    for (const owner of stale) {
      ctx.metrics.readRepairs.inc();
      if (owner === ctx.selfId) {
        void ctx.applyLocal(key, rec).catch(() => undefined);
      } else {
        void ctx
          .peer(owner)
          ?.send([OP_PUT, key, toTuple(rec)])
          .catch(() => undefined);
      }
    }
  }

  private hint(owner: string, key: string, tuple: RecordTuple): void {
    const { ctx } = this;
    const cfg = ctx.config();
    const downMs = ctx.peer(owner)?.health.downForMs(Date.now()) ?? 0;
    const dropped = ctx.hints.add(owner, key, tuple, cfg.hintedHandoff, downMs);
    if (dropped) ctx.metrics.hintsDropped.inc({ reason: dropped });
  }

  private async recordPartial(
    key: string,
    written: VersionedRecord,
    owners: readonly string[],
    reached: string[],
    replaced: Timestamp | undefined,
    localBefore: VersionedRecord | undefined,
  ): Promise<void> {
    const { ctx } = this;
    const replacedValueKnown =
      !!replaced && !!localBefore && compareTimestamps(localBefore.version, replaced) === 0;
    ctx.metrics.partialWrites.inc();
    try {
      await ctx.conflicts.detected(
        partialWriteRecord({
          key,
          written,
          replaced: replaced
            ? { version: replaced, value: replacedValueKnown ? (localBefore?.value ?? null) : null }
            : undefined,
          replacedValueKnown,
          ownersReached: reached,
          ownersFailed: owners.filter((o) => !reached.includes(o)),
          detectedBy: ctx.selfId,
        }),
      );
    } catch (err) {
      ctx.log.error({ key, err: (err as Error).message }, "could not record partial write");
    }
  }
}
