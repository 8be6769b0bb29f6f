/** Store pods as the plugin and the operator see them, and `kubectl replistore status` within 80 columns. */
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { renderStoreStatus, summarize } from "../../../src/cli/commands/kubectl/store-status-view.ts";
import { describePod, storePodSelector } from "../../../src/review/store-pods.ts";

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

describe("kubectl replistore status", () => {
  it("fits 80 columns however long the names and messages are", () => {
    const long = "x".repeat(200);
    const text = renderStoreStatus(
      summarize(
        "a-namespace-with-a-rather-long-name",
        "a-store-name-that-is-also-quite-long",
        {
          spec: { replicas: 3, mode: "Leaderless", antiEntropy: { schedule: "*/15 * * * *" } },
          status: {
            phase: "Degraded",
            replicas: 3,
            readyReplicas: 2,
            quorum: "N=3 W=2 R=2",
            conditions: [
              {
                type: "QuorumAvailable",
                status: "False",
                reason: "QuorumLost",
                message: long,
                lastTransitionTime: new Date().toISOString(),
              },
            ],
            lastAntiEntropy: { result: "Failed", message: long, startTime: new Date().toISOString() },
          },
        },
        [
          {
            name: "a-store-name-that-is-also-quite-long-0",
            ip: "fd00:1234:5678:9abc:def0:1234:5678:9abc",
            port: 7070,
            ready: true,
            phase: "Running",
            restarts: 0,
            node: undefined,
            startedAt: undefined,
          },
        ],
        { pod: "", status: undefined, conflicts: undefined, error: `connection refused ${long}` },
      ),
    );
    for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(text).toContain("Phase:          Degraded");
    expect(text).toContain("QuorumAvailable");
    expect(text).toContain("Last repair:    Failed");
    expect(text).toContain("No node answered: connection refused");
  });
});
