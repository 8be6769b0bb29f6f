/** Restart delays for a crashing node: 0.5s doubling to 10s, so a crash loop neither spins nor stalls. */
export const MIN_RESTART_MS = 500;
export const MAX_RESTART_MS = 10_000;
/** A node that ran this long before exiting counts as healthy again: the next restart is fast. */
export const STABLE_AFTER_MS = 30_000;

export function restartDelay(consecutiveFailures: number): number {
  return Math.min(MAX_RESTART_MS, MIN_RESTART_MS * 2 ** Math.max(0, consecutiveFailures));
}
