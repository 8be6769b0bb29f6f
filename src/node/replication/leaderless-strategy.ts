import type { UpdateTuple, VectorEntry } from "../../wire/multi-leader.ts";
import type { VersionedRecord } from "../storage/record.ts";
import { LeaderlessCoordinator } from "./leaderless.ts";
import type {
  ReplicationModel,
  ReplicationRole,
  ReplicationStrategy,
  WriteOptions,
  WriteOutcome,
} from "./strategy.ts";

/** Leaderless adds nothing to /v1/status; one frozen object, so a status request allocates none. */
const NO_STATUS: Record<string, unknown> = Object.freeze({});

/**
 * Leaderless quorums: every node coordinates any request (leaderless.ts). There is no leader to
 * forward to, no vector, and nothing to do when a peer returns or the config changes beyond what
 * membership already does (ring, hints).
 */
export class LeaderlessStrategy implements ReplicationStrategy {
  private readonly coordinator: LeaderlessCoordinator;

  constructor(coordinator: LeaderlessCoordinator) {
    this.coordinator = coordinator;
  }

  write(key: string, value: Uint8Array | null, w: number, options?: WriteOptions): Promise<WriteOutcome> {
    return this.coordinator.write(key, value, w, options);
  }

  read(key: string, r: number): Promise<VersionedRecord | undefined> {
    return this.coordinator.read(key, r);
  }

  forwardTo(): undefined {
    return undefined;
  }

  role(): ReplicationRole {
    return "replica";
  }

  status(): Record<string, unknown> {
    return NO_STATUS;
  }

  /** A multi-leader op sent to a leaderless node: nothing applied, an empty vector (as before). */
  receiveUpdates(_from: string, _updates: UpdateTuple[]): VectorEntry[] {
    return [];
  }

  vector(): VectorEntry[] {
    return [];
  }

  peerUp(): void {}

  configChanged(): void {}

  start(): void {}

  stop(): void {}
}

/** N owners per key on the ring. */
export const leaderlessModel: ReplicationModel = {
  ownersPerKey: (factor) => factor,
  create: (parts) => new LeaderlessStrategy(new LeaderlessCoordinator(parts)),
};
