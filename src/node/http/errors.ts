import type { FastifyReply } from "fastify";

/** Every error a client sees: a stable code to branch on and a sentence saying what to do. */
export interface ApiError {
  error: string;
  message: string;
  [extra: string]: unknown;
}

export function sendError(reply: FastifyReply, status: number, body: ApiError): FastifyReply {
  return reply.code(status).type("application/json").send(body);
}

/** Thrown by validators; the error handler turns it into a JSON response. */
export class HttpError extends Error {
  readonly status: number;
  readonly body: ApiError;
  constructor(status: number, error: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.body = { error, message, ...extra };
  }
}
