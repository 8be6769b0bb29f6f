/**
 * The controller's work queue, keyed by "namespace/name" (client-go's semantics, in small):
 * - a key waiting in the queue is there once, however many events asked for it;
 * - a key is never processed by two workers at once: added while in flight, it runs again after;
 * - a failed key is retried after an exponential backoff (base * 2^(failures-1), capped), and its
 *   failure count resets when it next succeeds;
 * - a handler may ask to see a key again after a delay (requeue-after), e.g. to re-check a condition
 *   that changes with time; the earliest of several such requests wins.
 */
export interface HandlerResult {
  requeueAfterMs?: number;
}

export type KeyHandler = (key: string) => Promise<HandlerResult | undefined>;

export interface WorkQueueOptions {
  handler: KeyHandler;
  concurrency: number;
  /** First retry delay after a failure (default 200 ms). */
  backoffBaseMs?: number;
  /** Longest retry delay (default 5 min). */
  backoffMaxMs?: number;
  /** Told about every failure, with the retry delay. */
  onError?: (key: string, error: unknown, retryInMs: number) => void;
  /** Told when a key leaves the queue for a worker, with how long it waited. */
  onStart?: (key: string, waitedMs: number) => void;
  /** Told when a key's run ends. */
  onDone?: (key: string, durationMs: number, ok: boolean) => void;
}

export interface QueueStats {
  depth: number;
  inFlight: number;
  delayed: number;
  processed: number;
  failed: number;
}

interface Delayed {
  timer: NodeJS.Timeout;
  at: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys waiting, with when they were queued. */
  private readonly queued = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  /** Keys added again while in flight: re-queued when their run ends. */
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly failures = new Map<string, number>();
  private readonly idleWaiters: (() => void)[] = [];
  private running = false;
  private stopping = false;
  private activeWorkers = 0;
  private processed = 0;
  private failed = 0;
  private readonly base: number;
  private readonly max: number;

  private readonly options: WorkQueueOptions;

  constructor(options: WorkQueueOptions) {
    this.options = options;
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error(`concurrency must be a whole number of at least 1, got ${options.concurrency}`);
    }
    this.base = options.backoffBaseMs ?? 200;
    this.max = options.backoffMaxMs ?? 300_000;
  }

  add(key: string): void {
    if (this.stopping) return;
    if (this.inFlight.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.set(key, Date.now());
    this.queue.push(key);
    this.pump();
  }

  /** Adds `key` after `ms`, unless an earlier delayed add is already pending. */
  addAfter(key: string, ms: number): void {
    if (this.stopping) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, { timer, at });
  }

  /** The delay the next failure of `key` will wait. */
  backoffFor(failures: number): number {
    return Math.min(this.max, this.base * 2 ** Math.max(0, failures - 1));
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Drops a key's failure count and any delayed add (e.g. its object was deleted). */
  forget(key: string): void {
    this.failures.delete(key);
    const delayed = this.delayed.get(key);
    if (delayed) clearTimeout(delayed.timer);
    this.delayed.delete(key);
  }

  start(): void {
    this.running = true;
    this.pump();
  }

  /** Stops taking work, cancels delayed adds, and waits for the keys in flight. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.queue.length = 0;
    this.queued.clear();
    await this.idle();
  }

  /** Resolves when nothing is queued or in flight (delayed adds do not count). */
  idle(): Promise<void> {
    if (this.activeWorkers === 0 && (this.queue.length === 0 || !this.running)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): QueueStats {
    return {
      depth: this.queue.length,
      inFlight: this.inFlight.size,
      delayed: this.delayed.size,
      processed: this.processed,
      failed: this.failed,
    };
  }

  private pump(): void {
    if (!this.running) return;
    while (this.activeWorkers < this.options.concurrency && this.queue.length > 0) {
      const key = this.queue.shift() as string;
      const queuedAt = this.queued.get(key) ?? Date.now();
      this.queued.delete(key);
      this.options.onStart?.(key, Date.now() - queuedAt);
      this.activeWorkers++;
      this.inFlight.add(key);
      void this.process(key);
    }
    if (this.activeWorkers === 0 && this.queue.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async process(key: string): Promise<void> {
    const started = Date.now();
    try {
      const result = await this.options.handler(key);
      this.options.onDone?.(key, Date.now() - started, true);
      this.processed++;
      this.failures.delete(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      this.options.onDone?.(key, Date.now() - started, false);
      this.failed++;
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      const delay = this.backoffFor(failures);
      this.options.onError?.(key, error, delay);
      // A retry replaces a longer requeue-after, never the other way round (addAfter keeps the earliest).
      this.addAfter(key, delay);
    } finally {
      this.inFlight.delete(key);
      this.activeWorkers--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}
