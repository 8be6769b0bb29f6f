import { afterEach, describe, expect, it, vi } from "vitest";
import { WorkQueue } from "../../../../src/operator/controller/work-queue.ts";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("WorkQueue", () => {
  it("processes a key once however often it was added while waiting", async () => {
    const seen: string[] = [];
    const queue = new WorkQueue({ concurrency: 1, handler: async (key) => void seen.push(key) });
    for (let i = 0; i < 5; i++) queue.add("ns/a");
    queue.add("ns/b");
    queue.add("ns/a");
    queue.start();
    await queue.idle();
    expect(seen).toEqual(["ns/a", "ns/b"]);
  });

  it("never runs one key twice at once, and runs it again when added while in flight", async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const queue = new WorkQueue({
      concurrency: 4,
      handler: async () => {
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        if (runs === 1) await gate.promise;
        running--;
        return undefined;
      },
    });
    queue.start();
    queue.add("ns/a");
    await new Promise((r) => setImmediate(r));
    queue.add("ns/a");
    queue.add("ns/a");
    expect(queue.stats().inFlight).toBe(1);
    gate.resolve();
    await queue.idle();
    expect(maxRunning).toBe(1);
    expect(runs).toBe(2);
  });

  it("runs different keys concurrently up to the limit", async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    const queue = new WorkQueue({
      concurrency: 3,
      handler: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await gate.promise;
        running--;
        return undefined;
      },
    });
    queue.start();
    for (let i = 0; i < 10; i++) queue.add(`ns/${i}`);
    await new Promise((r) => setImmediate(r));
    expect(queue.stats()).toMatchObject({ inFlight: 3, depth: 7 });
    gate.resolve();
    await queue.idle();
    expect(maxRunning).toBe(3);
    expect(queue.stats().processed).toBe(10);
  });

  it("retries a failing key with exponential backoff, and resets after a success", async () => {
    vi.useFakeTimers();
    const times: number[] = [];
    const delays: number[] = [];
    let calls = 0;
    const queue = new WorkQueue({
      concurrency: 1,
      backoffBaseMs: 100,
      backoffMaxMs: 1_000,
      handler: async () => {
        times.push(Date.now());
        calls++;
        if (calls <= 5) throw new Error(`boom ${calls}`);
        return undefined;
      },
      onError: (_key, _error, retryInMs) => delays.push(retryInMs),
    });
    const start = Date.now();
    queue.start();
    queue.add("ns/a");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(delays).toEqual([100, 200, 400, 800, 1_000]);
    expect(times.map((t) => t - start)).toEqual([0, 100, 300, 700, 1_500, 2_500]);
    expect(queue.failuresOf("ns/a")).toBe(0);
    expect(queue.backoffFor(1)).toBe(100);
  });

  it("requeues after the delay a handler asks for, keeping the earliest", async () => {
    vi.useFakeTimers();
    let calls = 0;
    const queue = new WorkQueue({
      concurrency: 1,
      handler: async () => {
        calls++;
        return calls === 1 ? { requeueAfterMs: 5_000 } : undefined;
      },
    });
    queue.start();
    queue.add("ns/a");
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    queue.addAfter("ns/a", 60_000);
    expect(queue.stats().delayed).toBe(1);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    expect(queue.stats().delayed).toBe(0);
  });

  it("forget cancels a pending retry", async () => {
    vi.useFakeTimers();
    let calls = 0;
    const queue = new WorkQueue({
      concurrency: 1,
      backoffBaseMs: 100,
      handler: async () => {
        calls++;
        throw new Error("boom");
      },
    });
    queue.start();
    queue.add("ns/a");
    await vi.advanceTimersByTimeAsync(0);
    queue.forget("ns/a");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(1);
  });

  it("shutdown waits for work in flight and drops the rest", async () => {
    const gate = deferred();
    const seen: string[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      handler: async (key) => {
        seen.push(key);
        await gate.promise;
        return undefined;
      },
    });
    queue.start();
    queue.add("ns/a");
    queue.add("ns/b");
    await new Promise((r) => setImmediate(r));
    const done = queue.shutdown();
    gate.resolve();
    await done;
    queue.add("ns/c");
    expect(seen).toEqual(["ns/a"]);
  });

  it("rejects a concurrency below 1", () => {
    expect(() => new WorkQueue({ concurrency: 0, handler: async () => undefined })).toThrow(/concurrency/);
  });

  it("reports how long a key waited and how its run went", async () => {
    const started: string[] = [];
    const done: [string, boolean][] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      handler: async (key) => {
        if (key === "ns/bad") throw new Error("boom");
        return undefined;
      },
      onStart: (key, waitedMs) => {
        expect(waitedMs).toBeGreaterThanOrEqual(0);
        started.push(key);
      },
      onDone: (key, _ms, ok) => done.push([key, ok]),
      backoffBaseMs: 60_000,
    });
    queue.add("ns/good");
    queue.add("ns/bad");
    queue.start();
    await queue.idle();
    expect(started).toEqual(["ns/good", "ns/bad"]);
    expect(done).toEqual([
      ["ns/good", true],
      ["ns/bad", false],
    ]);
    await queue.shutdown();
  });
});
