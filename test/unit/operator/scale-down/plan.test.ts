import { describe, expect, it } from "vitest";
import { buildConfigMap } from "../../../../src/builders/config-map.ts";
import { buildStatefulSet } from "../../../../src/builders/statefulset.ts";
import {
  checkHandover,
  drainStep,
  type HandoffView,
  type NodeView,
  planScaleDown,
} from "../../../../src/operator/scale-down/plan.ts";
import { context, store } from "../../builders/fixtures.ts";

const LEAVING = ["orders-3"];

function handoff(overrides: Partial<HandoffView> = {}): HandoffView {
  return {
    state: "idle",
    reason: null,
    leaving: [],
    scanned: 0,
    handedOff: 0,
    failed: 0,
    ...overrides,
  };
}

function node(id: string, overrides: Partial<NodeView> = {}): NodeView {
  return {
    id,
    generation: 7,
    members: ["orders-0", "orders-1", "orders-2", "orders-3"],
    role: "replica",
    handoff: handoff(),
    ...overrides,
  };
}

describe("planScaleDown", () => {
  it("nothing to do without a StatefulSet, when scaling up, or when already at the target", () => {
    expect(planScaleDown({ pods: undefined, members: undefined }, 3)).toBeUndefined();
    expect(planScaleDown({ pods: 3, members: 3 }, 5)).toBeUndefined();
    expect(planScaleDown({ pods: 3, members: 3 }, 3)).toBeUndefined();
  });

  it("drains while the config still lists the leaving members, keeping pods and members", () => {
    expect(planScaleDown({ pods: 4, members: 4 }, 3)).toEqual({
      phase: "drain",
      pods: 4,
      members: 4,
      target: 3,
    });
    // a ConfigMap that cannot be read counts as listing every pod
    expect(planScaleDown({ pods: 5, members: undefined }, 3)).toMatchObject({ phase: "drain", members: 5 });
  });

  it("hands over once the config lists only the members that stay, keeping the pods", () => {
    expect(planScaleDown({ pods: 4, members: 3 }, 3)).toEqual({
      phase: "handover",
      pods: 4,
      members: 3,
      target: 3,
    });
  });

  it("a scale-down lowered further mid-way drains the members still listed", () => {
    // 5 -> 4 was handed over to the config, then the spec asked for 3
    expect(planScaleDown({ pods: 5, members: 4 }, 3)).toEqual({
      phase: "drain",
      pods: 5,
      members: 4,
      target: 3,
    });
    // 5 -> 3 drained and out of the config, then the spec asked for 4: orders-3 comes back as a member
    expect(planScaleDown({ pods: 5, members: 3 }, 4)).toEqual({
      phase: "handover",
      pods: 5,
      members: 4,
      target: 4,
    });
  });
});

describe("the builders under a scale-down", () => {
  it("keep the StatefulSet's pods and the config's members in force", () => {
    const s = store({ replicas: 3, replication: { factor: 3 } });
    const ctx = context({ scaleDown: { pods: 4, members: 4 } });
    expect(buildStatefulSet(s, ctx).spec?.replicas).toBe(4);
    const config = JSON.parse(buildConfigMap(s, ctx).data?.["cluster.json"] ?? "{}");
    expect(config.members.map((m: { id: string }) => m.id)).toEqual([
      "orders-0",
      "orders-1",
      "orders-2",
      "orders-3",
    ]);
    // N from the spec applies at once: the nodes drain with it
    expect(config.replication.factor).toBe(3);
  });

  it("handover: the config drops the leaving members while the pods stay", () => {
    const s = store({ replicas: 3 });
    const ctx = context({ scaleDown: { pods: 4, members: 3 } });
    expect(buildStatefulSet(s, ctx).spec?.replicas).toBe(4);
    const config = JSON.parse(buildConfigMap(s, ctx).data?.["cluster.json"] ?? "{}");
    expect(config.members).toHaveLength(3);
  });

  it("without one, the spec's replicas", () => {
    const s = store({ replicas: 3 });
    expect(buildStatefulSet(s, context()).spec?.replicas).toBe(3);
    expect(JSON.parse(buildConfigMap(s, context()).data?.["cluster.json"] ?? "{}").members).toHaveLength(3);
  });
});

describe("drainStep", () => {
  it("starts the drain once the node runs this generation's config with every member", () => {
    expect(drainStep(node("orders-3"), LEAVING, 7, 4, false)).toEqual({ kind: "start" });
  });

  it("waits for a node still on an older config (a changed N must apply before the drain)", () => {
    const step = drainStep(node("orders-3", { generation: 6 }), LEAVING, 7, 4, false);
    expect(step.kind).toBe("wait");
    expect(step).toMatchObject({ message: expect.stringContaining("generation 7") });
  });

  it("follows the node's drain of the same leaving members", () => {
    const running = handoff({ state: "running", reason: "drain", leaving: LEAVING });
    expect(drainStep(node("orders-3", { handoff: running }), LEAVING, 7, 4, true)).toEqual({
      kind: "draining",
    });
    const done = handoff({ state: "done", reason: "drain", leaving: LEAVING, handedOff: 120, scanned: 120 });
    expect(drainStep(node("orders-3", { handoff: done }), LEAVING, 7, 4, true)).toEqual({
      kind: "drained",
      handedOff: 120,
    });
    // a drain of other members is not ours
    const other = handoff({ state: "done", reason: "drain", leaving: ["orders-2", "orders-3"] });
    expect(drainStep(node("orders-3", { handoff: other }), LEAVING, 7, 4, false)).toEqual({ kind: "start" });
  });

  it("retries a drain that could not hand every key over, saying so", () => {
    const failed = handoff({ state: "failed", reason: "drain", leaving: LEAVING, scanned: 50, failed: 3 });
    const step = drainStep(node("orders-3", { handoff: failed }), LEAVING, 7, 4, true);
    expect(step).toEqual({
      kind: "retry",
      message:
        "orders-3 could not hand 3 of 50 keys to the members that stay (are they reachable?); draining again",
    });
  });

  it("does not send the drain again while another pass runs ahead of the one it sent", () => {
    const rebalance = handoff({ state: "running", reason: "rebalance" });
    expect(drainStep(node("orders-3", { handoff: rebalance }), LEAVING, 7, 4, true).kind).toBe("wait");
    expect(drainStep(node("orders-3", { handoff: rebalance }), LEAVING, 7, 4, false).kind).toBe("start");
  });

  it("an unreachable node is said as such", () => {
    expect(
      drainStep({ id: "orders-3", error: "orders-3 could not be reached: refused" }, LEAVING, 7, 4, false),
    ).toEqual({
      kind: "unreachable",
      message: "orders-3 could not be reached: refused",
    });
  });
});

describe("checkHandover", () => {
  const staying = ["orders-0", "orders-1", "orders-2"];
  const onNewConfig = (id: string) => node(id, { members: staying });
  const leavingDone = node("orders-3", {
    members: staying,
    role: "leaving",
    handoff: handoff({ state: "done", reason: "rebalance" }),
  });

  it("done when every node that stays runs the new members and each leaving node handed off", () => {
    expect(checkHandover(staying.map(onNewConfig), [leavingDone], staying)).toEqual({
      done: true,
      waiting: [],
      failures: [],
    });
  });

  it("waits for a node still on the old members, and for a leaving node still handing off", () => {
    const check = checkHandover(
      [onNewConfig("orders-0"), node("orders-1"), onNewConfig("orders-2")],
      [{ ...leavingDone, handoff: handoff({ state: "pending", reason: "rebalance" }) }],
      staying,
    );
    expect(check.done).toBe(false);
    expect(check.waiting).toEqual([
      "orders-1 still runs a config with 4 members",
      "orders-3 hands off what was written since its drain",
    ]);
  });

  it("waits for a leaving node that has not loaded the config without it", () => {
    const check = checkHandover(staying.map(onNewConfig), [node("orders-3")], staying);
    expect(check.waiting).toEqual(["orders-3 has not loaded the config without it yet"]);
  });

  it("a staying node that cannot be asked does not hold it up; a leaving one that fails does", () => {
    const down: NodeView = { id: "orders-1", error: "orders-1 could not be reached" };
    expect(
      checkHandover([onNewConfig("orders-0"), down, onNewConfig("orders-2")], [leavingDone], staying).done,
    ).toBe(true);
    const failing = { ...leavingDone, handoff: handoff({ state: "failed", reason: "rebalance", failed: 2 }) };
    const check = checkHandover(staying.map(onNewConfig), [failing], staying);
    expect(check.done).toBe(false);
    expect(check.failures).toEqual([
      "orders-3 could not hand 2 keys to their new owners (are they reachable?); it retries every 5 s",
    ]);
  });
});
