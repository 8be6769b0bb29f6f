import { describe, expect, it } from "vitest";
import {
  type MemberSelfReport,
  readSelfReport,
  readStatus,
  renderStatus,
} from "../../../src/cli/status-view.ts";

const status = {
  node: { id: "orders-0", mode: "Leaderless", role: "replica" },
  store: { name: "orders", namespace: "default" },
  generation: 2,
  members: [
    { id: "orders-0", url: "http://127.0.0.1:7070", self: true, healthy: true, hintsPending: 0 },
    { id: "orders-1", url: "http://127.0.0.1:7071", self: false, healthy: true, hintsPending: 0 },
    { id: "orders-2", url: "http://127.0.0.1:7072", self: false, healthy: false, hintsPending: 12 },
  ],
  replication: { factor: 3, writeQuorum: 2, readQuorum: 2 },
  clock: { maxOffsetMs: 500, peers: { "orders-1": 3, "orders-2": -41.6 } },
  hints: { pending: 12, bytes: 1024 },
};

function reports(): Map<string, MemberSelfReport | undefined> {
  const fromOne = readSelfReport({
    node: { role: "replica" },
    members: [{ id: "orders-2", hintsPending: 5 }],
  });
  return new Map([
    ["orders-0", readSelfReport(status)],
    ["orders-1", fromOne],
    ["orders-2", undefined],
  ]);
}

describe("renderStatus", () => {
  const text = renderStatus(readStatus(status), reports());
  const lines = text.trimEnd().split("\n");

  it("summarises the store in the first line", () => {
    expect(lines[0]).toBe("store orders: Leaderless, N=3 W=2 R=2, config generation 2");
    expect(lines[5]).toBe("* answered; HEALTHY and CLOCK (max 500ms) are orders-0's view of its peers");
  });

  it("shows one row per member with health, hints waiting for it, and clock offset", () => {
    expect(lines.slice(1, 5)).toEqual([
      "ID         URL                    ROLE         HEALTHY  HINTS  CLOCK",
      "orders-0*  http://127.0.0.1:7070  replica      yes      0      -",
      "orders-1   http://127.0.0.1:7071  replica      yes      0      +3ms",
      "orders-2   http://127.0.0.1:7072  unreachable  NO       17     -42ms",
    ]);
  });

  it("fits an 80-column terminal", () => {
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it("copes with a status missing optional parts", () => {
    const out = renderStatus(
      readStatus({ node: { id: "x" }, members: [{ id: "x", url: "u", self: true }] }),
      new Map(),
    );
    expect(out).toContain("store ?: ?, N=? W=? R=?, config generation ?");
    expect(out).toMatch(/x\*\s+u\s+unreachable\s+yes\s+-\s+-/);
  });
});

describe("renderStatus of a multi-leader store", () => {
  const ml = {
    ...status,
    node: { id: "orders-0", mode: "MultiLeader", role: "leader" },
    multiLeader: {
      topology: "Star",
      hub: "orders-1",
      sendsTo: [
        { peer: "orders-1", updates: 4 },
        { peer: "orders-2", updates: 3 },
      ],
    },
  };
  const text = renderStatus(
    readStatus(ml),
    new Map<string, MemberSelfReport | undefined>([
      ["orders-0", readSelfReport(ml)],
      ["orders-1", readSelfReport({ node: { role: "leader" }, multiLeader: { sendsTo: [{ updates: 0 }] } })],
      ["orders-2", undefined],
    ]),
  );
  const lines = text.trimEnd().split("\n");

  it("names the topology and hub, and shows each member's role and replication lag", () => {
    expect(lines[0]).toBe("store orders: MultiLeader Star (hub orders-1), N=3 W=2 R=2, config generation 2");
    expect(lines[1]).toMatch(/ROLE\s+HEALTHY\s+LAG\s+CLOCK$/);
    expect(lines[2]).toMatch(/^orders-0\*.*leader\s+yes\s+7\s+-$/);
    expect(lines[3]).toMatch(/^orders-1 .*leader\s+yes\s+0\s+\+3ms$/);
    expect(lines[4]).toMatch(/^orders-2 .*unreachable\s+NO\s+-\s+-42ms$/);
    expect(text).toContain("LAG: updates the member has");
  });
});
