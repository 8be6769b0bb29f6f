/** Fewer than W (or R) owners answered in time; the client gets 503 with both counts. */
export class QuorumError extends Error {
  readonly op: "read" | "write";
  readonly needed: number;
  readonly reached: number;

  /** `detail` replaces the default explanation (multi-leader says where the write stays). */
  constructor(op: "read" | "write", needed: number, reached: number, owners: number, detail?: string) {
    super(
      detail ??
        `${op} reached ${reached} of ${needed} required owners (of ${owners}); ` +
          `retry when more owners are up, or lower ?${op === "read" ? "r" : "w"}= if weaker consistency is acceptable`,
    );
    this.op = op;
    this.needed = needed;
    this.reached = reached;
  }
}
