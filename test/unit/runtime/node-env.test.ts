import { describe, expect, it } from "vitest";
import { nodeEnvironment } from "../../../src/runtime/node-env.ts";
import { nodeArgs } from "../../../src/runtime/node-process.ts";

describe("node processes", () => {
  it("drop identity and client settings inherited from the shell, keeping the rest", () => {
    const env = nodeEnvironment(
      {
        PATH: "/bin",
        REPLISTORE_NODE_ID: "x",
        REPLISTORE_TOKEN: "shell",
        REPLISTORE_ENDPOINT: "e",
        REPLISTORE_READ_TOKEN: "shell-read",
        REPLISTORE_LOG_LEVEL: "debug",
      },
      {},
    );
    expect(env).toEqual({ PATH: "/bin", REPLISTORE_LOG_LEVEL: "debug" });
  });

  it("get the store's token, not the shell's", () => {
    expect(nodeEnvironment({ REPLISTORE_TOKEN: "shell" }, { all: "store" }).REPLISTORE_TOKEN).toBe("store");
  });

  it("get one variable per role token, and no all-roles token the manifest did not ask for", () => {
    const env = nodeEnvironment({ REPLISTORE_TOKEN: "shell" }, { read: "r", write: "w", admin: "a" });
    expect(env).toEqual({
      REPLISTORE_READ_TOKEN: "r",
      REPLISTORE_WRITE_TOKEN: "w",
      REPLISTORE_ADMIN_TOKEN: "a",
    });
  });

  it("are started as `node` with every flag the node command requires", () => {
    expect(
      nodeArgs({
        id: "o-0",
        listen: "127.0.0.1:7070",
        dataDir: "/d/o-0",
        configPath: "/d/cluster.json",
        logPath: "/d/o-0.log",
        cliPath: "/r/src/cli/main.ts",
        env: {},
      }),
    ).toEqual([
      "--disable-warning=ExperimentalWarning",
      "--max-semi-space-size=16",
      "/r/src/cli/main.ts",
      "node",
      "--id",
      "o-0",
      "--listen",
      "127.0.0.1:7070",
      "--data",
      "/d/o-0",
      "--config",
      "/d/cluster.json",
    ]);
  });
});
