/**
 * A node's error answer (`{"error": code, "message": text}`, src/wire/api-error.ts) as a typed
 * error; an answer that is not that shape (a proxy, another server) keeps its status and text.
 */
import { ApiErrorBody } from "../wire/api-error.ts";
import { checker } from "../wire/decode.ts";
import type { NodeResponse } from "./endpoint.ts";

const isApiErrorBody = checker(ApiErrorBody);

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

function errorBody(body: Buffer): ApiErrorBody | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    return isApiErrorBody.check(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The answer `res` as an ApiError; `where` names the node in a message that has to say it. */
export function apiErrorFrom(res: Pick<NodeResponse, "status" | "body">, where: string): ApiError {
  const decoded = errorBody(res.body);
  if (decoded && decoded.message !== "") return new ApiError(res.status, decoded.error, decoded.message);
  const text = res.body.toString("utf8").trim().slice(0, 200);
  return new ApiError(
    res.status,
    decoded?.error ?? `http_${res.status}`,
    `HTTP ${res.status} from ${where}${text ? `: ${text}` : ""}`,
  );
}

/** An answer that is not what was wanted, in one line: `code: message`, or the status and text. */
export function describeAnswer(res: Pick<NodeResponse, "status" | "body">): string {
  const decoded = errorBody(res.body);
  if (decoded) return `${decoded.error}: ${decoded.message}`;
  const text = res.body.toString("utf8");
  return `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`;
}
