/**
 * Errors that cross folders. A UserError is a mistake the user can fix: the CLI prints its message
 * alone, never a stack trace; the operator and `replistore up` report it the same way.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/**
 * What domain code (replication, conflicts, storage) refuses, said without HTTP: a stable `code`
 * for clients to branch on, a message that says what to do, and details for the answer's body.
 * The node's HTTP layer maps the kind to a status in one place (src/node/http/error-response.ts).
 */
export abstract class DomainError extends Error {
  abstract readonly kind: "invalid" | "not_found" | "conflict" | "unavailable";
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** The request names something that does not fit the data (a version the record lacks). */
export class InvalidError extends DomainError {
  readonly kind = "invalid";
}

/** The thing the request names does not exist. */
export class NotFoundError extends DomainError {
  readonly kind = "not_found";
}

/** The request is well formed but the state it would act on refuses it (already resolved). */
export class ConflictError extends DomainError {
  readonly kind = "conflict";
}

/**
 * The store cannot do it now but could once its nodes are back (a resolution refused while the
 * key's owners are down): 503, and the message says what was and was not written.
 */
export class UnavailableError extends DomainError {
  readonly kind = "unavailable";
}

/** Fewer than W (or R) owners answered in time; the client gets 503 with both counts. */
export class QuorumError extends Error {
  readonly op: "read" | "write";
  readonly needed: number;
  readonly reached: number;
  /** The owners that stored the write (a failed write that reached some cannot be rolled back). */
  readonly ownersReached: readonly string[];

  /** `detail` replaces the default explanation (multi-leader says where the write stays). */
  constructor(
    op: "read" | "write",
    needed: number,
    reached: number,
    owners: number,
    detail?: string,
    ownersReached: readonly string[] = [],
  ) {
    super(
      detail ??
        `${op} reached ${reached} of ${needed} required owners (of ${owners}); ` +
          `retry when more owners are up, or lower ?${op === "read" ? "r" : "w"}= if weaker consistency is acceptable`,
    );
    this.op = op;
    this.needed = needed;
    this.reached = reached;
    this.ownersReached = ownersReached;
  }
}
