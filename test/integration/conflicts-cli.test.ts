/** `replistore conflicts list|show|resolve` against a real store, as on-call would use it. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type Store, startStore, uniqueKey } from "../support/index.ts";

describe("replistore conflicts", () => {
  let store: Store;
  let id: string;
  let key: string;
  let earlier: string;
  beforeAll(async () => {
    store = await startStore({ nodes: 3, factor: 3, config: { limits: { requestTimeoutMs: 1_500 } } });
    key = uniqueKey("cli");
    earlier = String((await store.client(0).put(key, "the right one", { w: 3 })).body.version);
    await store.kill(2);
    expect((await store.client(0).put(key, "the stray one", { w: 3 })).status).toBe(503);
    await store.start(2);
    const items = (await store.client(0).conflicts({ key })).body.items as Array<{ id: string }>;
    id = items[0]!.id;
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  const cli = (...args: string[]) => runCli(["conflicts", ...args, "--endpoint", store.urls[1]!]);

  it("lists pending conflicts in a table that fits 80 columns", async () => {
    const r = await cli("list");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(id);
    expect(r.stdout).toContain("partial_write");
    for (const line of r.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  });

  it("shows the versions side by side, with how to resolve", async () => {
    const r = await cli("show", id);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/role\s+partial \(applied\)\s+replaced/);
    expect(r.stdout).toMatch(/value\s+the stray one\s+the right one/);
    expect(r.stdout).toContain(`--keep ${earlier}`);
    const json = await cli("show", id, "-o", "json");
    expect(JSON.parse(json.stdout)).toMatchObject({ id, key, status: "pending" });
  });

  it("refuses an ambiguous decision with a message, then resolves and reports it", async () => {
    const bad = await cli("resolve", id, "--keep", earlier, "--delete");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("exactly one of --keep");
    expect(bad.stderr).not.toContain("    at ");

    const r = await cli(
      "resolve",
      id,
      "--keep",
      earlier,
      "--by",
      "alice",
      "--note",
      "stray retry",
      "-o",
      "yaml",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("status: resolved");
    expect(r.stdout).toContain("by: alice");
    expect((await store.client(2).get(key)).text).toBe("the right one");

    const again = await cli("resolve", id, "--value", "x");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("was resolved by alice");
    const none = await cli("list");
    expect(none.stdout).not.toContain(id);
  });
});
