/**
 * Two repairs at once (the second exits cleanly or waits), the JSON summary in the termination log,
 * and the nodes' metrics of the last repair.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RepairSummary } from "../../../src/repair/summary.ts";
import { applyTo, freshTuple, lockAs, runRepair, unlockAs, versionText } from "../../support/anti-entropy.ts";
import { type Expected, expectConverged } from "../../support/convergence.ts";
import {
  eventually,
  freePort,
  metricValue,
  runCli,
  type Store,
  spawnCli,
  startStore,
  uniqueKey,
} from "../../support/index.ts";

async function diverge(store: Store, count: number, node = 1): Promise<Map<string, Expected>> {
  const expected = new Map<string, Expected>();
  const records: Array<[string, ReturnType<typeof freshTuple>]> = [];
  for (let i = 0; i < count; i++) {
    const key = uniqueKey(`lr${i}`);
    const t = freshTuple(store.id(node), `v-${key}`);
    records.push([key, t]);
    expected.set(key, { version: versionText(t), value: String(t[3]) });
  }
  await applyTo(store, node, records);
  return expected;
}

describe("repair lock, termination log and metrics", () => {
  let store: Store;
  let dir: string;
  beforeAll(async () => {
    store = await startStore({ nodes: 3, factor: 3, token: "lock-secret" });
    dir = await mkdtemp(join(tmpdir(), "replistore-repair-"));
  });
  afterAll(async () => {
    await store?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it("while another run holds the lock, repair says so and exits 0; with --wait it runs after", async () => {
    const expected = await diverge(store, 5);
    const other = await lockAs(store, 0, "someone-else/42/abcd");
    expect(other.acquired).toBe(true);
    try {
      const text = await runCli(["repair", "--config", store.configPath, "--no-termination-log"], {
        env: { REPLISTORE_TOKEN: "lock-secret" },
      });
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^another repair is running \(holder someone-else\/42\/abcd, since \d{4}-/);

      const json = await runRepair(store);
      expect(json.code).toBe(0);
      expect(json.summary).toMatchObject({
        status: "locked",
        ok: false,
        keysRepaired: 0,
        lockedBy: { node: "node-0", holder: "someone-else/42/abcd" },
      });

      const waiting = spawnCli(
        ["repair", "--config", store.configPath, "--wait", "-o", "json", "--no-termination-log"],
        { REPLISTORE_TOKEN: "lock-secret" },
      );
      let stdout = "";
      let stderr = "";
      waiting.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
      });
      waiting.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      const exited = new Promise<number | null>((resolve) => waiting.once("close", (code) => resolve(code)));
      await eventually(() => expect(stderr).toMatch(/another repair is running .*waiting/), {
        timeoutMs: 20_000,
        what: "the second run waits for the lock",
      });
      await unlockAs(store, 0, "someone-else/42/abcd");
      expect(await exited, stderr).toBe(0);
      const summary = JSON.parse(stdout) as RepairSummary;
      expect(summary).toMatchObject({ status: "complete", keysRepaired: 5, lockNode: "node-0" });
      await expectConverged(store, expected);
    } finally {
      await unlockAs(store, 0, "someone-else/42/abcd");
    }
  });

  it("two runs started together: one repairs, the other exits 0 or runs after it", async () => {
    const expected = await diverge(store, 200);
    const [a, b] = await Promise.all([runRepair(store), runRepair(store)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const runs = [a.summary, b.summary];
    expect(runs.filter((r) => r.status === "complete").length).toBeGreaterThanOrEqual(1);
    for (const [i, r] of runs.entries()) {
      if (r.status === "locked") expect(r.lockedBy?.holder).toBe(runs[1 - i]?.holder);
    }
    expect(runs.reduce((sum, r) => sum + r.keysRepaired, 0)).toBe(200);
    await expectConverged(store, expected);
  });

  it("writes the JSON summary to the termination log; every node's metrics show the last repair", async () => {
    await diverge(store, 7, 2);
    const log = join(dir, "termination-log");
    const before = Date.now() / 1000;
    const run = await runRepair(store, ["--termination-log", log]);
    expect(run.code, run.stderr).toBe(0);
    const written = JSON.parse(await readFile(log, "utf8")) as RepairSummary;
    const { sets: _sets, traffic: _traffic, ...withoutSets } = run.summary;
    expect(written).toEqual(withoutSets);
    expect(written).toMatchObject({ status: "complete", ok: true, keysRepaired: 7 });

    for (let i = 0; i < store.size; i++) {
      const metrics = await store.client(i).metrics();
      const at = metricValue(metrics, "replistore_repair_last_run_timestamp_seconds") ?? 0;
      expect(at, `${store.id(i)} last run`).toBeGreaterThanOrEqual(Math.floor(before));
      expect(at).toBeLessThanOrEqual(Date.now() / 1000 + 1);
      expect(metricValue(metrics, "replistore_repair_last_success"), store.id(i)).toBe(1);
      expect(metricValue(metrics, "replistore_repair_last_keys_repaired"), store.id(i)).toBe(7);
      expect(metricValue(metrics, "replistore_repair_last_bytes"), store.id(i)).toBe(run.summary.bytesSent);
    }
  });

  // Client tokens no longer guard the repair routes (/internal/): peers and the repair Job
  // authenticate through peer auth (src/node/http/peer-auth.ts), whose tests refuse a wrong peer
  // credential. What stays here: a run that cannot start is a failed summary and exit 1.
  it("a failed run (no member answers) is a failed summary in the termination log and exit 1", async () => {
    const log = join(dir, "failed-log");
    const config = JSON.parse(await readFile(store.configPath, "utf8")) as { members: { url: string }[] };
    const nobody = `http://127.0.0.1:${await freePort()}`;
    for (const member of config.members) member.url = nobody;
    const configPath = join(dir, "nobody.json");
    await writeFile(configPath, JSON.stringify(config));
    const run = await runCli(["repair", "--config", configPath, "--termination-log", log, "-o", "json"]);
    expect(run.code).toBe(1);
    const written = JSON.parse(await readFile(log, "utf8")) as RepairSummary;
    expect(written).toMatchObject({ status: "failed", ok: false });
    expect(run.stderr).toMatch(/repair failed: /);
  });
});
