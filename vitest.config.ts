import { defineConfig } from "vitest/config";

/**
 * Unit tests run in parallel; integration tests start real multi-process stores, so their files run
 * one at a time (the machine has 2 cores) and after the unit tests.
 * VITEST_JSON_REPORT=<file> adds a JSON report next to the default reporter (.ci/run uses it).
 */
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    ...(jsonReport ? { reporters: ["default", "json"], outputFile: { json: jsonReport } } : {}),
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          setupFiles: ["test/support/setup-integration.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 90_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
