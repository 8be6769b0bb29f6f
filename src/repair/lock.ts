/**
 * The repair lease: held on the lowest-ordinal reachable member so two jobs started together (a
 * CronJob overlapping a manual run) do not do the work twice. It is only an optimisation of load:
 * repair is idempotent, so a lease lost in a node restart costs a duplicate run, never data.
 */

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { AE_LOCK, AE_UNLOCK, type LockRequest, LockResponse } from "../wire/anti-entropy.ts";
import { ANY_ANSWER, NodeCallError, type NodeClient } from "./node-client.ts";

export const LOCK_TTL_MS = 60_000;
export const LOCK_RENEW_MS = 20_000;
const LOCK_CALL_TIMEOUT_MS = 5_000;

/** Unique per run: two jobs in one pod, or a job restarted with the same pid, still differ. */
export function newHolder(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString("hex")}`;
}

export type LockAttempt =
  | { kind: "acquired"; node: string }
  | { kind: "held"; node: string; holder: string; sinceMs: number }
  | { kind: "unreachable"; reasons: string[] };

/** Tries the members in ordinal order; the first that answers decides. */
export async function tryLock(clients: readonly NodeClient[], holder: string): Promise<LockAttempt> {
  const reasons: string[] = [];
  for (const client of clients) {
    try {
      const res = await lockCall(client, holder);
      if (res.acquired) return { kind: "acquired", node: client.id };
      return { kind: "held", node: client.id, holder: res.holder, sinceMs: res.sinceMs };
    } catch (err) {
      if (err instanceof NodeCallError && err.unreachable) {
        reasons.push(err.message);
        continue;
      }
      throw err;
    }
  }
  return { kind: "unreachable", reasons };
}

async function lockCall(client: NodeClient, holder: string): Promise<LockResponse> {
  const request: LockRequest = { holder, ttlMs: LOCK_TTL_MS };
  const answer = await client.post(AE_LOCK, request, LockResponse, {
    timeoutMs: LOCK_CALL_TIMEOUT_MS,
    accept: [409],
    // a 409 names who holds the lock: the same message
    sameShape: [409],
  });
  return answer.body;
}

/**
 * Renews the lease while the run goes on. `onLost` fires once when another holder took it or when
 * no renewal got through for a whole TTL (the node may have restarted and handed it out).
 */
export class LeaseKeeper {
  private readonly client: NodeClient;
  private readonly holder: string;
  private timer: NodeJS.Timeout | undefined;
  private lastRenewed = Date.now();
  private lost = false;

  constructor(client: NodeClient, holder: string) {
    this.client = client;
    this.holder = holder;
  }

  start(onLost: (reason: string) => void): void {
    this.timer = setInterval(() => void this.renew(onLost), LOCK_RENEW_MS);
    this.timer.unref();
  }

  private async renew(onLost: (reason: string) => void): Promise<void> {
    if (this.lost) return;
    try {
      const res = await lockCall(this.client, this.holder);
      if (res.acquired) {
        this.lastRenewed = Date.now();
        return;
      }
      this.fail(onLost, `the repair lock on ${this.client.id} was taken by ${res.holder}`);
    } catch (err) {
      if (Date.now() - this.lastRenewed >= LOCK_TTL_MS) {
        const why = err instanceof Error ? err.message : String(err);
        this.fail(
          onLost,
          `could not renew the repair lock on ${this.client.id} for ${LOCK_TTL_MS / 1000} s (${why})`,
        );
      }
    }
  }

  private fail(onLost: (reason: string) => void, reason: string): void {
    this.lost = true;
    clearInterval(this.timer);
    onLost(reason);
  }

  /** Stops renewing and gives the lease back (best effort: it expires on its own anyway). */
  async release(): Promise<void> {
    clearInterval(this.timer);
    if (this.lost) return;
    try {
      await this.client.post(AE_UNLOCK, { holder: this.holder }, ANY_ANSWER, {
        timeoutMs: LOCK_CALL_TIMEOUT_MS,
      });
    } catch {
      // the TTL frees it within a minute
    }
  }
}
