/** The control-plane harness itself: versions, admin access, an apiserver restart, a clean stop. */
import { existsSync } from "node:fs";
import { AuthorizationV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { useControlPlane } from "../../support/k8s/fixture.ts";
import { httpGet, k8sBinaries } from "../../support/k8s/index.ts";

const env = useControlPlane();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("test control plane", () => {
  it("runs the pinned Kubernetes version and reports how long it took to start", async () => {
    const answer = await httpGet(`${env.plane.server}/version`, env.plane.tls);
    expect(JSON.parse(answer.body)).toMatchObject({ gitVersion: k8sBinaries().k8sVersion });
    expect(env.plane.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(env.plane.startupMs).toBeLessThan(60_000);
    console.log(`control plane started in ${env.plane.startupMs} ms`);
  });

  it("gives the kubeconfig's user cluster-admin rights under RBAC", async () => {
    const review = await env.clients.config.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb: "*", group: "*", resource: "*" } } },
    });
    expect(review.status?.allowed).toBe(true);
    const namespaces = await env.clients.core.listNamespace();
    expect(namespaces.items.map((ns) => ns.metadata?.name)).toEqual(
      expect.arrayContaining(["default", "kube-system"]),
    );
  });

  it("keeps its data across an apiserver restart", async () => {
    await env.clients.core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "survivor" }, data: { key: "value" } },
    });
    await env.plane.restartApiserver();
    const read = await env.clients.core.readNamespacedConfigMap({ namespace: "default", name: "survivor" });
    expect(read.data).toEqual({ key: "value" });
  });

  it("stops every process and removes its directory", async () => {
    const pids = Object.values(env.plane.pids);
    await env.plane.stop();
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(existsSync(env.plane.dir)).toBe(false);
    const refused = await httpGet(`${env.plane.server}/readyz`, env.plane.tls).catch((error: Error) => error);
    expect(refused).toBeInstanceOf(Error);
  });
});
