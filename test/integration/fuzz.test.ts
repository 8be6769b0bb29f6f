/**
 * The API fuzz run in CI (issue 12): schemathesis over the public API and the JSON peer routes, and
 * fast-check over the msgpack peer routes, of real 3-node stores, within one time box
 * (REPLISTORE_FUZZ_TIME seconds, default 120: two thirds for a Leaderless store with TLS, the run a
 * peer by a node's certificate; one third for a MultiLeader one, whose peers apply pushed updates,
 * without TLS, the run a peer by the peer secret). Zero 5xx and zero answers outside the schema;
 * and every part must have run a real number of cases, so a fuzzer that ran nothing cannot pass.
 * `npm run fuzz` is the same run from the command line (docs/development.md).
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFuzz } from "../../hack/fuzz/fuzz.ts";
import { type LocalStore, type LocalStoreOptions, startLocalStore } from "../../hack/fuzz/local-store.ts";

const TIME_S = Number(process.env.REPLISTORE_FUZZ_TIME ?? 120);

// Peers as the store's nodes are: by certificate over mutual TLS, and by the peer secret without TLS.
const STORES: Array<{ name: string; share: number; options: LocalStoreOptions }> = [
  { name: "Leaderless, TLS", share: 2 / 3, options: { tls: true, token: "fuzz-client-token" } },
  {
    name: "MultiLeader, peer secret",
    share: 1 / 3,
    options: { multiLeader: true, peerSecret: "fuzz-peer-secret" },
  },
];

describe.each(STORES)("API fuzz run, $name store", ({ share, options }) => {
  const timeS = Math.max(10, Math.round(TIME_S * share));
  let local: LocalStore;
  beforeAll(async () => {
    local = await startLocalStore(options);
  });
  afterAll(async () => {
    await local?.store.cleanup();
  });

  it(
    "finds no 5xx and no answer outside the schema, public and peer routes",
    async () => {
      const outDir = await mkdtemp(join(tmpdir(), "replistore-fuzz-"));
      const seed = Math.floor(Math.random() * 2 ** 31);
      const lines: string[] = [];
      const report = await runFuzz({
        target: local.target,
        peer: local.peer,
        timeS,
        maxExamples: 50,
        seed,
        outDir,
        log: (line) => {
          lines.push(line);
          console.log(line);
        },
      });
      const context = `seed ${seed}, reports in ${outDir}\n${lines.join("\n")}\n${report.parts.map((p) => p.details).join("\n")}`;
      expect(report.failures, context).toBe(0);
      const cases = Object.fromEntries(report.parts.map((p) => [p.name, p.cases]));
      // Floors far below what a run makes in its time box (docs/development.md has the figures).
      expect(cases["peer msgpack routes (fast-check)"], context).toBeGreaterThan(1000);
      expect(cases["public API (schemathesis)"], context).toBeGreaterThan(200);
      expect(cases["peer JSON routes (schemathesis)"], context).toBeGreaterThan(20);
    },
    (timeS + 120) * 1000,
  );
});
