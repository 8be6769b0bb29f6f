/**
 * Two `replistore operator` processes against one control plane: only the Lease holder reconciles;
 * when it is killed (SIGKILL: no chance to release the Lease) the standby takes over once the lease
 * duration has passed; a clean stop (SIGTERM) releases the Lease at once.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { eventually } from "../../support/eventually.ts";
import {
  type ControlPlane,
  createNamespace,
  type KubeClients,
  kubeClients,
  startControlPlane,
} from "../../support/k8s/index.ts";
import { createStore, patchSpec, waitForStatus } from "./harness.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

let plane: ControlPlane;
let clients: KubeClients;
const running: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  plane = await startControlPlane({ crdFiles: [join(ROOT, CRD_FILE)] });
  clients = kubeClients(plane.kubeconfigPath);
});

afterAll(async () => {
  for (const child of running) if (child.exitCode === null) child.kill("SIGKILL");
  await plane?.stop();
});

interface Candidate {
  identity: string;
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

function candidate(identity: string, leaseNamespace: string, watched: string): Candidate {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "src/cli/main.ts"),
      "operator",
      "--kubeconfig",
      plane.kubeconfigPath,
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
    ],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  running.push(child);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { identity, child, output: () => output, exited };
}

async function holder(namespace: string): Promise<{ identity: string; transitions: number }> {
  const lease = await clients.coordination.readNamespacedLease({ namespace, name: "replistore-operator" });
  return { identity: lease.spec?.holderIdentity ?? "", transitions: lease.spec?.leaseTransitions ?? 0 };
}

const applied = (c: Candidate) => c.output().includes('"msg":"applied"');

describe("leader election between two operator processes", () => {
  it("only the leader reconciles; the standby takes over when the leader is killed", async () => {
    const leases = await createNamespace(clients, "leases");
    const watched = await createNamespace(clients, "elected");
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

    await createStore(clients, watched, "orders", { replicas: 2 });
    await waitForStatus(clients, watched, "orders", (s) => s.status?.observedGeneration === 1, "reconciled");
    expect(applied(leader)).toBe(true);
    expect(applied(standby)).toBe(false);

    leader.child.kill("SIGKILL");
    await leader.exited;
    const killedAt = Date.now();
    await patchSpec(clients, watched, "orders", { replicas: 3 });
    await waitForStatus(
      clients,
      watched,
      "orders",
      (s) => s.status?.observedGeneration === 2,
      "reconciled by the standby",
      30_000,
    );
    // Not before the dead leader's lease ran out.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(3_000);
    const sts = await clients.apps.readNamespacedStatefulSet({ namespace: watched, name: "orders" });
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
