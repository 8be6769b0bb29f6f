import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataWriter } from "../../../src/backup/data-writer.ts";
import { FileStore } from "../../../src/backup/file-store.ts";
import type { BackupManifest, DataObject } from "../../../src/backup/manifest.ts";
import { backupRecords, CorruptBackupError } from "../../../src/backup/restore-reader.ts";
import type { KeyRecord } from "../../../src/wire/backup.ts";

const record = (i: number): KeyRecord => [
  `k-${String(i).padStart(5, "0")}`,
  [1000 + i, 0, "n0", Buffer.alloc(100, i % 256)],
];

function manifestFor(data: DataObject[]): BackupManifest {
  return {
    format: 1,
    id: "b-1",
    store: { name: "s", namespace: "" },
    spec: { mode: "Leaderless", replicas: 1, replication: { factor: 1, writeQuorum: 1, readQuorum: 1 } },
    cut: "2000:0:n0",
    startedAt: "2026-12-06T00:00:00Z",
    finishedAt: "2026-12-06T00:00:01Z",
    durationMs: 1000,
    keys: 3000,
    tombstones: 0,
    conflicts: 0,
    bytes: data.reduce((n, o) => n + o.bytes, 0),
    nodes: [],
    data,
    conflictsObject: null,
    replistoreVersion: "0.1.0",
  };
}

describe("reading a backup back", () => {
  let dir: string;
  let store: FileStore;
  let manifest: BackupManifest;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "restore-reader-"));
    store = new FileStore(dir);
    const writer = new DataWriter(store, { folder: "b-1/", objectBytes: 64 * 1024 });
    for (let i = 0; i < 3000; i++) await writer.add(record(i));
    manifest = manifestFor(await writer.finish());
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function readAll(m: BackupManifest): Promise<KeyRecord[]> {
    const out: KeyRecord[] = [];
    for await (const frame of backupRecords(store, m)) out.push(...frame);
    return out;
  }

  it("gives back every record in key order, across many objects", async () => {
    expect(manifest.data.length).toBeGreaterThan(3);
    const got = await readAll(manifest);
    expect(got.map((r) => r[0])).toEqual(Array.from({ length: 3000 }, (_, i) => record(i)[0]));
    expect(Buffer.from(got[42]![1][3]!)).toEqual(Buffer.alloc(100, 42));
  });

  it("refuses a damaged object by name, before any of its records", async () => {
    const victim = manifest.data[2]!;
    const path = join(dir, "b-1", ...victim.name.split("/"));
    const bytes = await readFile(path);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    await writeFile(path, bytes);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const frame of backupRecords(store, manifest)) seen.push(...frame.map((r) => r[0]));
    })();
    await expect(reading).rejects.toThrow(
      new RegExp(`b-1/${victim.name} does not match its checksum in the manifest`),
    );
    await expect(reading).rejects.toBeInstanceOf(CorruptBackupError);
    const before = manifest.data.slice(0, 2).reduce((n, o) => n + o.records, 0);
    expect(seen.length).toBe(before);
  });

  it("refuses a missing object and a record count that disagrees with the manifest", async () => {
    await rm(join(dir, "b-1", ...manifest.data[0]!.name.split("/")));
    await expect(readAll(manifest)).rejects.toThrow(/is missing; the backup cannot be restored/);
    const lying = manifestFor(manifest.data.map((o, i) => (i === 1 ? { ...o, records: o.records + 1 } : o)));
    await expect(readAll({ ...lying, data: lying.data.slice(1) })).rejects.toThrow(
      /records, the manifest says/,
    );
  });
});
