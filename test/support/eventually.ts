export interface EventuallyOptions {
  /** give up after this long (default 10 s) */
  timeoutMs?: number;
  /** pause between attempts (default 100 ms) */
  intervalMs?: number;
  /** what we were waiting for, for the error message */
  what?: string;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` until it stops throwing (and, if it returns a boolean, until it returns true),
 * or until the deadline; then throws the last failure. Use it for every "wait until" in tests.
 */
export async function eventually<T>(fn: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last: unknown = new Error("condition never checked");
  for (;;) {
    try {
      const result = await fn();
      if (result !== false) return result;
      last = new Error("condition returned false");
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) break;
    await pause(intervalMs);
  }
  const prefix = `eventually${options.what ? ` (${options.what})` : ""}: not met within ${timeoutMs} ms`;
  if (last instanceof Error) {
    last.message = `${prefix}: ${last.message}`;
    throw last;
  }
  throw new Error(`${prefix}: ${String(last)}`);
}
