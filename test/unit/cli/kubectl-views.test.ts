/** `kubectl replistore status` within 80 columns. */
import { describe, expect, it } from "vitest";
import { renderStoreStatus, summarize } from "../../../src/cli/commands/kubectl/store-status-view.ts";

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
