import type { Logger } from "pino";
import type { PeerClient } from "../peers/peer-client.ts";
import { OP_PUT } from "../peers/protocol.ts";
import type { HashRing } from "../ring/hash-ring.ts";
import { toTuple, type VersionedRecord } from "../storage/record.ts";

export interface HandoffStatus {
  /** "pending": a pass is scheduled (e.g. for writes that arrived after the last one started). */
  state: "idle" | "pending" | "running" | "done" | "failed";
  /** "rebalance": keys this node no longer owns; "drain": every key, to the owners without `leaving`. */
  reason: "rebalance" | "drain" | null;
  leaving: string[];
  scanned: number;
  handedOff: number;
  failed: number;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface HandoffHost {
  readonly selfId: string;
  readonly log: Logger;
  entries(): Iterable<[string, VersionedRecord]>;
  peer(id: string): PeerClient | undefined;
  /** Drops the local copy if `rec` is still the stored version. */
  removeIfCurrent(key: string, rec: VersionedRecord): Promise<boolean>;
}

/** Keys handed off concurrently; bounds memory while keeping peer batches full. */
const WINDOW = 512;

/**
 * Moves keys to their owners when ownership changes. A rebalance pass sends every key this node
 * stores but no longer owns to all its current owners, and drops the local copy only after every
 * one of them acknowledged it durably (and only if no newer write arrived meanwhile). A drain
 * pass sends every key to its owners under the ring without the leaving members, keeping the
 * local copy: the node still serves until the config removes it, after which a rebalance pass
 * moves whatever was written in between.
 */
export class Handoff {
  private readonly host: HandoffHost;
  private current: Promise<void> | undefined;
  private again = false;
  private scheduled = false;
  private last: HandoffStatus = {
    state: "idle",
    reason: null,
    leaving: [],
    scanned: 0,
    handedOff: 0,
    failed: 0,
    startedAt: null,
    finishedAt: null,
  };

  constructor(host: HandoffHost) {
    this.host = host;
  }

  /** The last pass's figures; the state says "pending" while another pass is due. */
  get status(): HandoffStatus {
    const due = this.scheduled || this.again;
    return due && this.last.state !== "running" ? { ...this.last, state: "pending" } : this.last;
  }

  /** A pass will start soon (the caller debounces); until it has, the status says so. */
  markScheduled(): void {
    this.scheduled = true;
  }

  /** Starts a rebalance pass (or queues one behind a running pass). */
  rebalance(ring: HashRing, factor: number): void {
    this.run("rebalance", [], ring, factor);
  }

  drain(leaving: string[], ring: HashRing, factor: number): void {
    this.run("drain", leaving, ring, factor);
  }

  /** Resolves when no pass is running. */
  async idle(): Promise<void> {
    while (this.current) await this.current;
  }

  private run(reason: "rebalance" | "drain", leaving: string[], ring: HashRing, factor: number): void {
    if (reason === "rebalance") this.scheduled = false;
    if (this.current) {
      if (reason === "rebalance") this.again = true;
      else void this.current.then(() => this.run(reason, leaving, ring, factor));
      return;
    }
    this.current = this.pass(reason, leaving, ring, factor).finally(() => {
      this.current = undefined;
      if (this.again) {
        this.again = false;
        this.run("rebalance", [], ring, factor);
      }
    });
  }

  private async pass(
    reason: "rebalance" | "drain",
    leaving: string[],
    ring: HashRing,
    factor: number,
  ): Promise<void> {
    const { host } = this;
    const s: HandoffStatus = {
      state: "running",
      reason,
      leaving,
      scanned: 0,
      handedOff: 0,
      failed: 0,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.last = s;
    const inFlight = new Set<Promise<void>>();
    for (const [key, rec] of host.entries()) {
      s.scanned++;
      const owners = ring.owners(key, factor);
      const ownsIt = owners.includes(host.selfId) && !leaving.includes(host.selfId);
      if (reason === "rebalance" && ownsIt) continue;
      const targets = owners.filter((o) => o !== host.selfId && !leaving.includes(o));
      const p = this.send(key, rec, targets, reason === "rebalance").then((ok) => {
        if (ok) s.handedOff++;
        else s.failed++;
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= WINDOW) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    s.state = s.failed > 0 ? "failed" : "done";
    s.finishedAt = new Date().toISOString();
    host.log.info(
      { reason, scanned: s.scanned, handedOff: s.handedOff, failed: s.failed },
      "handoff pass finished",
    );
  }

  private async send(
    key: string,
    rec: VersionedRecord,
    targets: string[],
    dropAfter: boolean,
  ): Promise<boolean> {
    const tuple = toTuple(rec);
    const acks = await Promise.allSettled(
      targets.map((id) => {
        const peer = this.host.peer(id);
        return peer ? peer.send([OP_PUT, key, tuple]) : Promise.reject(new Error(`no peer ${id}`));
      }),
    );
    const ok = targets.length > 0 && acks.every((a) => a.status === "fulfilled");
    if (ok && dropAfter) await this.host.removeIfCurrent(key, rec);
    return ok;
  }
}
