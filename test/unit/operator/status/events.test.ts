import { describe, expect, it } from "vitest";
import { specWarningEvents, transitionEvents, writeEvents } from "../../../../src/operator/status/events.ts";
import { store } from "../../builders/fixtures.ts";

describe("events a reconcile records", () => {
  it("summarises writes in one event per verb", () => {
    expect(
      writeEvents([
        { verb: "created", kind: "ConfigMap", name: "orders-config" },
        { verb: "created", kind: "StatefulSet", name: "orders" },
        { verb: "updated", kind: "PodDisruptionBudget", name: "orders" },
        { verb: "deleted", kind: "ServiceMonitor", name: "orders" },
      ]),
    ).toEqual([
      { type: "Normal", reason: "Created", message: "created ConfigMap orders-config, StatefulSet orders" },
      { type: "Normal", reason: "Updated", message: "updated PodDisruptionBudget orders" },
      { type: "Normal", reason: "Deleted", message: "deleted ServiceMonitor orders" },
    ]);
    expect(writeEvents([])).toEqual([]);
  });

  it("warns on degradation and quorum loss, and says when they end", () => {
    const events = transitionEvents([
      {
        type: "Degraded",
        from: "False",
        to: { type: "Degraded", status: "True", reason: "QuorumLost", message: "m" },
      },
      {
        type: "QuorumAvailable",
        from: "True",
        to: { type: "QuorumAvailable", status: "False", reason: "QuorumLost", message: "1 of 3" },
      },
      {
        type: "Ready",
        from: "True",
        to: { type: "Ready", status: "False", reason: "QuorumLost", message: "x" },
      },
    ]);
    expect(events.map((e) => `${e.type} ${e.reason}`)).toEqual([
      "Warning QuorumLost",
      "Warning QuorumLost",
      "Warning NotReady",
    ]);
    const recovered = transitionEvents([
      {
        type: "Degraded",
        from: "True",
        to: { type: "Degraded", status: "False", reason: "AsExpected", message: "" },
      },
      {
        type: "Ready",
        from: "False",
        to: { type: "Ready", status: "True", reason: "AllReplicasReady", message: "3 of 3" },
      },
    ]);
    expect(recovered.map((e) => `${e.type} ${e.reason}`)).toEqual(["Normal Recovered", "Normal Ready"]);
  });

  it("warns once per TLS reason that is not True, and says when TLS works again", () => {
    const tls = (status: "True" | "False", reason: string) => ({
      type: "TLS" as const,
      status,
      reason,
      message: reason,
    });
    expect(transitionEvents([{ type: "TLS", from: undefined, to: tls("False", "Disabled") }])).toEqual([
      { type: "Warning", reason: "TLSDisabled", message: "Disabled" },
    ]);
    expect(
      transitionEvents([{ type: "TLS", from: "False", to: tls("False", "SecretInvalid") }]).map(
        (e) => e.reason,
      ),
    ).toEqual(["TLSSecretInvalid"]);
    expect(transitionEvents([{ type: "TLS", from: "False", to: tls("True", "Secret") }])).toEqual([
      { type: "Normal", reason: "TLSReady", message: "Secret" },
    ]);
    // A store that starts with a certificate has nothing to announce.
    expect(transitionEvents([{ type: "TLS", from: undefined, to: tls("True", "Auto") }])).toEqual([]);
  });

  it("does not announce a store that is merely still starting", () => {
    const events = transitionEvents([
      {
        type: "Ready",
        from: undefined,
        to: { type: "Ready", status: "False", reason: "Creating", message: "" },
      },
      {
        type: "Progressing",
        from: undefined,
        to: { type: "Progressing", status: "True", reason: "Creating", message: "" },
      },
      {
        type: "QuorumAvailable",
        from: undefined,
        to: { type: "QuorumAvailable", status: "False", reason: "WaitingForReplicas", message: "" },
      },
    ]);
    expect(events).toEqual([]);
  });

  it("warns about non-overlapping Eventual quorums once per generation", () => {
    const eventual = store({
      replicas: 3,
      replication: { writeQuorum: 1, readQuorum: 1, consistency: "Eventual" },
    }).spec;
    expect(specWarningEvents(eventual, true)).toEqual([
      expect.objectContaining({ type: "Warning", reason: "WeakQuorums" }),
    ]);
    expect(specWarningEvents(eventual, false)).toEqual([]);
    expect(specWarningEvents(store().spec, true)).toEqual([]);
  });
});
