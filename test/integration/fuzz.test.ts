/**
 * The API fuzz run in CI (issue 12): schemathesis over the public API and the JSON peer routes, and
 * fast-check over the msgpack peer routes, of a real 3-node store, within one time box
 * (REPLISTORE_FUZZ_TIME seconds, default 120). Zero 5xx and zero answers outside the schema; and
 * every part must have run a real number of cases, so a fuzzer that ran nothing cannot pass.
 * `npm run fuzz` is the same run from the command line (docs/development.md).
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFuzz } from "../../hack/fuzz/fuzz.ts";
import { type Store, startStore } from "../support/index.ts";

const TIME_S = Number(process.env.REPLISTORE_FUZZ_TIME ?? 120);

describe("API fuzz run", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startStore({ nodes: 3, proxy: false });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it(
    "finds no 5xx and no answer outside the schema, public and peer routes",
    async () => {
      const outDir = await mkdtemp(join(tmpdir(), "replistore-fuzz-"));
      const seed = Math.floor(Math.random() * 2 ** 31);
      const lines: string[] = [];
      const report = await runFuzz({
        target: { url: store.urls[0]!, headers: {} },
        peerHeaders: {},
        timeS: TIME_S,
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
    (TIME_S + 120) * 1000,
  );
});
