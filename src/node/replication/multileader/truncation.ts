import type { Logger } from "pino";
import type { ClusterConfig } from "../../../config/cluster-config.ts";
import type { PeerClient } from "../../peers/peer-client.ts";
import { OP_ML_VECTOR } from "../../peers/protocol.ts";
import type { Outbox } from "./outbox.ts";
import { minimum, type VectorEntry, VersionVector } from "./version-vector.ts";

/** Entries dropped per transaction: small deletes interleave with writes instead of stalling them. */
const TRUNCATE_CHUNK = 2_000;

export interface TruncationDeps {
  readonly selfId: string;
  readonly log: Logger;
  readonly outbox: Outbox;
  config(): ClusterConfig;
  peer(id: string): PeerClient | undefined;
  /** What this node has applied. */
  applied(): VersionVector;
}

/**
 * Drops outbox entries every member has applied, as their vectors say. A member that is down
 * keeps everything it lacks in the others' outboxes. One pass at a time.
 */
export class OutboxTruncation {
  private readonly deps: TruncationDeps;
  private running = false;

  constructor(deps: TruncationDeps) {
    this.deps = deps;
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { deps } = this;
    try {
      const others = deps.config().members.filter((m) => m.id !== deps.selfId);
      const vectors = await Promise.all(
        others.map(async (m) => {
          const peer = deps.peer(m.id);
          if (!peer) throw new Error(`no client for ${m.id}`);
          return VersionVector.from((await peer.send([OP_ML_VECTOR, ""])) as VectorEntry[]);
        }),
      );
      const all = minimum([deps.applied(), ...vectors]);
      let dropped = 0;
      for (;;) {
        const n = await deps.outbox.truncate((t) => all.covers(t[0], t[1]), TRUNCATE_CHUNK);
        dropped += n;
        if (n < TRUNCATE_CHUNK) break;
      }
      if (dropped > 0) deps.log.debug({ dropped }, "outbox entries every member has were dropped");
    } catch {
      // a member is unreachable: keep everything until it has caught up
    } finally {
      this.running = false;
    }
  }
}
