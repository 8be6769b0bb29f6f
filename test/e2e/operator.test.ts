/**
 * The operator as `helm install` deployed it on a real kubelet: its Deployment ready with one leader
 * holding the Lease, and leadership passing to another pod (the standby or the replacement) when the
 * leader's pod is deleted.
 */
import { describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.ts";
import { kubectl, kubectlJson } from "./support/commands.ts";

const NS = "replistore-system";

interface Lease {
  spec: { holderIdentity?: string };
}

async function holder(): Promise<string> {
  const lease = await kubectlJson<Lease>(["get", "lease", "replistore-operator", "-n", NS]);
  return lease.spec.holderIdentity ?? "";
}

async function operatorPods(): Promise<string[]> {
  const out = await kubectl([
    "get",
    "pods",
    "-n",
    NS,
    "-l",
    "app.kubernetes.io/name=replistore-operator",
    "-o",
    "name",
  ]);
  return out
    .split("\n")
    .filter(Boolean)
    .map((p) => p.replace("pod/", ""));
}

describe("operator installed by helm", () => {
  it("runs two ready replicas with one leader, and another pod leads within 30 s of the leader's pod being deleted", async () => {
    const deployment = await kubectlJson<{ status: { readyReplicas?: number } }>([
      "get",
      "deployment",
      "replistore-operator",
      "-n",
      NS,
    ]);
    expect(deployment.status.readyReplicas).toBe(2);
    const pods = await operatorPods();
    const leader = await eventually(
      async () => {
        const now = await holder();
        if (!now) throw new Error("the Lease has no holder");
        return now;
      },
      { timeoutMs: 30_000, what: "a leader" },
    );
    const leaderPod = pods.find((p) => leader.startsWith(`${p}_`));
    expect(leaderPod, `holder ${leader} is one of ${pods.join(", ")}`).toBeTruthy();

    const deletedAt = Date.now();
    await kubectl(["delete", "pod", String(leaderPod), "-n", NS, "--wait=false"]);
    const next = await eventually(
      async () => {
        const now = await holder();
        if (!now || now.startsWith(`${leaderPod}_`)) throw new Error(`still held by ${now}`);
        return now;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: "another replica leading" },
    );
    // The standby and the Deployment's replacement pod race for the released Lease: either may win.
    const nowPods = await operatorPods();
    const nextPod = nowPods.find((p) => next.startsWith(`${p}_`));
    expect(nextPod, `holder ${next} is one of ${nowPods.join(", ")}`).toBeTruthy();
    expect(nextPod).not.toBe(leaderPod);
    expect(Date.now() - deletedAt).toBeLessThan(30_000);
    await kubectl(["rollout", "status", "deployment/replistore-operator", "-n", NS, "--timeout=120s"], {
      timeoutMs: 130_000,
    });
  });
});
