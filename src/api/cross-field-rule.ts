/** One rule across fields, written for both checkers: CEL for the CRD, TypeScript for `replistore up`. */
import type { ReplicatedStoreSpec } from "./replicated-store.ts";

export interface CrossFieldRule {
  id: string;
  /** The field to fix, from the manifest root. */
  field: string;
  /** CEL over the spec (`self`). */
  cel: string;
  /** Static message for the CRD; names the fix. */
  message: string;
  holds(spec: ReplicatedStoreSpec): boolean;
  /** The message with this manifest's values, for `replistore up` and the operator. */
  explain(spec: ReplicatedStoreSpec): string;
}
