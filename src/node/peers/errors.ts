/** Why a peer did not answer an op; the coordinator turns any of these into a missing ack. */
export class PeerUnavailableError extends Error {
  readonly peer: string;
  constructor(peer: string, reason: string) {
    super(`peer ${peer} unavailable: ${reason}`);
    this.peer = peer;
  }
}

export class ClockOffsetError extends Error {
  readonly peer: string;
  readonly offsetMs: number;
  constructor(peer: string, offsetMs: number, message: string) {
    super(message);
    this.peer = peer;
    this.offsetMs = offsetMs;
  }
}
