import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveTarget } from "../../../src/cli/target.ts";
import { claimUpState, type UpState } from "../../../src/runtime/up-state.ts";
import { deadPid, idleProcess, stopProcess, tempDir } from "../runtime/helpers.ts";

let dataDir: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dataDir = tempDir("target");
});
afterEach(async () => {
  await Promise.all(children.splice(0).map(stopProcess));
});

function startStore(name: string, port: number, pid?: number, token?: string): UpState {
  let upPid = pid;
  if (upPid === undefined) {
    const child = idleProcess("up");
    children.push(child);
    upPid = child.pid ?? 0;
  }
  mkdirSync(join(dataDir, name));
  const urls = [`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`];
  const state: UpState = { pid: upPid, store: name, startedAt: "", urls, members: [] };
  claimUpState(join(dataDir, name, "up.json"), state);
  if (token !== undefined) writeFileSync(join(dataDir, name, "token"), `${token}\n`);
  return state;
}

describe("resolveTarget", () => {
  it("prefers --endpoint, then REPLISTORE_ENDPOINT", () => {
    const env = { REPLISTORE_ENDPOINT: "http://env:1" };
    expect(resolveTarget({ dataDir, endpoint: "http://flag:2/" }, env, "read").urls).toEqual([
      "http://flag:2",
    ]);
    expect(resolveTarget({ dataDir }, env, "read").urls).toEqual(["http://env:1"]);
  });

  it("rejects an endpoint that is not an http URL, naming where it came from", () => {
    expect(() => resolveTarget({ dataDir, endpoint: "127.0.0.1:7070" }, {}, "read")).toThrow(
      '--endpoint "127.0.0.1:7070" is not an http(s) URL: use e.g. https://127.0.0.1:7070',
    );
    expect(() => resolveTarget({ dataDir }, { REPLISTORE_ENDPOINT: "ftp://x" }, "read")).toThrow(
      /^REPLISTORE_ENDPOINT "ftp:\/\/x"/,
    );
  });

  it("uses every URL of the only running store", () => {
    startStore("orders", 7070);
    expect(resolveTarget({ dataDir }, {}, "read")).toEqual({
      urls: ["http://127.0.0.1:7070", "http://127.0.0.1:7071"],
      role: "read",
      store: "orders",
    });
  });

  it("says how to start a store when none runs", () => {
    expect(() => resolveTarget({ dataDir }, {}, "read")).toThrow(
      /^no store to talk to: pass --endpoint URL, set REPLISTORE_ENDPOINT, or start one with replistore up -f store.yaml/,
    );
  });

  it("ignores stores whose up has exited", async () => {
    startStore("old", 7070, await deadPid());
    expect(() => resolveTarget({ dataDir }, {}, "read")).toThrow(/^no store to talk to/);
    expect(() => resolveTarget({ dataDir, store: "old" }, {}, "read")).toThrow(
      /^store old is not running \(its replistore up, pid \d+, has exited\)/,
    );
  });

  it("asks for --store when several run, and honours it", () => {
    startStore("a", 7070);
    startStore("b", 7170);
    expect(() => resolveTarget({ dataDir }, {}, "read")).toThrow(
      "several stores are running (a, b): pass --store NAME",
    );
    expect(resolveTarget({ dataDir, store: "b" }, {}, "read").urls[0]).toBe("http://127.0.0.1:7170");
  });

  it("names a store that does not exist", () => {
    expect(() => resolveTarget({ dataDir, store: "nope" }, {}, "read")).toThrow(
      /^store nope is not running \(no .*up\.json\)/,
    );
  });

  it("takes the token from --token, then REPLISTORE_TOKEN, then the store's token file", () => {
    startStore("orders", 7070, undefined, "from-file");
    expect(resolveTarget({ dataDir, token: "flag" }, { REPLISTORE_TOKEN: "env" }, "read").token).toBe("flag");
    expect(resolveTarget({ dataDir }, { REPLISTORE_TOKEN: "env" }, "read").token).toBe("env");
    expect(resolveTarget({ dataDir }, {}, "read").token).toBe("from-file");
  });

  it("picks the local token file of the role a command needs: its own, else a higher role's", () => {
    const state = startStore("roles", 7070);
    const dir = join(dataDir, "roles");
    writeFileSync(join(dir, "read-token"), "r\n");
    writeFileSync(join(dir, "admin-token"), "a\n");
    const roleTokenFiles = { read: join(dir, "read-token"), admin: join(dir, "admin-token") };
    writeFileSync(join(dir, "up.json"), JSON.stringify({ ...state, roleTokenFiles }));
    expect(resolveTarget({ dataDir }, {}, "read").token).toBe("r");
    expect(resolveTarget({ dataDir }, {}, "write").token).toBe("a");
    expect(resolveTarget({ dataDir }, {}, "admin").token).toBe("a");
    // a flag or the environment still wins: the user chose
    expect(resolveTarget({ dataDir, token: "mine" }, {}, "admin").token).toBe("mine");
  });

  it("finds the token of a running store by its endpoint", () => {
    startStore("a", 7070, undefined, "token-a");
    startStore("b", 7170, undefined, "token-b");
    expect(resolveTarget({ dataDir, endpoint: "http://127.0.0.1:7171" }, {}, "read").token).toBe("token-b");
    expect(resolveTarget({ dataDir, endpoint: "http://elsewhere:1" }, {}, "read").token).toBeUndefined();
  });
});
