/**
 * A pod through the apiserver's pod proxy, against a real HTTP server standing in for the
 * apiserver: the proxy path, the kubeconfig's credentials, the store's token in its own header, and
 * the apiserver's own refusals told apart from the node's answers.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { ApiserverRefusedError, UnreachableError } from "../../../src/client/errors.ts";
import { podProxyEndpoint } from "../../../src/client/pod-proxy.ts";
import { Servers } from "./servers.ts";

const servers = new Servers();
afterEach(() => servers.closeAll());

function kubeConfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server, skipTLSVerify: true }],
    users: [{ name: "u", token: "kube-token" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

const kubeStatus = (code: number, message: string) =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message, code });

describe("podProxyEndpoint", () => {
  it("asks the pod's proxy path with the kubeconfig's credentials and the store's token", async () => {
    let seen: Record<string, string | undefined> = {};
    const apiserver = await servers.serve((req, body, res) => {
      seen = {
        url: req.url,
        auth: req.headers.authorization,
        token: String(req.headers["x-replistore-token"]),
        body: body.toString(),
      };
      res.setHeader("content-type", "application/json");
      res.end('{"ok":true}');
    });
    const res = await podProxyEndpoint(kubeConfig(apiserver), "prod", "orders-1", 7070).call({
      method: "POST",
      path: "/v1/conflicts/c1/resolve",
      body: Buffer.from("{}"),
      token: "store-token",
    });
    expect(seen).toEqual({
      url: "/api/v1/namespaces/prod/pods/orders-1:7070/proxy/v1/conflicts/c1/resolve",
      auth: "Bearer kube-token",
      token: "store-token",
      body: "{}",
    });
    expect(res).toMatchObject({ status: 200, node: "orders-1" });
  });

  it("a refusal of the apiserver itself is an ApiserverRefusedError, saying which rights are needed", async () => {
    const apiserver = await servers.serve((_req, _body, res) => {
      res.statusCode = 403;
      res.setHeader("content-type", "application/json");
      res.end(kubeStatus(403, 'pods "orders-0" is forbidden'));
    });
    const call = podProxyEndpoint(kubeConfig(apiserver), "prod", "orders-0", 7070).call({
      method: "GET",
      path: "/v1/status",
    });
    await expect(call).rejects.toBeInstanceOf(ApiserverRefusedError);
    await expect(call).rejects.toThrow(/forbidden .*pods\/proxy/);
  });

  it("a pod the apiserver cannot proxy to is unreachable before the request reached it", async () => {
    const apiserver = await servers.serve((_req, _body, res) => {
      res.statusCode = 503;
      res.setHeader("content-type", "application/json");
      res.end(kubeStatus(503, "error trying to reach service: dial tcp: connection refused"));
    });
    const err = await podProxyEndpoint(kubeConfig(apiserver), "prod", "orders-2", 7070)
      .call({ method: "PUT", path: "/v1/kv/a", body: Buffer.from("v") })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err).toMatchObject({ node: "orders-2", stage: "connect" });
    expect((err as Error).message).toContain("error trying to reach service");
  });

  it("an apiserver that cannot be reached is unreachable, named as the apiserver", async () => {
    const apiserver = await servers.closedUrl();
    const err = await podProxyEndpoint(kubeConfig(apiserver), "prod", "orders-0", 7070)
      .call({ method: "GET", path: "/v1/status" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toBe(`orders-0: apiserver ${new URL(apiserver).host}: connection refused`);
  });
});
