/**
 * Backups of real stores (node processes, TLS between the backup and the nodes) to a directory,
 * and new stores bootstrapped from them: while writes continue, with a node killed, into other
 * replica counts and the other mode, and refused over existing data.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RecordTuple } from "../../../src/wire/record.ts";
import { parseTimestamp } from "../../../src/wire/version.ts";
import { applyTo, freshTuple, versionText } from "../../support/anti-entropy.ts";
import { backupContents, expectRootsAgree, runBackup } from "../../support/backup.ts";
import { type Expected, expectConverged } from "../../support/convergence.ts";
import { type Store, type StoreOptions, startStore, uniqueKey } from "../../support/index.ts";

async function put(store: Store, key: string, value: string): Promise<Expected> {
  const reply = await store.client(0).put(key, value, { w: 2 });
  expect(reply.status, reply.text).toBe(200);
  return { version: String(reply.body.version), value };
}

describe("backup and restore through a directory", () => {
  const stores: Store[] = [];
  let dir: string;
  let destination: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "replistore-backups-"));
    destination = pathToFileURL(dir).href;
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.cleanup();
    await rm(dir, { recursive: true, force: true });
  });
  const start = async (o: StoreOptions) => {
    const s = await startStore(o);
    stores.push(s);
    return s;
  };
  const restoreInto = (backupId: string, o: StoreOptions) =>
    start({ ...o, config: { ...o.config, bootstrap: { backupId, destination: { path: destination } } } });

  it("holds every write acknowledged before it started while writes continue; restores into 3 and 5 nodes and MultiLeader", async () => {
    const source = await start({ nodes: 3, tls: true });
    const acked = new Map<string, Expected>();
    for (let i = 0; i < 200; i++) {
      const key = uniqueKey(`pre-${i}`);
      acked.set(key, await put(source, key, `value-${i}`));
    }
    for (const key of [...acked.keys()].slice(0, 10)) {
      const reply = await source.client(1).del(key, { w: 2 });
      expect(reply.status).toBe(200);
      acked.set(key, { deleted: true });
    }
    // Writes go on during the backup, to keys of their own and over the preloaded ones.
    let writing = true;
    let during = 0;
    const writer = (async () => {
      const keys = [...acked.keys()];
      while (writing) {
        const key = during % 2 === 0 ? uniqueKey("during") : keys[during % keys.length]!;
        const reply = await source.client(during % 3).put(key, `during-${during}`, { w: 2 });
        expect(reply.status, reply.text).toBe(200);
        during++;
      }
    })();
    const run = await runBackup(source, destination);
    writing = false;
    await writer;
    expect(run.code, run.stderr).toBe(0);
    expect(during, "writes went on while the backup ran").toBeGreaterThan(0);

    const { manifest, data } = await backupContents(destination);
    expect(manifest.id).toBe(run.manifest?.id);
    expect(manifest.nodes.map((n) => [n.id, n.reached])).toEqual(source.ids.map((id) => [id, true]));
    const cut = parseTimestamp(manifest.cut)!;
    for (const [key, want] of acked) {
      const got = data.get(key);
      if (got === undefined) throw new Error(`${key} is missing from the backup`);
      if ("deleted" in want) {
        // a delete, or a write from the writer that came after it
        if (!("deleted" in got)) expect(got.value).toMatch(/^during-/);
        continue;
      }
      if ("deleted" in got) throw new Error(`${key} is deleted in the backup, though only written`);
      if (got.version !== want.version) expect(got.value, key).toMatch(/^during-/);
    }
    for (const [key, got] of data) {
      if ("deleted" in got) continue;
      const v = parseTimestamp(got.version)!;
      expect(
        v.wall * 1e6 + v.logical <= cut.wall * 1e6 + cut.logical,
        `${key} ${got.version} is not after the cut ${manifest.cut}`,
      ).toBe(true);
    }
    expect(manifest.keys + manifest.tombstones).toBe(data.size);
    expect(manifest.tombstones).toBe([...data.values()].filter((v) => "deleted" in v).length);

    for (const shape of [
      { nodes: 3 },
      { nodes: 5, factor: 3 },
      {
        nodes: 3,
        writeQuorum: 1,
        readQuorum: 1,
        config: { mode: "MultiLeader", multiLeader: { leaders: 2, topology: "AllToAll", hub: 0 } },
      },
    ] as StoreOptions[]) {
      const restored = await restoreInto(manifest.id, shape);
      await expectConverged(restored, data);
      expect(await expectRootsAgree(restored)).toBeGreaterThan(0);
      await restored.cleanup();
      stores.splice(stores.indexOf(restored), 1);
    }
  });

  it("backs up with a node killed while W allows it, and refuses when the missing nodes could hold a write", async () => {
    const source = await start({ nodes: 3 });
    const acked = new Map<string, Expected>();
    for (let i = 0; i < 50; i++) acked.set(uniqueKey(`k-${i}`), { version: "", value: `v-${i}` });
    for (const [key, want] of acked)
      acked.set(key, await put(source, key, (want as { value: string }).value));
    // A newer version on node 0 alone (as a partial write leaves it): the backup keeps the newest.
    const newer = [...acked.keys()]
      .slice(0, 10)
      .map((key) => [key, freshTuple("node-0", `newer-${key}`, 1)] as [string, RecordTuple]);
    await applyTo(source, 0, newer);
    for (const [key, t] of newer) acked.set(key, { version: versionText(t), value: String(t[3]) });
    await source.kill(2);
    // Written while node 2 is dead: its copies live on the two others only.
    const late = uniqueKey("late");
    acked.set(late, await put(source, late, "written-while-down"));

    const run = await runBackup(source, destination);
    expect(run.code, run.stderr).toBe(0);
    expect(run.manifest?.nodes.find((n) => n.id === source.id(2))).toMatchObject({ reached: false });
    expect(run.stderr).toMatch(
      /backing up without node-2 \(unreachable\); the backup still holds every acknowledged write/,
    );
    const { data } = await backupContents(destination, run.manifest!.id);
    for (const [key, want] of acked) expect(data.get(key), key).toEqual(want);

    await source.kill(1);
    const refused = await runBackup(source, destination, ["--id", "second"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /error: node-1, node-2 did not answer: with W=2, 2 missing nodes may hold a write no other node has; no backup written/,
    );
    expect(refused.stderr).not.toMatch(/bug/);
    expect(await readdir(dir)).toEqual([run.manifest!.id]);
  });

  it("brings back the conflict queue, and never restores over a store's data", async () => {
    const source = await start({ nodes: 3, config: { hintedHandoff: { enabled: false } } });
    const key = uniqueKey("partial");
    await source.kill(1);
    await source.kill(2);
    // Fails its quorum but stays on node 0: a partial-write record on-call must see.
    const failed = await source.client(0).put(key, "half-written", { w: 2, timeoutMs: 10_000 });
    expect(failed.status).toBe(503);
    await source.start(1);
    await source.start(2);
    await source.waitForPeers();
    const conflicts = await source.client(0).request("GET", "/v1/conflicts");
    const pending = (conflicts.body.items as Array<{ id: string; key: string }>).filter((c) => c.key === key);
    expect(pending).toHaveLength(1);

    const run = await runBackup(source, destination);
    expect(run.code, run.stderr).toBe(0);
    expect(run.manifest?.conflicts).toBeGreaterThanOrEqual(1);
    const restored = await restoreInto(run.manifest!.id, { nodes: 3 });
    for (let i = 0; i < restored.size; i++) {
      const reply = await restored.client(i).request("GET", `/v1/conflicts/${pending[0]!.id}`);
      expect(reply.status, `${restored.id(i)} holds the record`).toBe(200);
      expect(reply.body).toMatchObject({ key, status: "pending", kind: "partial_write" });
    }

    // The source store already holds data: pointing it at the backup is refused, its data untouched.
    await source.stop(0);
    await source.updateConfig((c) => {
      c.bootstrap = { backupId: run.manifest!.id, destination: { path: destination } };
    });
    source.node(0).spawn();
    expect(await source.node(0).exited()).toEqual({ code: 1, signal: null });
    expect(source.node(0).logTail(5)).toMatch(
      /error: refusing to restore backup .*: .* already holds data \(\d+ keys\)\. A store is bootstrapped from a backup only when it is new/,
    );
  });

  it("reads no faster than --max-rate", async () => {
    const source = await start({ nodes: 1 });
    const records = Array.from(
      { length: 1500 },
      (_, i) => [`rate-${i}`, freshTuple("node-0", "v".repeat(1000))] as [string, RecordTuple],
    );
    await applyTo(source, 0, records);
    const t0 = Date.now();
    const run = await runBackup(source, destination, ["--max-rate", "500Ki"]);
    expect(run.code, run.stderr).toBe(0);
    // About 1.5 MB at 500 KiB/s: three seconds at least, whatever the machine.
    expect(run.manifest!.durationMs).toBeGreaterThanOrEqual(2_500);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2_500);
    expect(run.manifest!.keys).toBe(1500);
  });
});
