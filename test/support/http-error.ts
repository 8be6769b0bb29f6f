import { HttpError } from "../../src/node/http/errors.ts";

/** The HttpError that `fn` throws; anything else it throws is rethrown, and not throwing is an error. */
export function httpErrorOf(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error("expected an HttpError");
}
