import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RootDatabase } from "lmdb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HintStore } from "../../../src/node/hints/hint-store.ts";
import { openDatabase } from "../../../src/node/storage/database.ts";
import type { RecordTuple } from "../../../src/node/storage/record.ts";

const rec = (wall: number, bytes = 10): RecordTuple => [wall, 0, "n0", Buffer.alloc(bytes)];
const limits = { enabled: true, windowMs: 60_000, maxBytes: 1_000 };

describe("HintStore", () => {
  let dir: string;
  let root: RootDatabase;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hints-"));
    root = openDatabase(dir);
  });
  afterEach(async () => {
    await root.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps hints per target in write order and survives a reopen", async () => {
    const hints = new HintStore(root);
    expect(hints.add("b", "k1", rec(1), limits, 0)).toBeUndefined();
    expect(hints.add("b", "k2", rec(2), limits, 0)).toBeUndefined();
    expect(hints.add("c", "k3", rec(3), limits, 0)).toBeUndefined();
    await root.flushed;
    await root.close();
    root = openDatabase(dir);
    const reopened = new HintStore(root);
    expect(reopened.pending().count).toBe(3);
    expect(reopened.take("b", 10).map((h) => h.key)).toEqual(["k1", "k2"]);
    expect(reopened.targets().sort()).toEqual(["b", "c"]);
  });

  it("drops hints beyond the size bound, for a peer down past the window, or when disabled", () => {
    const hints = new HintStore(root);
    expect(hints.add("b", "big", rec(1, 2_000), limits, 0)).toBe("full");
    expect(hints.add("b", "k", rec(1), limits, 60_001)).toBe("window");
    expect(hints.add("b", "k", rec(1), { ...limits, enabled: false }, 0)).toBe("disabled");
    expect(hints.pending()).toEqual({ count: 0, bytes: 0 });
  });

  it("frees space when hints are delivered and expires old ones", async () => {
    const hints = new HintStore(root);
    hints.add("b", "k1", rec(1, 400), limits, 0);
    hints.add("b", "k2", rec(2, 400), limits, 0);
    expect(hints.add("b", "k3", rec(3, 400), limits, 0)).toBe("full");
    await root.committed;
    await hints.remove(hints.take("b", 1));
    expect(hints.add("b", "k3", rec(3, 400), limits, 0)).toBeUndefined();
    await root.committed;
    expect(await hints.expire(Date.now() + 1)).toBe(2);
    expect(hints.pending().count).toBe(0);
  });
});
