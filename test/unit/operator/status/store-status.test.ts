import { describe, expect, it } from "vitest";
import type { ReplicatedStoreStatus } from "../../../../src/api/status.ts";
import {
  computeStatus,
  type StatefulSetView,
  type StatusInput,
} from "../../../../src/operator/status/store-status.ts";
import { store } from "../../builders/fixtures.ts";

const NOW = new Date("2025-06-01T12:00:00.000Z");

function sts(ready: number, overrides: Partial<StatefulSetView> = {}): StatefulSetView {
  return {
    generation: 1,
    observedGeneration: 1,
    replicas: 3,
    readyReplicas: ready,
    updatedReplicas: 3,
    currentRevision: "r1",
    updateRevision: "r1",
    ...overrides,
  };
}

function run(overrides: Partial<StatusInput> & { spec?: StatusInput["spec"] } = {}) {
  return computeStatus({
    name: "orders",
    spec: store({ replicas: 3 }).spec,
    generation: 2,
    statefulSet: sts(3),
    previous: undefined,
    problems: [],
    notes: [],
    now: NOW,
    ...overrides,
  });
}

function condition(status: ReplicatedStoreStatus, type: string) {
  return status.conditions?.find((c) => c.type === type);
}

describe("computeStatus", () => {
  it("publishes the pods' selector and count for the scale subresource", () => {
    const { status } = run({ selector: "app.kubernetes.io/instance=orders", statefulSet: sts(2) });
    expect(status.selector).toBe("app.kubernetes.io/instance=orders");
    expect(status.replicas).toBe(3);
    expect(run().status.selector).toBeUndefined();
  });

  it("all replicas ready: Ready, quorum available, not progressing, not degraded", () => {
    const { status } = run();
    expect(status).toMatchObject({
      observedGeneration: 2,
      phase: "Ready",
      replicas: 3,
      readyReplicas: 3,
      quorum: "N=3 W=2 R=2",
    });
    expect(condition(status, "Ready")).toMatchObject({
      status: "True",
      reason: "AllReplicasReady",
      observedGeneration: 2,
    });
    expect(condition(status, "QuorumAvailable")?.status).toBe("True");
    expect(condition(status, "Progressing")?.status).toBe("False");
    expect(condition(status, "Degraded")?.status).toBe("False");
    expect(condition(status, "Ready")?.lastTransitionTime).toBe("2025-06-01T12:00:00Z");
  });

  it("a new store with no ready pod is Pending and waiting, not degraded", () => {
    const { status } = run({ statefulSet: undefined });
    expect(status.phase).toBe("Pending");
    expect(condition(status, "Progressing")).toMatchObject({ status: "True", reason: "Creating" });
    expect(condition(status, "QuorumAvailable")).toMatchObject({
      status: "False",
      reason: "WaitingForReplicas",
    });
    expect(condition(status, "Degraded")?.status).toBe("False");
    expect(condition(status, "Ready")?.status).toBe("False");
  });

  it.each([
    // replicas, N, W, R, ready, quorum available
    [3, 3, 2, 2, 2, "True"],
    [3, 3, 2, 2, 1, "False"],
    [3, 3, 3, 1, 2, "False"],
    [5, 5, 3, 3, 3, "True"],
    [5, 5, 3, 3, 2, "False"],
    [5, 3, 2, 2, 4, "True"],
    [5, 3, 2, 2, 3, "False"],
  ] as const)(
    "replicas %i N=%i W=%i R=%i with %i ready: QuorumAvailable %s",
    (replicas, n, w, r, ready, expected) => {
      const spec = store({ replicas, replication: { factor: n, writeQuorum: w, readQuorum: r } }).spec;
      const { status } = run({ spec, statefulSet: sts(ready, { replicas, updatedReplicas: replicas }) });
      expect(condition(status, "QuorumAvailable")?.status).toBe(expected);
    },
  );

  it("losing quorum after having had it degrades the store, and says which keys fail", () => {
    const first = run();
    const { status, transitions } = run({ statefulSet: sts(1), previous: first.status });
    expect(status.phase).toBe("Degraded");
    expect(condition(status, "QuorumAvailable")).toMatchObject({ status: "False", reason: "QuorumLost" });
    expect(condition(status, "QuorumAvailable")?.message).toContain("every key");
    expect(condition(status, "Degraded")).toMatchObject({ status: "True", reason: "QuorumLost" });
    expect(transitions.map((t) => `${t.type}:${t.to.status}`)).toEqual(
      expect.arrayContaining(["QuorumAvailable:False", "Degraded:True", "Ready:False"]),
    );
  });

  it("keeps lastTransitionTime while a condition's status holds", () => {
    const first = run();
    const later = new Date(NOW.getTime() + 60_000);
    const { status, transitions } = run({ previous: first.status, now: later });
    expect(status).toEqual(first.status);
    expect(transitions).toEqual([]);
  });

  it("one pod down within the quorum slack: progressing, not degraded, until the deadline", () => {
    const first = run();
    const down = run({ statefulSet: sts(2), previous: first.status });
    expect(down.status.phase).toBe("Progressing");
    expect(condition(down.status, "Progressing")).toMatchObject({
      status: "True",
      reason: "WaitingForReplicas",
    });
    expect(condition(down.status, "Degraded")?.status).toBe("False");
    expect(down.recheckAfterMs).toBe(10 * 60_000);
    const later = run({
      statefulSet: sts(2),
      previous: down.status,
      now: new Date(NOW.getTime() + 10 * 60_000),
    });
    expect(later.status.phase).toBe("Degraded");
    expect(condition(later.status, "Degraded")).toMatchObject({ status: "True", reason: "ReplicasNotReady" });
    expect(condition(later.status, "Degraded")?.message).toContain("replistore.io/store=orders");
    expect(later.recheckAfterMs).toBeUndefined();
  });

  it("reports a scale in progress and a rolling update", () => {
    const scaling = run({
      spec: store({ replicas: 5 }).spec,
      statefulSet: sts(3, { generation: 2, observedGeneration: 2 }),
    });
    expect(condition(scaling.status, "Progressing")).toMatchObject({ status: "True", reason: "Scaling" });
    expect(condition(scaling.status, "Progressing")?.message).toBe("3 of 5 replica pods exist");
    const rolling = run({ statefulSet: sts(3, { updatedReplicas: 1, updateRevision: "r2" }) });
    expect(condition(rolling.status, "Progressing")).toMatchObject({
      status: "True",
      reason: "RollingUpdate",
    });
    expect(condition(rolling.status, "Ready")?.status).toBe("False");
  });

  it("a problem blocks Ready and degrades the store with its reason and message", () => {
    const { status } = run({
      problems: [
        { reason: "ModeChangeRefused", message: "spec.mode cannot change from Leaderless to MultiLeader" },
      ],
    });
    expect(status.phase).toBe("Degraded");
    expect(condition(status, "Ready")).toMatchObject({ status: "False", reason: "ModeChangeRefused" });
    expect(condition(status, "Degraded")).toMatchObject({
      status: "True",
      reason: "ModeChangeRefused",
      message: "spec.mode cannot change from Leaderless to MultiLeader",
    });
  });

  it("warns about Eventual quorums that do not overlap, without degrading", () => {
    const spec = store({
      replicas: 3,
      replication: { writeQuorum: 1, readQuorum: 1, consistency: "Eventual" },
    }).spec;
    const { status } = run({ spec });
    expect(status.quorum).toBe("N=3 W=1 R=1 (Eventual)");
    expect(condition(status, "QuorumAvailable")?.status).toBe("True");
    expect(condition(status, "QuorumAvailable")?.message).toContain("warning: ");
    expect(status.phase).toBe("Ready");
  });

  it("notes (e.g. monitoring skipped) go into Ready's message", () => {
    const { status } = run({ notes: ["spec.monitoring.serviceMonitor skipped: no ServiceMonitor CRD"] });
    expect(condition(status, "Ready")?.message).toContain("ServiceMonitor CRD");
    expect(condition(status, "Ready")?.status).toBe("True");
  });

  it("describes MultiLeader stores by leaders and topology", () => {
    const spec = store({
      replicas: 4,
      mode: "MultiLeader",
      multiLeader: { leaders: 2, topology: "Star", hub: 1 },
    }).spec;
    const { status } = run({ spec, statefulSet: sts(4, { replicas: 4, updatedReplicas: 4 }) });
    expect(status).toMatchObject({
      quorum: "leaders=2 Star hub=1",
      leaders: [0, 1],
      topology: "Star",
      hub: 1,
    });
  });
});

describe("QuorumAvailable of a multi-leader store, from leader pod readiness", () => {
  const spec = store({
    replicas: 4,
    mode: "MultiLeader",
    multiLeader: { leaders: 2, topology: "AllToAll" },
    replication: { writeQuorum: 2, readQuorum: 1, consistency: "Eventual" },
  }).spec;
  const quorum = (ready: number, readyLeaders: number) =>
    condition(
      run({ spec, statefulSet: sts(ready, { replicas: 4, updatedReplicas: 4 }), readyLeaders }).status,
      "QuorumAvailable",
    );

  it("holds while a leader and W copies are ready, even with followers down", () => {
    expect(quorum(2, 1)).toMatchObject({ status: "True", reason: "QuorumAvailable" });
    expect(quorum(2, 1)?.message).toContain("1 of 2 leaders");
  });

  it("is lost without a ready leader, or with fewer than max(W, R) nodes ready", () => {
    expect(quorum(2, 0)).toMatchObject({ status: "False", reason: "WaitingForReplicas" });
    expect(quorum(2, 0)?.message).toContain("no leader is ready to accept writes");
    expect(quorum(1, 1)?.message).toContain("fewer than max(W=2, R=1) nodes are ready");
  });
});

describe("computeStatus with a problem that does not block Ready", () => {
  it("is Degraded but Ready", () => {
    const { status } = run({
      problems: [{ reason: "StorageChangeNotApplied", message: "claims cannot change", blocksReady: false }],
    });
    expect(condition(status, "Ready")?.status).toBe("True");
    expect(condition(status, "Degraded")).toMatchObject({
      status: "True",
      reason: "StorageChangeNotApplied",
    });
    expect(status.phase).toBe("Degraded");
  });
});
