import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKUP_ID_PATTERN, backupIdFor } from "../../../src/backup/backup-id.ts";
import { deleteBackup, expiredBackups, findBackup, listBackups } from "../../../src/backup/catalog.ts";
import { FileStore } from "../../../src/backup/file-store.ts";
import type { BackupManifest } from "../../../src/backup/manifest.ts";
import { UserError } from "../../../src/errors.ts";

function manifest(id: string, finishedAt: string): BackupManifest {
  return {
    format: 1,
    id,
    store: { name: "orders", namespace: "shop" },
    spec: { mode: "Leaderless", replicas: 3, replication: { factor: 3, writeQuorum: 2, readQuorum: 2 } },
    cut: "1796595101403:0:orders-2",
    startedAt: finishedAt,
    finishedAt,
    durationMs: 10,
    keys: 1,
    tombstones: 0,
    conflicts: 0,
    bytes: 0,
    nodes: [],
    data: [],
    conflictsObject: null,
    replistoreVersion: "0.1.0",
  };
}

describe("backup ids", () => {
  it("are DNS labels that sort by time, even for the longest store names", () => {
    const at = new Date("2026-12-06T22:02:36.789Z");
    expect(backupIdFor("orders", at)).toBe("orders-20261206-220236");
    const long = backupIdFor("a".repeat(52), at);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(BACKUP_ID_PATTERN);
    expect(backupIdFor("orders", new Date("2026-12-07T00:00:00Z")) > backupIdFor("orders", at)).toBe(true);
  });
});

describe("the catalog of a destination", () => {
  let dir: string;
  let store: FileStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "replistore-catalog-"));
    store = new FileStore(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const put = (id: string, finishedAt: string) =>
    store.put(`${id}/manifest.json`, Buffer.from(JSON.stringify(manifest(id, finishedAt))));

  it("lists complete backups newest first and never offers one without a manifest", async () => {
    await put("orders-1", "2026-12-01T00:00:00Z");
    await put("orders-3", "2026-12-03T00:00:00Z");
    await store.put("orders-4/data/000000.msgpack", Buffer.from("x")); // interrupted: no manifest
    await store.put("orders-5/manifest.json", Buffer.from("{not json"));
    const entries = await listBackups(store);
    expect(entries.map((e) => [e.id, e.complete])).toEqual([
      ["orders-3", true],
      ["orders-1", true],
      ["orders-4", false],
      ["orders-5", false],
    ]);
    expect((await findBackup(store)).id).toBe("orders-3");
    await expect(findBackup(store, "orders-4")).rejects.toThrow(
      /backup orders-4 at file:.* cannot be restored: no manifest.*; complete backups there: orders-3, orders-1/,
    );
    await expect(findBackup(store, "orders-4")).rejects.toBeInstanceOf(UserError);
  });

  it("refuses a manifest of a format it cannot read, by name", async () => {
    await store.put(
      "orders-9/manifest.json",
      Buffer.from(JSON.stringify({ ...manifest("orders-9", "2026-12-01T00:00:00Z"), format: 2 })),
    );
    await expect(findBackup(store, "orders-9")).rejects.toThrow(
      /backup format 2, this replistore reads format 1/,
    );
  });

  it("says when there is nothing to restore", async () => {
    await expect(findBackup(store)).rejects.toThrow(`no complete backup at ${store.url}`);
  });

  it("deletes a backup whole, and says when there is none", async () => {
    await put("orders-1", "2026-12-01T00:00:00Z");
    await store.put("orders-1/data/000000.msgpack", Buffer.from("x"));
    expect(await deleteBackup(store, "orders-1")).toBe(2);
    expect(await listBackups(store)).toEqual([]);
    await expect(deleteBackup(store, "orders-1")).rejects.toThrow(/no backup orders-1 at file:/);
    await expect(deleteBackup(store, "../etc")).rejects.toThrow(/is not a backup id/);
  });

  it("a write that dies half-way leaves no object under its name", async () => {
    await writeFile(join(dir, "stray.partial"), "half");
    expect(await store.get("stray")).toBeUndefined();
  });
});

describe("retention", () => {
  const now = Date.parse("2026-12-10T00:00:00Z");
  const day = 86_400_000;
  const entries = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => ({
    id: `b-${d}`,
    complete: true as const,
    manifest: manifest(`b-${d}`, new Date(now - d * day).toISOString()),
  }));
  const ids = (keep?: number, maxAgeMs?: number) =>
    expiredBackups(entries, { keep, maxAgeMs }, now).map((m) => m.id);

  it("keep N deletes all but the newest N", () => {
    expect(ids(3)).toEqual(["b-4", "b-5", "b-6", "b-7", "b-8", "b-9"]);
  });
  it("maxAge deletes the older ones", () => {
    expect(ids(undefined, 5.5 * day)).toEqual(["b-6", "b-7", "b-8", "b-9"]);
  });
  it("with both, a backup stays while either keeps it", () => {
    expect(ids(7, 2.5 * day)).toEqual(["b-8", "b-9"]);
    expect(ids(2, 4.5 * day)).toEqual(["b-5", "b-6", "b-7", "b-8", "b-9"]);
  });
  it("never deletes the newest complete backup, and nothing without settings", () => {
    expect(ids(0, 0)).not.toContain("b-1");
    expect(ids()).toEqual([]);
  });
});
