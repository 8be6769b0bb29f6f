/**
 * The conflict queue: partial writes recorded durably, replicated to every node (surviving the
 * loss of the node that detected them), resolved once with the decision visible everywhere.
 */
import { describe, expect, it } from "vitest";
import {
  eventually,
  metricValue,
  SHORT_REQUEST_TIMEOUT,
  type Store,
  storePerTest,
  THREE_NODES_MAJORITY,
  uniqueKey,
  useStore,
} from "../support/index.ts";

interface VersionView {
  version: string;
  role: string;
  value: string | null;
  valueKnown: boolean;
  applied: boolean;
}
interface ConflictView {
  id: string;
  key: string;
  kind: string;
  status: string;
  versions: VersionView[];
  ownersReached: string[];
  ownersFailed: string[];
  resolution: { by: string; kept: string | null; written: string; note: string } | null;
}

async function conflictsOf(
  store: Store,
  index: number,
  query: Record<string, string> = {},
): Promise<ConflictView[]> {
  const reply = await store.client(index).conflicts(query);
  expect(reply.status, reply.text).toBe(200);
  return reply.body.items as unknown as ConflictView[];
}

describe("conflict queue (leaderless partial writes)", () => {
  const env = useStore({ ...THREE_NODES_MAJORITY, config: SHORT_REQUEST_TIMEOUT });

  it("records a partial write beside the version it replaced, replicates it, and survives losing its detector", async () => {
    const key = uniqueKey("pw");
    const first = await env.store.client(0).put(key, "before", { w: 3 });
    expect(first.status).toBe(200);
    await env.store.kill(2);
    const failed = await env.store.client(0).put(key, "partial", { w: 3 });
    expect(failed.status, failed.text).toBe(503);
    expect(failed.body).toMatchObject({ error: "quorum_unavailable", needed: 3, reached: 2 });

    // recorded on the coordinator before the 503 was sent
    const [rec] = (await conflictsOf(env.store, 0, { key })).filter((c) => c.kind === "partial_write");
    expect(rec).toBeDefined();
    expect(rec).toMatchObject({ key, status: "pending", ownersFailed: [env.store.id(2)] });
    expect([...rec!.ownersReached].sort()).toEqual([env.store.id(0), env.store.id(1)]);
    const partial = rec!.versions.find((v) => v.role === "partial");
    const replaced = rec!.versions.find((v) => v.role === "replaced");
    expect(partial).toMatchObject({ value: "partial", applied: true });
    expect(replaced).toMatchObject({ version: first.body.version, value: "before", applied: false });

    // pushed to node-1 at once; node-2 pulls it by gossip once back; node-0 may then go
    await eventually(
      async () =>
        expect((await env.store.client(1).request("GET", `/v1/conflicts/${rec!.id}`)).status).toBe(200),
      { timeoutMs: 5_000, what: "node-1 received the pushed record" },
    );
    await env.store.start(2);
    await eventually(
      async () =>
        expect((await env.store.client(2).request("GET", `/v1/conflicts/${rec!.id}`)).status).toBe(200),
      { timeoutMs: 20_000, what: "node-2 caught up with the conflict queue" },
    );
    await env.store.kill(0);
    try {
      const pending = await conflictsOf(env.store, 1, { status: "pending" });
      expect(pending.map((c) => c.id)).toContain(rec!.id);
      expect(
        metricValue(await env.store.client(1).metrics(), "replistore_conflicts_pending"),
      ).toBeGreaterThanOrEqual(1);
    } finally {
      await env.store.start(0);
      await env.store.waitForPeers();
    }
  });

  it("resolves by keeping the earlier version: a new version wins everywhere and every node shows the decision", async () => {
    const key = uniqueKey("resolve");
    const first = await env.store.client(0).put(key, "legit", { w: 3 });
    expect(first.status).toBe(200);
    await env.store.kill(2);
    expect((await env.store.client(0).put(key, "half-done", { w: 3 })).status).toBe(503);
    await env.store.start(2);
    await env.store.waitForPeers();
    const [rec] = await conflictsOf(env.store, 0, { key });

    const resolved = await env.store.client(1).resolve(rec!.id, {
      keep: first.body.version,
      resolvedBy: "oncall@example.com",
      note: "payment never went through",
    });
    expect(resolved.status, resolved.text).toBe(200);
    expect(resolved.body).toMatchObject({
      status: "resolved",
      resolution: { by: "oncall@example.com", kept: first.body.version, note: "payment never went through" },
    });
    const written = (resolved.body.resolution as { written: string }).written;

    for (let i = 0; i < 3; i++) {
      await eventually(
        async () => {
          const local = await env.store.client(i).get(key, { local: true });
          expect(local.text).toBe("legit");
          expect(local.version).toBe(written);
          const shown = await env.store.client(i).request("GET", `/v1/conflicts/${rec!.id}`);
          expect(shown.body).toMatchObject({ status: "resolved", resolution: { written } });
        },
        { timeoutMs: 20_000, what: `${env.store.id(i)} has the resolution` },
      );
    }

    const again = await env.store.client(2).resolve(rec!.id, { value: "x", resolvedBy: "someone" });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: "already_resolved" });
  });

  it("answers bad resolutions with a clear 4xx and changes nothing", async () => {
    const key = uniqueKey("bad");
    await env.store.kill(2);
    expect((await env.store.client(0).put(key, "p", { w: 3 })).status).toBe(503);
    await env.store.start(2);
    const [rec] = await conflictsOf(env.store, 0, { key });
    const c = env.store.client(0);
    expect((await c.resolve("nope", { value: "x", resolvedBy: "a" })).body).toMatchObject({
      error: "not_found",
    });
    expect((await c.resolve(rec!.id, { keep: "1:0:ghost", resolvedBy: "a" })).body).toMatchObject({
      error: "unknown_version",
    });
    const noWho = await c.resolve(rec!.id, { value: "x" });
    expect(noWho.status).toBe(400);
    expect(String(noWho.body.message)).toContain("resolvedBy");
    const both = await c.resolve(rec!.id, { value: "x", keep: "y", resolvedBy: "a" });
    expect(both.status).toBe(400);
    expect((await c.conflicts({ status: "bogus" })).status).toBe(400);
    expect((await c.conflicts({ limit: "0" })).status).toBe(400);
    const after = await c.request("GET", `/v1/conflicts/${rec!.id}`);
    expect(after.body).toMatchObject({ status: "pending" });
  });

  it("pages the list with a cursor, oldest first", async () => {
    const all = await conflictsOf(env.store, 0);
    expect(all.length).toBeGreaterThanOrEqual(3);
    const first = await env.store.client(0).conflicts({ limit: "1" });
    const second = await env.store.client(0).conflicts({ limit: "1", cursor: String(first.body.next) });
    expect((first.body.items as ConflictView[])[0]!.id).toBe(all[0]!.id);
    expect((second.body.items as ConflictView[])[0]!.id).toBe(all[1]!.id);
  });
});

describe("conflicts.policy Automatic", () => {
  const stores = storePerTest();

  it("counts a partial write but queues nothing", async () => {
    const store = await stores.start({
      nodes: 3,
      factor: 3,
      config: { conflicts: { policy: "Automatic" }, ...SHORT_REQUEST_TIMEOUT },
    });
    await store.kill(2);
    expect((await store.client(0).put(uniqueKey("auto"), "v", { w: 3 })).status).toBe(503);
    expect(await conflictsOf(store, 0)).toEqual([]);
    const detected = metricValue(await store.client(0).metrics(), "replistore_conflicts_detected_total", {
      kind: "partial_write",
    });
    expect(detected).toBe(1);
  });
});
