import { defineConfig } from "vitest/config";

/**
 * Unit tests run in parallel; integration tests start real multi-process stores, so their files run
 * one at a time (the machine has 2 cores) and after the unit tests. The e2e tests run last, on the
 * real one-node cluster of hack/cluster/up.sh (the first e2e file starts it and installs the chart).
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
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/e2e/global-setup.ts"],
          setupFiles: ["test/e2e/setup-cluster.ts"],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // Each file works in namespaces of its own and leaves the chart installed as it found it.
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
