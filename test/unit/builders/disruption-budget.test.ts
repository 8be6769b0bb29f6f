import { describe, expect, it } from "vitest";
import { buildPodDisruptionBudget, maxUnavailable } from "../../../src/builders/disruption-budget.ts";
import { nodeSelectorLabels } from "../../../src/builders/labels.ts";
import { store } from "./fixtures.ts";

/** Brute force: the most pods that may go so that every possible owner set keeps W and R owners. */
function safeEvictions(replicas: number, n: number, w: number, r: number): number {
  let best = 0;
  for (let k = 0; k <= replicas; k++) {
    // The worst owner set of N pods loses min(k, N) of them.
    const left = n - Math.min(k, n);
    if (left >= w && left >= r) best = k;
  }
  return best;
}

describe("PodDisruptionBudget", () => {
  it.each([
    // replicas, N, W, R, consistency, maxUnavailable
    [3, 3, 2, 2, "Strong", 1],
    [3, 3, 3, 1, "Strong", 0],
    [3, 3, 1, 3, "Strong", 0],
    [5, 5, 3, 3, "Strong", 2],
    [5, 3, 2, 2, "Strong", 1],
    [5, 5, 4, 2, "Strong", 1],
    [1, 1, 1, 1, "Strong", 0],
    [3, 3, 1, 1, "Eventual", 2],
    [5, 5, 1, 1, "Eventual", 4],
    [6, 4, 2, 2, "Eventual", 2],
  ] as const)(
    "replicas %i, N=%i W=%i R=%i (%s): maxUnavailable %i",
    (replicas, n, w, r, consistency, expected) => {
      const s = store({ replicas, replication: { factor: n, writeQuorum: w, readQuorum: r, consistency } });
      expect(maxUnavailable(s.spec)).toBe(expected);
      expect(maxUnavailable(s.spec)).toBe(safeEvictions(replicas, n, w, r));
      expect(buildPodDisruptionBudget(s).spec?.maxUnavailable).toBe(expected);
    },
  );

  it("never lets an eviction take a key's last owner, even with Eventual quorums", () => {
    for (let n = 1; n <= 7; n++) {
      for (let w = 1; w <= n; w++) {
        for (let r = 1; r <= n; r++) {
          const consistency = w + r > n ? "Strong" : "Eventual";
          const s = store({
            replicas: n,
            replication: { factor: n, writeQuorum: w, readQuorum: r, consistency },
          });
          expect(maxUnavailable(s.spec)).toBeLessThanOrEqual(n - 1);
          expect(maxUnavailable(s.spec)).toBe(safeEvictions(n, n, w, r));
        }
      }
    }
  });

  it("uses the defaulted majority quorums", () => {
    expect(maxUnavailable(store({ replicas: 5 }).spec)).toBe(2);
    expect(maxUnavailable(store({ replicas: 4 }).spec)).toBe(1);
  });

  it("allows one pod at a time in MultiLeader mode", () => {
    const s = store({ replicas: 4, mode: "MultiLeader", multiLeader: { leaders: 2 } });
    expect(maxUnavailable(s.spec)).toBe(1);
  });

  it("selects the node pods and lets unready pods be evicted", () => {
    const s = store();
    const pdb = buildPodDisruptionBudget(s);
    expect(pdb.apiVersion).toBe("policy/v1");
    expect(pdb.spec?.selector?.matchLabels).toEqual(nodeSelectorLabels(s));
    expect(pdb.spec?.minAvailable).toBeUndefined();
    expect(pdb.spec?.unhealthyPodEvictionPolicy).toBe("AlwaysAllow");
  });
});
