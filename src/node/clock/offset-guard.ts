import type { HybridClock } from "./hlc.ts";

export type OffsetVerdict = { ok: true; offsetMs: number } | { ok: false; offsetMs: number };

/**
 * Decides whether a peer's clock reading may be merged. A peer ahead by more than maxOffset
 * would push our HLC (and every version we mint) into its future, so the message is refused;
 * a peer behind us is harmless to the HLC and is only measured.
 */
export function checkPeerClock(clock: HybridClock, peerWall: number, maxOffsetMs: number): OffsetVerdict {
  const offsetMs = peerWall - clock.physicalNow();
  return { ok: offsetMs <= maxOffsetMs, offsetMs };
}
