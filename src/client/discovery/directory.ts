/**
 * The stores a host knows and, for each, the endpoints of its nodes: what the review page's server
 * serves. `replistore up` has one store (local-directory.ts); the operator has every store it
 * manages (kube-directory.ts).
 */
import type { NodeEndpoint } from "../endpoint.ts";

export interface DirectoryStore {
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
  stores(): Promise<DirectoryStore[]>;
  /** The store's nodes, best first; undefined when there is no such store. */
  endpoints(id: string): Promise<NodeEndpoint[] | undefined>;
  /** How the nodes are reached, for the page's footer. */
  readonly describe: string;
}
