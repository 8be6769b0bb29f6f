/** The API's names: a contract (see PRODUCT.md), shared by the CRD generator, the operator and the CLI. */
export const GROUP = "replistore.io";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = "ReplicatedStore";
export const PLURAL = "replicatedstores";
export const SINGULAR = "replicatedstore";
export const SHORT_NAMES: readonly string[] = ["rstore"];

/**
 * Where a store's node listens in its pod, and the name of that container port: the operator, the
 * review page and `kubectl replistore` find nodes by them.
 */
export const NODE_PORT = 7070;
export const PORT_NAME = "http";
/** The node's second listener, for the peer routes (/internal/...) only: peers and repair Jobs use it. */
export const PEER_PORT = 7071;
export const PEER_PORT_NAME = "peer";
