/** What the client throws when a node gave no answer; a node's own error answer is an ApiError. */
import { UserError } from "../errors.ts";
import {
  CONNECTION_ERRORS,
  type ConnectionErrorCode,
  errorCode,
  type FailureStage,
  isConnectionErrorCode,
} from "./connection-errors.ts";
import type { NodeMethod } from "./endpoint.ts";

/** A node gave no answer: `stage` says whether the request may have reached it. */
export class UnreachableError extends Error {
  readonly node: string;
  readonly reason: string;
  readonly stage: FailureStage;
  /** one sentence saying what to do, when the failure is one the list knows */
  readonly advice: string | undefined;

  constructor(
    node: string,
    reason: string,
    options: { stage?: FailureStage; advice?: string; cause?: unknown } = {},
  ) {
    super(`${node}: ${reason}`, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "UnreachableError";
    this.node = node;
    this.reason = reason;
    this.stage = options.stage ?? "connect";
    this.advice = options.advice;
  }

  /** May the same request go to another node? */
  mayRetry(method: NodeMethod): boolean {
    return this.stage === "connect" || (this.stage === "dropped" && method === "GET");
  }
}

/**
 * `err` as an UnreachableError when it is one of the connection errors the list knows, its reason
 * the list's unless `describe` words it better (with the prefix, or the timeout it waited);
 * undefined for anything else.
 */
export function unreachableFrom(
  node: string,
  err: unknown,
  describe: (code: ConnectionErrorCode, reason: string) => string | undefined = () => undefined,
): UnreachableError | undefined {
  const code = errorCode(err);
  if (!isConnectionErrorCode(code)) return undefined;
  const { reason, stage, advice } = CONNECTION_ERRORS[code];
  return new UnreachableError(node, describe(code, reason) ?? reason, { stage, advice, cause: err });
}

/** Every endpoint failed before a node answered. */
export class NoNodeReachableError extends Error {
  readonly unreachable: readonly UnreachableError[];
  constructor(unreachable: readonly UnreachableError[]) {
    super(
      unreachable.length
        ? `no node answered: ${unreachable.map((e) => e.message).join("; ")}`
        : "the store has no nodes to ask",
    );
    this.unreachable = unreachable;
    this.name = "NoNodeReachableError";
  }
}

/** Refused by the Kubernetes apiserver itself (RBAC, authentication): no other pod will do better. */
export class ApiserverRefusedError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.name = "ApiserverRefusedError";
  }
}

/** A node answered, but not with what the route sends: a body that is not JSON or not its schema. */
export class BadAnswerError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "BadAnswerError";
  }
}
