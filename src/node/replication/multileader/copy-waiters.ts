import { QuorumError } from "../../../errors.ts";

interface Waiter {
  seq: number;
  need: number;
  acked: Set<string>;
  done: () => void;
}

/**
 * Writes of this leader waiting for W - 1 other nodes to apply them. Acknowledgements arrive as
 * peers' vectors (from the streams, or from direct pushes); each names how far into this node's
 * stream the peer has applied.
 */
export class CopyWaiters {
  private readonly selfId: string;
  private readonly waiters: Waiter[] = [];

  constructor(selfId: string) {
    this.selfId = selfId;
  }

  /** `peer` has applied this node's stream up to `have`. */
  ack(peer: string, have: number): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.seq > have) continue;
      w.acked.add(peer);
      if (w.acked.size >= w.need) {
        this.waiters.splice(i, 1);
        w.done();
      }
    }
  }

  /**
   * Resolves with how many peers applied update `seq` once `need` did; rejects with a QuorumError
   * (the write stays in the outbox) after `timeoutMs`. `members`: for the error's count of owners.
   */
  wait(seq: number, need: number, timeoutMs: number, members: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { seq, need, acked: new Set(), done: () => finish(true) };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        if (ok) resolve(waiter.acked.size);
        else
          reject(
            new QuorumError(
              "write",
              need + 1,
              waiter.acked.size + 1,
              members,
              `the write is durable on ${this.selfId} and ${waiter.acked.size} other node(s), fewer than w=${need + 1}, within ${timeoutMs} ms; it stays in ${this.selfId}'s outbox and reaches the others when they are back`,
            ),
          );
      };
      this.waiters.push(waiter);
    });
  }
}
