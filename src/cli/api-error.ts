/** A node's JSON error answer ({"error": code, "message": text}), printed as `error: <message>`. */
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function apiErrorFrom(status: number, body: Buffer, url: string, sentToken: boolean): ApiError {
  let code = `http_${status}`;
  let message = "";
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    if (isRecord(parsed)) {
      if (typeof parsed.error === "string") code = parsed.error;
      if (typeof parsed.message === "string") message = parsed.message;
    }
  } catch {
    // Not our node's JSON (a proxy, another server): show what came back.
  }
  if (message === "") {
    const text = body.toString("utf8").trim().slice(0, 200);
    message = `HTTP ${status} from ${url}${text ? `: ${text}` : ""}`;
  }
  if (status === 401 && !sentToken) message += " (no token was sent: pass --token or set REPLISTORE_TOKEN)";
  return new ApiError(status, code, message);
}
