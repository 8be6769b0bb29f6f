/** Store pods as the plugin, the review page and the operator see them. */
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { describePod, storePodSelector } from "../../../../src/client/discovery/store-pods.ts";

function pod(name: string, ip: string | undefined, ready: boolean, port?: number): V1Pod {
  return {
    metadata: { name },
    spec: {
      containers: [{ name: "node", ...(port ? { ports: [{ name: "http", containerPort: port }] } : {}) }],
    },
    status: {
      phase: "Running",
      ...(ip ? { podIP: ip } : {}),
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      containerStatuses: [{ name: "node", image: "x", imageID: "", ready, restartCount: 2, state: {} }],
    },
  };
}

describe("store pods", () => {
  it("selects a store's node pods by the StatefulSet's labels", () => {
    expect(storePodSelector("orders")).toBe(
      "app.kubernetes.io/name=replistore,app.kubernetes.io/instance=orders,app.kubernetes.io/component=node",
    );
  });

  it("reads the port named http, else 7070, readiness and restarts", () => {
    expect(describePod(pod("orders-0", "10.1.2.3", true, 9000))).toMatchObject({
      name: "orders-0",
      ip: "10.1.2.3",
      port: 9000,
      ready: true,
      restarts: 2,
    });
    expect(describePod(pod("orders-1", undefined, false))).toMatchObject({
      ip: undefined,
      port: 7070,
      ready: false,
    });
  });
});
