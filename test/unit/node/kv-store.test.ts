import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RootDatabase } from "lmdb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/node/storage/database.ts";
import { KvStore } from "../../../src/node/storage/kv-store.ts";
import { TombstoneIndex } from "../../../src/node/storage/tombstones.ts";

const v = (wall: number, value: string | null, node = "n0") => ({
  version: { wall, logical: 0, node },
  value: value === null ? null : Buffer.from(value),
});

describe("KvStore", () => {
  let dir: string;
  let root: RootDatabase;
  let store: KvStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "kv-"));
    root = openDatabase(dir);
    store = new KvStore(root);
  });
  afterEach(async () => {
    await root.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the newest version whatever order writes arrive in", async () => {
    await store.apply("k", v(20, "new"));
    const r = await store.apply("k", v(10, "old"));
    expect(r.applied).toBe(false);
    expect(r.previous?.version.wall).toBe(20);
    expect(Buffer.from(store.get("k")!.value!).toString()).toBe("new");
  });

  it("never lets a concurrent older write overwrite a newer one still committing", async () => {
    const writes = [];
    for (let i = 0; i < 200; i++) writes.push(store.apply("k", v(1000 - i, `v${1000 - i}`)));
    await Promise.all(writes);
    expect(Buffer.from(store.get("k")!.value!).toString()).toBe("v1000");
  });

  it("is durable across close and reopen", async () => {
    await store.apply("a", v(1, "x"));
    await root.close();
    root = openDatabase(dir);
    store = new KvStore(root);
    expect(Buffer.from(store.get("a")!.value!).toString()).toBe("x");
  });

  it("purges a tombstone only past the cutoff and only if it is still the stored version", async () => {
    const tombs = new TombstoneIndex(root, store);
    const t1 = v(100, null);
    await store.apply("gone", t1);
    await tombs.note("gone", t1);
    const t2 = v(100, null);
    await store.apply("back", t2);
    await tombs.note("back", t2);
    await store.apply("back", v(150, "revived"));
    const t3 = v(500, null);
    await store.apply("recent", t3);
    await tombs.note("recent", t3);
    await root.flushed;

    expect((await tombs.purgeBefore(200)).map(([k]) => k)).toEqual(["gone"]);
    expect(store.get("gone")).toBeUndefined();
    expect(Buffer.from(store.get("back")!.value!).toString()).toBe("revived");
    expect(store.get("recent")?.value).toBeNull();
  });
});
