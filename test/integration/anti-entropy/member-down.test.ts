/**
 * A member down during repair: the sets it owns are skipped and listed, every other set is repaired,
 * and the job exits 1 so the CronJob shows the run as failed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { applyTo, freshTuple, ownerIndices, runRepair, versionText } from "../../support/anti-entropy.ts";
import { type Expected, expectConverged, staleCount } from "../../support/convergence.ts";
import { type Store, startStore, uniqueKey } from "../../support/index.ts";

describe("repair with a member down", () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.cleanup();
    store = undefined;
  });

  it("skips the sets of a dead member, repairs the others, exits 1; a later run finishes", async () => {
    store = await startStore({ nodes: 5, factor: 3, config: { hintedHandoff: { enabled: false } } });
    const s = store;
    // keys node-0 owns, half of them with node-4 among the owners
    const withDead = new Map<string, Expected>();
    const withoutDead = new Map<string, Expected>();
    const records: Array<[string, ReturnType<typeof freshTuple>]> = [];
    while (withDead.size < 15 || withoutDead.size < 15) {
      const key = uniqueKey("e");
      const owners = ownerIndices(s, key);
      if (!owners.includes(0)) continue;
      const bucket = owners.includes(4) ? withDead : withoutDead;
      if (bucket.size >= 15) continue;
      const t = freshTuple("node-0", `only-on-0-${key}`);
      records.push([key, t]);
      bucket.set(key, { version: versionText(t), value: String(t[3]) });
    }
    await applyTo(s, 0, records);
    await s.kill(4);

    const run = await runRepair(s);
    expect(run.code, run.stderr).toBe(1);
    const summary = run.summary;
    expect(summary.status).toBe("incomplete");
    expect(summary.ok).toBe(false);
    expect(summary.members.find((m) => m.id === "node-4")).toMatchObject({ reachable: false });
    expect(summary.members.filter((m) => m.reachable).map((m) => m.id)).toEqual([
      "node-0",
      "node-1",
      "node-2",
      "node-3",
    ]);
    expect(summary.skipped.length).toBeGreaterThan(0);
    expect(summary.setsSkipped).toBe(summary.skipped.length);
    for (const skipped of summary.skipped) {
      expect(skipped.owners, `${skipped.set} was skipped`).toContain("node-4");
      expect(skipped.reason).toMatch(/node-4/);
    }
    expect(summary.setsCompared).toBeGreaterThan(0);
    for (const set of summary.sets) expect(set.set.split(","), set.set).not.toContain("node-4");
    expect(summary.keysRepaired).toBe(15);
    expect(run.stderr).toMatch(/repair incomplete: \d+ sets skipped/);

    await expectConverged(s, withoutDead);
    // the skipped sets were left alone: their other owners still lack the records
    expect(await staleCount(s, withDead)).toBe(15);

    await s.start(4);
    const later = await runRepair(s);
    expect(later.code, later.stderr).toBe(0);
    expect(later.summary).toMatchObject({ status: "complete", setsSkipped: 0, keysRepaired: 15 });
    await expectConverged(s, new Map([...withDead, ...withoutDead]));

    // the lock is taken on the lowest reachable ordinal
    expect(later.summary.lockNode).toBe("node-0");
    await s.kill(0);
    const withoutFirst = await runRepair(s);
    expect(withoutFirst.summary.lockNode).toBe("node-1");
    expect(withoutFirst.code).toBe(1);
  });
});
