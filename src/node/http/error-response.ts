import { DomainError, QuorumError } from "../../errors.ts";
import { WireError } from "../../wire/errors.ts";
import { type ApiError, HttpError } from "./errors.ts";

/** HTTP status of each kind of domain refusal. */
const STATUS: Record<DomainError["kind"], number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
};

/**
 * The one mapping from an error to the status and JSON body a client sees (the bodies are the
 * catalogue's, src/wire/errors.ts); undefined for an error nobody expected, which is a 500.
 */
export function errorResponse(err: unknown): { status: number; body: ApiError } | undefined {
  if (err instanceof HttpError) return { status: err.status, body: err.body };
  if (err instanceof QuorumError) {
    return {
      status: 503,
      body: { error: "quorum_unavailable", message: err.message, needed: err.needed, reached: err.reached },
    };
  }
  if (err instanceof DomainError) {
    return { status: STATUS[err.kind], body: { error: err.code, message: err.message, ...err.details } };
  }
  if (err instanceof WireError)
    return { status: err.status, body: { error: err.code, message: err.message } };
  return undefined;
}

/** How a failed request is counted in replistore_requests_total{outcome}. */
export function outcomeOf(err: unknown): "quorum_unavailable" | "client_error" | "error" {
  if (err instanceof QuorumError) return "quorum_unavailable";
  if (err instanceof DomainError && err.kind === "unavailable") return "quorum_unavailable";
  if (err instanceof HttpError || err instanceof DomainError) return "client_error";
  return "error";
}

/** The answer to an error nobody expected; the node logs the error itself. */
export const INTERNAL_ERROR: { readonly status: number; readonly body: ApiError } = {
  status: 500,
  body: { error: "internal", message: "internal error on this node; see its log" },
};
