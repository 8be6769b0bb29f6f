/**
 * A pod reached through the Kubernetes apiserver's pod proxy subresource
 * (`/api/v1/namespaces/NS/pods/POD:PORT/proxy/...`), authenticated with the kubeconfig's own
 * credentials. The apiserver removes the Authorization header of every request it authenticates
 * before proxying, so the store's token travels in `X-Replistore-Token`, which nodes accept too.
 * node:https rather than undici: the kubeconfig applies its credentials to node:https options.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { DEFAULT_TIMEOUT_MS, type NodeEndpoint, type NodeResponse } from "./endpoint.ts";
import { ApiserverRefusedError, UnreachableError, unreachableFrom } from "./errors.ts";

/** A Kubernetes Status object, which is how the apiserver (not the node) answers. */
function apiserverStatus(res: NodeResponse): { message: string; code: number } | undefined {
  if (!res.contentType.includes("json")) return undefined;
  try {
    const parsed = JSON.parse(res.body.toString("utf8")) as {
      kind?: unknown;
      message?: unknown;
      code?: unknown;
    };
    if (parsed.kind !== "Status") return undefined;
    return { message: String(parsed.message ?? ""), code: Number(parsed.code ?? res.status) };
  } catch {
    return undefined;
  }
}

/** Pod `pod` in `namespace`, port `port`, through the apiserver's pod proxy. */
export function podProxyEndpoint(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  port: number,
  tls = false,
): NodeEndpoint {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error("the kubeconfig names no cluster server");
  const prefix = `${server.replace(/\/+$/, "")}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${tls ? "https:" : ""}${encodeURIComponent(pod)}:${port}/proxy`;
  return {
    name: pod,
    async call(req) {
      const url = new URL(prefix + req.path);
      const options: RequestOptions = { method: req.method, headers: {} };
      await kc.applyToHTTPSOptions(options);
      const headers = options.headers as Record<string, string>;
      if (req.token !== undefined) headers["x-replistore-token"] = req.token;
      if (req.body !== undefined) {
        headers["content-type"] = req.contentType ?? "application/json";
        headers["content-length"] = String(req.body.byteLength);
      }
      const timeout = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const res = await send(url, options, req.body, timeout).catch((err: unknown) => {
        throw (
          unreachableFrom(pod, err, (code, reason) =>
            code === "ETIMEDOUT"
              ? `apiserver ${url.host}: no answer within ${timeout / 1000}s`
              : `apiserver ${url.host}: ${reason}`,
          ) ?? err
        );
      });
      const answer: NodeResponse = { ...res, node: pod };
      const status = apiserverStatus(answer);
      if (status) {
        // A node never answers with a Kubernetes Status: this is the apiserver speaking.
        if (answer.status === 401 || answer.status === 403) {
          throw new ApiserverRefusedError(
            answer.status,
            `the Kubernetes apiserver refused: ${status.message} (this needs get and create on pods/proxy, and list on pods)`,
          );
        }
        // It could not proxy to this pod (connection refused, no route, an address it will not
        // proxy to, the pod gone): nothing reached the node, so another pod may do.
        throw new UnreachableError(pod, status.message || `HTTP ${answer.status} from the apiserver`);
      }
      return answer;
    },
  };
}

function send(
  url: URL,
  options: RequestOptions,
  body: Buffer | undefined,
  timeoutMs: number,
): Promise<Omit<NodeResponse, "node">> {
  return new Promise((resolve, reject) => {
    const make = url.protocol === "http:" ? httpRequest : httpsRequest;
    const req = make(url, { ...options, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"] ?? ""),
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      );
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end(body);
  });
}
