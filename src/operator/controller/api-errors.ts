/** What the apiserver said when a request failed, in one line. */
import { ApiException } from "@kubernetes/client-node";

export function statusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

export const isNotFound = (error: unknown) => statusCode(error) === 404;
export const isConflict = (error: unknown) => statusCode(error) === 409;

export function apiErrorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const raw: unknown = error.body;
    let body: unknown = raw;
    if (typeof raw === "string") {
      try {
        body = JSON.parse(raw);
      } catch {
        return `HTTP ${error.code}: ${raw.slice(0, 500)}`;
      }
    }
    const message =
      typeof body === "object" && body !== null && "message" in body
        ? String(body.message)
        : String(error.message);
    return `HTTP ${error.code}: ${message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
