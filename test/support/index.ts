export { type CliProcess, type CliResult, runCli, spawnCli, startCli } from "./cli.ts";
export { type Json, type Reply, StoreClient, send } from "./client.ts";
export { buildClusterConfig, type DeepPartial, writeClusterFile } from "./cluster-file.ts";
export { eventually } from "./eventually.ts";
export { uniqueKey } from "./keys.ts";
export { metricValue, parseMetrics, type Sample } from "./metrics.ts";
export { CLI, type ExitInfo, NodeProcess, REPO_ROOT } from "./node-process.ts";
export { freePort, freePortRange } from "./ports.ts";
export { TcpProxy } from "./proxy.ts";
export { liveStores, Store, type StoreOptions, startStore, storeHooks } from "./store.ts";
export {
  SHORT_REQUEST_TIMEOUT,
  type StoreFixture,
  type StorePerTest,
  storePerTest,
  THREE_NODES_MAJORITY,
  useStore,
} from "./store-fixture.ts";
