/**
 * Two `replistore operator` processes against one control plane: only the Lease holder reconciles;
 * when it is killed (SIGKILL: no chance to release the Lease) the standby takes over once the lease
 * duration has passed; a clean stop (SIGTERM) releases the Lease at once.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { type CliProcess, startCli } from "../../support/cli.ts";
import { eventually } from "../../support/eventually.ts";
import { useControlPlane } from "../../support/k8s/fixture.ts";
import { createNamespace } from "../../support/k8s/index.ts";
import { createStore, patchSpec, waitForStatus } from "./harness.ts";

const env = useControlPlane({ crds: [CRD_FILE] });
const running: ChildProcess[] = [];

afterAll(async () => {
  for (const child of running) if (child.exitCode === null) child.kill("SIGKILL");
});

interface Candidate extends CliProcess {
  identity: string;
}

function candidate(identity: string, leaseNamespace: string, watched: string): Candidate {
  const run = startCli([
    "operator",
    "--kubeconfig",
    env.plane.kubeconfigPath,
    "--namespace",
    watched,
    "--leader-election-namespace",
    leaseNamespace,
    "--identity",
    identity,
    "--lease-duration",
    "4s",
    "--renew-deadline",
    "3s",
    "--retry-period",
    "500ms",
  ]);
  running.push(run.child);
  return { identity, ...run };
}

async function holder(namespace: string): Promise<{ identity: string; transitions: number }> {
  const lease = await env.clients.coordination.readNamespacedLease({
    namespace,
    name: "replistore-operator",
  });
  return { identity: lease.spec?.holderIdentity ?? "", transitions: lease.spec?.leaseTransitions ?? 0 };
}

const applied = (c: Candidate) => c.output().includes('"msg":"applied"');

describe("leader election between two operator processes", () => {
  it("only the leader reconciles; the standby takes over when the leader is killed", async () => {
    const leases = await createNamespace(env.clients, "leases");
    const watched = await createNamespace(env.clients, "elected");
    const a = candidate("candidate-a", leases, watched);
    const b = candidate("candidate-b", leases, watched);
    const first = await eventually(
      async () => {
        const { identity } = await holder(leases);
        if (identity !== "candidate-a" && identity !== "candidate-b") throw new Error(`holder "${identity}"`);
        return identity;
      },
      { timeoutMs: 30_000, what: "a leader" },
    );
    const [leader, standby] = first === "candidate-a" ? [a, b] : [b, a];
    await eventually(() => standby.output().includes("caches synced"), {
      timeoutMs: 30_000,
      what: "standby synced",
    });

    await createStore(env.clients, watched, "orders", { replicas: 2 });
    await waitForStatus(
      env.clients,
      watched,
      "orders",
      (s) => s.status?.observedGeneration === 1,
      "reconciled",
    );
    expect(applied(leader)).toBe(true);
    expect(applied(standby)).toBe(false);

    leader.child.kill("SIGKILL");
    await leader.exited;
    const killedAt = Date.now();
    await patchSpec(env.clients, watched, "orders", { replicas: 3 });
    await waitForStatus(
      env.clients,
      watched,
      "orders",
      (s) => s.status?.observedGeneration === 2,
      "reconciled by the standby",
      30_000,
    );
    // Not before the dead leader's lease ran out.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(3_000);
    const sts = await env.clients.apps.readNamespacedStatefulSet({ namespace: watched, name: "orders" });
    expect(sts.spec?.replicas).toBe(3);
    expect(applied(standby)).toBe(true);
    expect(await holder(leases)).toEqual({ identity: standby.identity, transitions: 1 });

    // A clean stop hands the Lease back at once.
    standby.child.kill("SIGTERM");
    expect(await standby.exited).toBe(0);
    expect((await holder(leases)).identity).toBe("");
    expect(standby.output()).toContain("released the leader lease");
  });
});
