/**
 * What this node believes about one peer. A peer is marked down on a connection failure or a
 * timeout so that later requests fail fast (and become hints) instead of queueing behind a hung
 * socket; a background probe marks it up again.
 */
export class PeerHealth {
  up = true;
  downSince = 0;
  lastSeen = 0;
  /** Peer clock minus ours (ms) as last measured, by heartbeat or by any message either way. */
  offsetMs: number | undefined;
  private readonly onUp: () => void;

  constructor(onUp: () => void) {
    this.onUp = onUp;
  }

  markUp(now: number): void {
    this.lastSeen = now;
    if (!this.up) {
      this.up = true;
      this.downSince = 0;
      this.onUp();
    }
  }

  markDown(now: number): void {
    if (this.up) {
      this.up = false;
      this.downSince = now;
    }
  }

  downForMs(now: number): number {
    return this.up ? 0 : now - this.downSince;
  }
}
