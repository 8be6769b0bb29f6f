import { randomBytes } from "node:crypto";
import type { Database, RootDatabase } from "lmdb";
import type { UpdateTuple } from "./update.ts";
import { type OriginState, type VectorEntry, VersionVector } from "./version-vector.ts";

type MetaValue = string | number | [number, number, number];

/**
 * The durable side of multi-leader replication: the outbox (every update this node applied, in
 * the order it applied them, numbered by a local index), the applied vector, each peer's cursor
 * and this node's incarnation. An update, its outbox entry and the vector that counts it are
 * written in the same LMDB transaction (lmdb-js commits every write of one event turn together),
 * so after a crash either all of them are there or none is.
 */
export class Outbox {
  private readonly log: Database<UpdateTuple, number>;
  private readonly meta: Database<MetaValue, string>;
  private next: number;

  constructor(root: RootDatabase) {
    this.log = root.openDB<UpdateTuple, number>({ name: "ml-log" });
    this.meta = root.openDB<MetaValue, string>({ name: "ml-meta" });
    let last = 0;
    for (const key of this.log.getKeys({ reverse: true, limit: 1 })) last = key;
    this.next = last + 1;
  }

  /** This data directory's incarnation, made once and kept: see version-vector.ts. */
  incarnation(): string {
    const existing = this.meta.get("incarnation");
    if (typeof existing === "string") return existing;
    const made = randomBytes(4).toString("hex");
    this.meta.putSync("incarnation", made);
    return made;
  }

  loadVector(): VersionVector {
    const list: VectorEntry[] = [];
    for (const { key, value } of this.meta.getRange({ start: "vector:", end: "vector;" })) {
      const [seq, wall, logical] = value as [number, number, number];
      list.push([key.slice("vector:".length), seq, wall, logical]);
    }
    return VersionVector.from(list);
  }

  /**
   * Queues the outbox entry and the vector change; call in the same turn as the data write so all
   * commit together. Resolves once durable.
   */
  append(
    tuple: UpdateTuple,
    origin: string,
    state: OriginState,
  ): { index: number; committed: Promise<unknown> } {
    const index = this.next++;
    const logged = this.log.put(index, tuple);
    const counted = this.meta.put(`vector:${origin}`, [state.seq, state.wall, state.logical]);
    return { index, committed: Promise.all([logged, counted]) };
  }

  /** Index the next appended entry gets; entries are below it. */
  end(): number {
    return this.next;
  }

  *range(from: number, limit: number): Iterable<{ index: number; tuple: UpdateTuple }> {
    for (const { key, value } of this.log.getRange({ start: from, limit }))
      yield { index: key, tuple: value };
  }

  entries(): number {
    return (this.log.getStats() as { entryCount: number }).entryCount;
  }

  /** A stream's saved cursor (`stream` names the peer and the kind of link); 0 when none. */
  cursor(stream: string): number {
    const v = this.meta.get(`cursor:${stream}`);
    return typeof v === "number" ? v : 0;
  }

  saveCursor(stream: string, index: number): void {
    void this.meta.put(`cursor:${stream}`, index);
  }

  /** Deletes entries from the front while `done` says every member has them; returns how many. */
  async truncate(done: (t: UpdateTuple) => boolean, max: number): Promise<number> {
    const drop: number[] = [];
    for (const { key, value } of this.log.getRange({ limit: max })) {
      if (!done(value)) break;
      drop.push(key);
    }
    if (drop.length === 0) return 0;
    await this.log.transaction(() => {
      for (const k of drop) this.log.removeSync(k);
    });
    return drop.length;
  }
}
