import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  claimUpState,
  findRunningStores,
  readUpState,
  releaseUpState,
  type UpState,
} from "../../../src/runtime/up-state.ts";
import { deadPid, idleProcess, stopProcess, tempDir } from "./helpers.ts";

let dir: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = tempDir("up");
});
afterEach(async () => {
  await Promise.all(children.splice(0).map(stopProcess));
});

function state(pid: number, store = "orders", memberPid?: number): UpState {
  return {
    pid,
    store,
    startedAt: new Date(0).toISOString(),
    urls: ["http://127.0.0.1:7070"],
    members: [
      {
        id: `${store}-0`,
        url: "http://127.0.0.1:7070",
        log: "x.log",
        ...(memberPid ? { pid: memberPid } : {}),
      },
    ],
  };
}

function running(...args: string[]): number {
  const child = idleProcess(...args);
  children.push(child);
  return child.pid ?? 0;
}

describe("up.json", () => {
  it("is claimed, read back and released", () => {
    const path = join(dir, "up.json");
    claimUpState(path, state(process.pid));
    expect(readUpState(path)).toEqual(state(process.pid));
    expect(readdirSync(dir)).toEqual(["up.json"]);
    releaseUpState(path, process.pid);
    expect(existsSync(path)).toBe(false);
  });

  it("refuses a store whose up is still running", () => {
    const path = join(dir, "up.json");
    const other = running("up");
    claimUpState(path, state(other));
    expect(() => claimUpState(path, state(process.pid))).toThrow(
      new RegExp(`store orders is already running \\(replistore up pid ${other}, http://127.0.0.1:7070\\)`),
    );
    expect(readUpState(path)?.pid).toBe(other);
  });

  it("takes over a stale file whose up has died", async () => {
    const path = join(dir, "up.json");
    claimUpState(path, state(await deadPid()));
    claimUpState(path, state(process.pid));
    expect(readUpState(path)?.pid).toBe(process.pid);
  });

  it("does not mistake a reused pid for a running up", () => {
    const path = join(dir, "up.json");
    claimUpState(path, state(running("something-else")));
    claimUpState(path, state(process.pid));
    expect(readUpState(path)?.pid).toBe(process.pid);
  });

  it("refuses while nodes of a dead up still run, naming their pids", async () => {
    const path = join(dir, "up.json");
    const orphan = running("node", "--id", "orders-0");
    claimUpState(path, state(await deadPid(), "orders", orphan));
    expect(() => claimUpState(path, state(process.pid))).toThrow(`kill ${orphan}`);
  });

  it("does not release a file another up owns", () => {
    const path = join(dir, "up.json");
    const other = running("up");
    claimUpState(path, state(other));
    releaseUpState(path, process.pid);
    expect(readUpState(path)?.pid).toBe(other);
  });

  it("finds only stores whose up is alive", async () => {
    for (const name of ["live", "dead", "empty"]) mkdirSync(join(dir, name));
    claimUpState(join(dir, "live", "up.json"), state(running("up"), "live"));
    claimUpState(join(dir, "dead", "up.json"), state(await deadPid(), "dead"));
    expect(findRunningStores(dir).map((s) => s.name)).toEqual(["live"]);
    expect(findRunningStores(join(dir, "missing"))).toEqual([]);
  });
});
