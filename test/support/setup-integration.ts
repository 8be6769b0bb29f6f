/**
 * Vitest setup for integration tests: when a test fails, print the log tail of every node of every
 * store involved (still running, or cleaned up by the test's own afterEach), and keep its data dir.
 */
import { beforeEach } from "vitest";
import { liveStores, storeHooks } from "./store.ts";

beforeEach(({ task, onTestFailed, onTestFinished }) => {
  // afterEach hooks run before onTestFailed: Store.cleanup() asks for the verdict through this hook
  storeHooks.currentTestFailed = () => task.result?.state === "fail";
  onTestFinished(() => {
    storeHooks.currentTestFailed = undefined;
  });
  onTestFailed(() => {
    for (const store of liveStores) console.error(`\n##### node logs of ${store.dir}\n${store.dumpLogs(60)}`);
  });
});
