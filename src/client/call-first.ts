/** A request to a store: its nodes are asked in turn while one cannot be reached and retrying is safe. */
import type { NodeEndpoint, NodeRequest, NodeResponse } from "./endpoint.ts";
import { NoNodeReachableError, UnreachableError } from "./errors.ts";

/**
 * The first node's answer (any HTTP status counts as an answer). An UnreachableError moves on to
 * the next endpoint only when the request cannot have been applied twice (UnreachableError.mayRetry);
 * otherwise it is thrown as is. When every endpoint failed: NoNodeReachableError.
 */
export async function callFirst(endpoints: readonly NodeEndpoint[], req: NodeRequest): Promise<NodeResponse> {
  const failures: UnreachableError[] = [];
  for (const endpoint of endpoints) {
    try {
      return await endpoint.call(req);
    } catch (err) {
      if (err instanceof UnreachableError && err.mayRetry(req.method)) {
        failures.push(err);
        continue;
      }
      throw err;
    }
  }
  throw new NoNodeReachableError(failures);
}
