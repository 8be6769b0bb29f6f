import type { Logger } from "pino";
import type { PeerClient } from "../peers/peer-client.ts";
import { OP_PUT } from "../peers/protocol.ts";
import type { HintStore } from "./hint-store.ts";

const BATCH = 256;
const TICK_MS = 1000;

export interface ReplayHooks {
  peer(id: string): PeerClient | undefined;
  windowMs(): number;
  onReplayed(target: string, count: number): void;
  onExpired(count: number): void;
}

/**
 * Sends stored hints to their owners once those answer again. One replay runs per target at a
 * time, oldest first; a hint is deleted only after the owner acknowledged it durably, so a crash
 * mid-replay resends (harmless: applying a version twice is a no-op under last-write-wins).
 */
export class HintReplayer {
  private readonly store: HintStore;
  private readonly hooks: ReplayHooks;
  private readonly log: Logger;
  private readonly running = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(store: HintStore, hooks: ReplayHooks, log: Logger) {
    this.store = store;
    this.hooks = hooks;
    this.log = log;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Called when a peer comes back, so its hints flow without waiting for the next tick. */
  kick(target: string): void {
    void this.replay(target);
  }

  private tick(): void {
    void this.store.expire(Date.now() - this.hooks.windowMs()).then((n) => {
      if (n > 0) this.hooks.onExpired(n);
    });
    for (const target of this.store.targets()) void this.replay(target);
  }

  private async replay(target: string): Promise<void> {
    const peer = this.hooks.peer(target);
    if (!peer?.health.up || this.running.has(target)) return;
    this.running.add(target);
    try {
      for (;;) {
        const hints = this.store.take(target, BATCH);
        if (hints.length === 0) break;
        await Promise.all(hints.map((h) => peer.send([OP_PUT, h.key, h.record])));
        await this.store.remove(hints);
        this.hooks.onReplayed(target, hints.length);
      }
    } catch (err) {
      this.log.debug({ peer: target, err: (err as Error).message }, "hint replay paused");
    } finally {
      this.running.delete(target);
    }
  }
}
