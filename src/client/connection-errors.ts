/**
 * The one list of ways a request fails to get a node's answer, each with what it means and what to
 * do. The stage says whether the request may have reached the node, which decides whether another
 * node may be asked: before the request was sent ("connect") even a write may go elsewhere; after a
 * dropped connection only a read may; a timeout is never retried, since the node may still be
 * working on it and the caller already waited its whole budget.
 */
export type FailureStage = "connect" | "dropped" | "timeout";

export interface ConnectionFailure {
  /** a few words, for lists of failed nodes */
  reason: string;
  /** one sentence saying what to do */
  advice: string;
  stage: FailureStage;
}

const UNTRUSTED =
  "the node's certificate is not signed by a CA this client trusts: pass --cacert with the store's CA (ca.crt; in Kubernetes the ConfigMap <store>-ca), or set REPLISTORE_CACERT";

export const CONNECTION_ERRORS = {
  ECONNREFUSED: {
    reason: "connection refused",
    advice: "nothing listens there: is the node running, and is this its port?",
    stage: "connect",
  },
  EHOSTUNREACH: {
    reason: "host unreachable",
    advice: "no route to the node's host: check that it is up and the address is right",
    stage: "connect",
  },
  ENETUNREACH: {
    reason: "network unreachable",
    advice: "this machine has no route to that network: check the address and the network",
    stage: "connect",
  },
  EADDRNOTAVAIL: {
    reason: "address not available",
    advice: "the address cannot be used from here: check the node's URL",
    stage: "connect",
  },
  ENOTFOUND: {
    reason: "host not found",
    advice: "the name does not resolve: check the node's URL and DNS",
    stage: "connect",
  },
  EAI_AGAIN: {
    reason: "host not found",
    advice: "the name server did not answer: try again, or check the resolver",
    stage: "connect",
  },
  UND_ERR_CONNECT_TIMEOUT: {
    reason: "connect timed out",
    advice: "the host did not accept the connection in time: is it up, and does a firewall drop it?",
    stage: "connect",
  },
  ECONNRESET: {
    reason: "connection reset",
    advice: "the node closed the connection (it may be restarting): a read may try another node",
    stage: "dropped",
  },
  UND_ERR_SOCKET: {
    reason: "connection closed",
    advice: "the connection broke before the answer (the node may be restarting): retry",
    stage: "dropped",
  },
  EPIPE: {
    reason: "connection closed",
    advice: "the node closed the connection while the request was sent: retry",
    stage: "dropped",
  },
  ETIMEDOUT: {
    reason: "no answer in time",
    advice: "the node may be overloaded or stuck",
    stage: "timeout",
  },
  UND_ERR_HEADERS_TIMEOUT: {
    reason: "no answer in time",
    advice: "the node may be overloaded or stuck",
    stage: "timeout",
  },
  UND_ERR_BODY_TIMEOUT: {
    reason: "no answer in time",
    advice: "the node may be overloaded or stuck",
    stage: "timeout",
  },
  // TLS: the handshake failed, so the request was never sent.
  SELF_SIGNED_CERT_IN_CHAIN: {
    reason: "certificate not trusted",
    advice: UNTRUSTED,
    stage: "connect",
  },
  DEPTH_ZERO_SELF_SIGNED_CERT: {
    reason: "certificate not trusted",
    advice: UNTRUSTED,
    stage: "connect",
  },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
    reason: "certificate not trusted",
    advice: UNTRUSTED,
    stage: "connect",
  },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: {
    reason: "certificate not trusted",
    advice: UNTRUSTED,
    stage: "connect",
  },
  CERT_HAS_EXPIRED: {
    reason: "certificate expired",
    advice:
      "the node's certificate has expired: check the store's TLS condition (kubectl describe rstore) and renew it",
    stage: "connect",
  },
  ERR_TLS_CERT_ALTNAME_INVALID: {
    reason: "certificate names another host",
    advice:
      "the node's certificate is not valid for this address: use the store's Service or pod DNS name, not an IP",
    stage: "connect",
  },
  ERR_SSL_WRONG_VERSION_NUMBER: {
    reason: "tls handshake failed",
    advice: "the node does not speak TLS there: use http:// for a store with spec.tls.mode Disabled",
    stage: "connect",
  },
  EPROTO: {
    reason: "tls handshake failed",
    advice:
      "the node and this client disagree about TLS: use https:// for a store with TLS, http:// for one without",
    stage: "connect",
  },
} as const satisfies Record<string, ConnectionFailure>;

export type ConnectionErrorCode = keyof typeof CONNECTION_ERRORS;

/** The first error code in the cause chain (undici wraps the socket's error). */
export function errorCode(err: unknown): string {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ("code" in e && typeof e.code === "string" && e.code !== "") return e.code;
  }
  return "";
}

export function isConnectionErrorCode(code: string): code is ConnectionErrorCode {
  return Object.hasOwn(CONNECTION_ERRORS, code);
}
