import { compareTimestamps, type Timestamp } from "../clock/hlc.ts";
import { ClockOffsetError } from "../peers/errors.ts";
import { OP_GET, OP_PUT, type PutResult } from "../peers/protocol.ts";
import { fromTuple, newer, type RecordTuple, toTuple, type VersionedRecord } from "../storage/record.ts";
import { QuorumError } from "./quorum-error.ts";
import type { ReplicaContext } from "./replica-context.ts";

export interface WriteOutcome {
  version: Timestamp;
  acks: number;
}

/**
 * Dynamo-style coordination: any node takes any request, sends it to the key's N owners, and
 * answers after W durable acks (writes) or R answers (reads). Hints cover owners that missed a
 * write; read repair fixes owners found stale while answering a read.
 */
export class LeaderlessCoordinator {
  private readonly ctx: ReplicaContext;

  constructor(ctx: ReplicaContext) {
    this.ctx = ctx;
  }

  /** Writes a value, or a tombstone when `value` is null. */
  write(key: string, value: Uint8Array | null, w: number): Promise<WriteOutcome> {
    const { ctx } = this;
    const cfg = ctx.config();
    const owners = ctx.ring().owners(key, cfg.replication.factor);
    const rec: VersionedRecord = { version: ctx.clock.now(), value };
    const tuple = toTuple(rec);
    const localBefore = owners.includes(ctx.selfId) ? ctx.readLocal(key) : undefined;

    return new Promise((resolve, reject) => {
      const reached: string[] = [];
      const failed: string[] = [];
      let replaced: Timestamp | undefined;
      let settled = false;
      const timer = setTimeout(() => fail(), cfg.limits.requestTimeoutMs);

      const fail = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ctx.metrics.quorumFailures.inc({ op: value === null ? "delete" : "put" });
        if (reached.length > 0)
          void this.recordPartial(key, rec, owners, [...reached], replaced, localBefore, w);
        reject(new QuorumError("write", w, reached.length, owners.length));
      };
      const onAck = (owner: string, prev: Timestamp | undefined) => {
        reached.push(owner);
        if (prev && (!replaced || compareTimestamps(prev, replaced) > 0)) replaced = prev;
        if (!settled && reached.length >= w) {
          settled = true;
          clearTimeout(timer);
          resolve({ version: rec.version, acks: reached.length });
        }
      };
      const onFail = (owner: string, err: unknown) => {
        failed.push(owner);
        if (!(err instanceof ClockOffsetError)) this.hint(owner, key, tuple);
        if (!settled && owners.length - failed.length < w) fail();
      };

      for (const owner of owners) {
        if (owner === ctx.selfId) {
          ctx.applyLocal(key, rec).then(
            (r) => onAck(owner, r.previous?.version),
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
            onAck(owner, prev ? { wall: prev[0], logical: prev[1], node: prev[2] } : undefined);
          },
          (err: unknown) => onFail(owner, err),
        );
      }
    });
  }

  /** Newest version among R owners; undefined when none of them has the key. */
  read(key: string, r: number): Promise<VersionedRecord | undefined> {
    const { ctx } = this;
    const cfg = ctx.config();
    const owners = ctx.ring().owners(key, cfg.replication.factor);
    // Asking our own copy first saves a network hop for one of the R answers.
    const self = owners.indexOf(ctx.selfId);
    if (self > 0) owners.unshift(...owners.splice(self, 1));

    return new Promise((resolve, reject) => {
      const answers = new Map<string, VersionedRecord | undefined>();
      let failures = 0;
      let launched = 0;
      let settled = false;
      let newest: VersionedRecord | undefined;
      const timer = setTimeout(() => fail(), cfg.limits.requestTimeoutMs);

      const fail = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ctx.metrics.quorumFailures.inc({ op: "get" });
        reject(new QuorumError("read", r, answers.size, owners.length));
      };
      const onAnswer = (owner: string, rec: VersionedRecord | undefined) => {
        answers.set(owner, rec);
        if (settled) {
          // A late answer: repair it against what we returned.
          if (newest && newer(rec, newest) !== rec) this.repair(key, newest, [owner]);
          return;
        }
        newest = newer(newest, rec);
        if (answers.size >= r) {
          settled = true;
          clearTimeout(timer);
          resolve(newest);
          if (newest) {
            const best = newest;
            const stale = [...answers]
              .filter(([, v]) => !v || compareTimestamps(v.version, best.version) < 0)
              .map(([o]) => o);
            this.repair(key, best, stale);
          }
        }
      };
      const onFail = () => {
        failures++;
        if (!settled && owners.length - failures < r) fail();
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
        peer.send([OP_GET, key]).then(
          (res) => onAnswer(owner, res ? fromTuple(res as RecordTuple) : undefined),
          () => onFail(),
        );
      };
      for (let i = 0; i < Math.min(r, owners.length); i++) launch();
    });
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
    owners: string[],
    reached: string[],
    replaced: Timestamp | undefined,
    localBefore: VersionedRecord | undefined,
    needed: number,
  ): Promise<void> {
    const { ctx } = this;
    const replacedValueKnown =
      !!replaced && !!localBefore && compareTimestamps(localBefore.version, replaced) === 0;
    ctx.metrics.partialWrites.inc();
    try {
      await ctx.partials.record({
        key,
        written,
        replaced: replaced
          ? { version: replaced, value: replacedValueKnown ? (localBefore?.value ?? null) : null }
          : undefined,
        replacedValueKnown,
        ownersReached: reached,
        ownersFailed: owners.filter((o) => !reached.includes(o)),
        needed,
        detectedBy: ctx.selfId,
      });
    } catch (err) {
      ctx.log.error({ key, err: (err as Error).message }, "could not record partial write");
    }
  }
}
