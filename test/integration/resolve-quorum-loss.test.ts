/**
 * Resolving a conflict while the store has lost its write quorum: refused before anything is
 * written (no value on the surviving owner, no new partial-write record), the record stays
 * pending, and the same resolution succeeds once the owners are back.
 */
import { describe, expect, it } from "vitest";
import {
  eventually,
  runCli,
  SHORT_REQUEST_TIMEOUT,
  storePerTest,
  THREE_NODES_MAJORITY,
  uniqueKey,
} from "../support/index.ts";

interface ConflictView {
  id: string;
  key: string;
  kind: string;
  status: string;
}

describe("resolving a conflict during a quorum loss", () => {
  const stores = storePerTest();

  it("with 2 of 3 owners killed (SIGKILL): 503 resolve_refused (API and CLI), nothing written, record pending; resolves after restart", async () => {
    const s = await stores.start({ ...THREE_NODES_MAJORITY, config: SHORT_REQUEST_TIMEOUT });
    const key = uniqueKey("resolve-lost");
    const first = await s.client(0).put(key, "the right one", { w: 3 });
    expect(first.status, first.text).toBe(200);
    await s.kill(2);
    expect((await s.client(0).put(key, "the stray one", { w: 3 })).status).toBe(503);
    const recorded = (await s.client(0).conflicts({ key })).body.items as unknown as ConflictView[];
    expect(recorded).toHaveLength(1);
    const id = recorded[0]!.id;
    const before = await s.client(0).get(key, { local: true });
    expect(before.text).toBe("the stray one");

    await s.kill(1);
    const refused = await s.client(0).resolve(id, {
      keep: String(first.body.version),
      resolvedBy: "oncall@example.com",
    });
    expect(refused.status, refused.text).toBe(503);
    expect(refused.body).toMatchObject({ error: "resolve_refused", needed: 2, reached: 1, written: false });
    const down = (refused.body.down as Array<{ node: string }>).map((d) => d.node).sort();
    expect(down).toEqual([s.id(1), s.id(2)].sort());
    expect(String(refused.body.message)).toContain("nothing written");
    expect(String(refused.body.message)).toContain(s.id(1));

    // `replistore conflicts resolve` says the same at a terminal, without a stack trace
    const cli = await runCli([
      "conflicts",
      "resolve",
      id,
      "--keep",
      String(first.body.version),
      "--by",
      "alice",
      "--endpoint",
      s.urls[0]!,
    ]);
    expect(cli.code, cli.stdout).toBe(1);
    expect(cli.stderr).toContain(`conflict ${id} not resolved, and nothing was written`);
    const downLine = /\(down: ([^)]*)\)/.exec(cli.stderr)?.[1]?.split(", ").sort();
    expect(downLine).toEqual([s.id(1), s.id(2)].sort());
    expect(cli.stderr).toContain("The conflict is still pending.");
    expect(cli.stderr).toContain("then run the same command again");
    expect(cli.stderr).not.toContain("?w=");
    expect(cli.stderr).not.toContain("    at ");

    // nothing was written on the surviving owner, and no second record appeared
    const after = await s.client(0).get(key, { local: true });
    expect(after.text).toBe("the stray one");
    expect(after.version).toBe(before.version);
    const now = (await s.client(0).conflicts({ key, status: "pending" })).body
      .items as unknown as ConflictView[];
    expect(now.map((c) => c.id)).toEqual([id]);
    const all = (await s.client(0).conflicts({ key, status: "resolved" })).body
      .items as unknown as ConflictView[];
    expect(all).toEqual([]);

    await Promise.all([s.start(1), s.start(2)]);
    await s.waitForPeers();
    await eventually(
      async () => {
        const ok = await s.client(0).resolve(id, {
          keep: String(first.body.version),
          resolvedBy: "oncall@example.com",
        });
        expect(ok.status, ok.text).toBe(200);
        expect(ok.body).toMatchObject({ status: "resolved" });
      },
      { timeoutMs: 15_000, what: "the same resolution succeeds once the owners are back" },
    );
    const read = await s.client(1).get(key);
    expect(read.text).toBe("the right one");
    const left = (await s.client(0).conflicts({ key, status: "pending" })).body
      .items as unknown as ConflictView[];
    expect(left.map((c) => c.id)).toEqual([]);
  });
});
