import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RootDatabase } from "lmdb";
import { unpack } from "msgpackr";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { snapshotFrames } from "../../../src/node/backup/snapshot-stream.ts";
import { HybridClock } from "../../../src/node/clock/hlc.ts";
import { ConflictStore } from "../../../src/node/conflicts/conflict-store.ts";
import { HintStore } from "../../../src/node/hints/hint-store.ts";
import { openDatabase } from "../../../src/node/storage/database.ts";
import { LocalReplica } from "../../../src/node/storage/local-replica.ts";
import { compareKeys, type SnapshotFrame } from "../../../src/wire/backup.ts";

const HOUR = 3_600_000;
const now = Date.parse("2026-12-06T12:00:00Z");
const rec = (wall: number, value: string | null, node = "n0") => ({
  version: { wall, logical: 0, node },
  value: value === null ? null : Buffer.from(value),
});

describe("a node's backup snapshot", () => {
  let dir: string;
  let root: RootDatabase;
  let storage: LocalReplica;
  let hints: HintStore;
  let conflicts: ConflictStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "snap-"));
    root = openDatabase(dir);
    storage = new LocalReplica(root, () => undefined);
    hints = new HintStore(root);
    conflicts = new ConflictStore(root);
  });
  afterEach(async () => {
    await root.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const frames = (clock = new HybridClock("n0", () => now)) =>
    snapshotFrames({ selfId: "n0", root, storage, hints, conflicts, clock, tombstoneGraceMs: 24 * HOUR });

  async function all(): Promise<SnapshotFrame[]> {
    const out: SnapshotFrame[] = [];
    for await (const f of frames()) out.push(unpack(f.subarray(4)) as SnapshotFrame);
    return out;
  }

  it("streams keys in UTF-8 order (LMDB's), which JavaScript's string order is not", async () => {
    // U+FFFD sorts before U+1F600 in UTF-16 code units too, but U+E000.. vs astral differs: pick those.
    const keys = ["b", "\u{1F600}", "\uE000", "a", "é", "\uFFFD", "A"];
    for (const k of keys) await storage.apply(k, rec(now - 1000, `v-${k}`));
    const got = (await all()).flatMap((f) => (f.kind === "records" ? f.entries.map((e) => e[0]) : []));
    expect(got).toEqual([...keys].sort(compareKeys));
    expect(got).not.toEqual([...keys].sort());
  });

  it("merges the hints it keeps for others (newest wins), drops expired tombstones, ends with its counts", async () => {
    await storage.apply("a", rec(now - 1000, "a-old"));
    await storage.apply("c", rec(now - 1000, "c"));
    await storage.apply("gone-long-ago", rec(now - 48 * HOUR, null));
    await storage.apply("gone-recently", rec(now - HOUR, null));
    const limits = { enabled: true, windowMs: HOUR, maxBytes: 1 << 20 };
    hints.add("n1", "a", [now - 500, 0, "n2", Buffer.from("a-new")], limits, 0);
    hints.add("n1", "b", [now - 500, 0, "n2", Buffer.from("b-only-hinted")], limits, 0);
    hints.add("n2", "c", [now - 5000, 0, "n2", Buffer.from("c-older-hint")], limits, 0);
    await root.flushed;
    const out = await all();
    expect(out[0]).toEqual({ kind: "header", node: "n0", clock: [now, 0] });
    const entries = out.flatMap((f) => (f.kind === "records" ? f.entries : []));
    expect(entries.map(([k, t]) => [k, t[3] === null ? null : Buffer.from(t[3]).toString()])).toEqual([
      ["a", "a-new"],
      ["b", "b-only-hinted"],
      ["c", "c"],
      ["gone-recently", null],
    ]);
    expect(out.at(-1)).toEqual({ kind: "end", records: 4, conflicts: 0 });
  });

  it("is one read snapshot: a write after it opened is not in it", async () => {
    await storage.apply("before", rec(now - 1000, "x"));
    const it = frames()[Symbol.asyncIterator]();
    const header = unpack(((await it.next()).value as Buffer).subarray(4)) as SnapshotFrame;
    expect(header.kind).toBe("header");
    await storage.apply("after", rec(now - 1000, "y"));
    const rest: SnapshotFrame[] = [];
    for (let r = await it.next(); !r.done; r = await it.next())
      rest.push(unpack(r.value.subarray(4)) as SnapshotFrame);
    const keys = rest.flatMap((f) => (f.kind === "records" ? f.entries.map((e) => e[0]) : []));
    expect(keys).toEqual(["before"]);
    expect(storage.read("after")).toBeDefined();
  });

  it("carries the conflict queue after the records", async () => {
    await conflicts.upsert({
      id: "c1",
      key: "k",
      kind: "partial_write",
      versions: [{ version: "1:0:n0", value: Buffer.from("v"), origin: "n0", role: "partial" }],
      applied: "1:0:n0",
      detectedAt: "2026-12-06T00:00:00Z",
      detectedBy: "n0",
      status: "pending",
      resolution: null,
    });
    const out = await all();
    expect(out.map((f) => f.kind)).toEqual(["header", "conflicts", "end"]);
    expect(out.at(-1)).toEqual({ kind: "end", records: 0, conflicts: 1 });
  });
});
