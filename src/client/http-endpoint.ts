/** A node reached directly at its URL with undici; the token goes in `Authorization: Bearer`. */
import { Agent, type Dispatcher, request } from "undici";
import { DEFAULT_TIMEOUT_MS, type NodeEndpoint } from "./endpoint.ts";
import { unreachableFrom } from "./errors.ts";

/** The CA that signs the nodes' certificates, for https:// URLs; unset: the system's CAs. */
export interface TlsOptions {
  ca?: string | Buffer;
  /** The name the certificate must be valid for when the URL's host is not it (a pod IP). */
  servername?: string;
}

/** The node named `name` at `baseUrl` (http://host:port). */
export function httpEndpoint(name: string, baseUrl: string, tls: TlsOptions = {}): NodeEndpoint {
  const base = baseUrl.replace(/\/+$/, "");
  const { ca, servername } = tls;
  const dispatcher: Dispatcher | undefined =
    ca === undefined && servername === undefined
      ? undefined
      : new Agent({
          connect: { ...(ca !== undefined ? { ca } : {}), ...(servername ? { servername } : {}) },
        });
  return {
    name,
    async call(req) {
      const headers: Record<string, string> = {};
      if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
      if (req.body !== undefined) headers["content-type"] = req.contentType ?? "application/json";
      const timeout = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      try {
        const res = await request(base + req.path, {
          method: req.method,
          headers,
          body: req.body,
          headersTimeout: timeout,
          bodyTimeout: timeout,
          ...(dispatcher ? { dispatcher } : {}),
        });
        const body = Buffer.from(await res.body.arrayBuffer());
        return {
          status: res.statusCode,
          contentType: String(res.headers["content-type"] ?? ""),
          headers: res.headers,
          body,
          node: name,
        };
      } catch (err) {
        throw (
          unreachableFrom(name, err, (code) =>
            code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT"
              ? `no answer within ${timeout / 1000}s`
              : undefined,
          ) ?? err
        );
      }
    },
  };
}
