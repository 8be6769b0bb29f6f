/**
 * What the review page's server serves: the stores it knows and, for each, the endpoints of its
 * nodes. `replistore up` has one store (local-directory.ts); the operator has every store it
 * manages (kube-directory.ts).
 */
import type { NodeEndpoint } from "./upstream.ts";

export interface ReviewStore {
  /** "namespace/name" on Kubernetes, the name for replistore up: what the page's API paths carry */
  id: string;
  namespace?: string;
  name: string;
  mode?: string;
  phase?: string;
  /** "2/3" */
  ready?: string;
  /** whether the store wants a token (when known) */
  auth?: boolean;
  /** where the token is, for the page's prompt */
  tokenHint?: string;
}

export interface StoreDirectory {
  stores(): Promise<ReviewStore[]>;
  /** The store's nodes, best first; undefined when there is no such store. */
  endpoints(id: string): Promise<NodeEndpoint[] | undefined>;
  /** How the nodes are reached, for the page's footer. */
  readonly describe: string;
}
