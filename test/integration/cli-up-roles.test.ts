/**
 * Roles end to end through the CLI: `replistore up` with spec.auth naming read, write and admin
 * Secrets makes one local token per role and gives the nodes each; `replistore kv`, `status` and
 * `conflicts` send the token of the role each command needs without being told, and a token
 * without the role gets the node's 403 saying which role it needs.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, freePortRange, runCli, send, spawnCli, uniqueKey } from "../support/index.ts";

const MANIFEST = `apiVersion: replistore.io/v1alpha1
kind: ReplicatedStore
metadata: {name: roles}
spec:
  replicas: 3
  antiEntropy: {suspend: true}
  auth:
    read: {secretName: roles-read}
    write: {secretName: roles-write}
    admin: {secretName: roles-admin}
`;

describe("replistore up with read, write and admin tokens", () => {
  let dataDir: string;
  let up: ChildProcess;
  let output = "";
  let exited: Promise<unknown>;
  let urls: string[] = [];
  const token = (role: string) => readFileSync(join(dataDir, "roles", `${role}-token`), "utf8").trim();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "replistore-roles-"));
    const manifest = join(dataDir, "roles.yaml");
    await writeFile(manifest, MANIFEST);
    const portBase = await freePortRange(3);
    up = spawnCli([
      "up",
      "-f",
      manifest,
      "--data-dir",
      dataDir,
      "--port-base",
      String(portBase),
      "--no-review",
    ]);
    up.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    up.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    exited = new Promise((resolve) => up.once("exit", resolve));
    await eventually(
      () => {
        if (up.exitCode !== null || up.signalCode !== null)
          throw new Error(`replistore up exited early:\n${output}`);
        if (!output.includes("Ctrl-C stops the store")) throw new Error(`waiting for the store:\n${output}`);
        urls = [...output.matchAll(/^\s+\S+-\d+\s+(https:\/\/127\.0\.0\.1:\d+)/gm)].map((m) => m[1]!);
      },
      { timeoutMs: 60_000, what: "replistore up says the store is up" },
    );
  });

  afterAll(async () => {
    if (up && up.exitCode === null && up.signalCode === null) {
      up.kill("SIGINT");
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps one token per role in the data dir, and none with every role", () => {
    const tokens = ["read", "write", "admin"].map(token);
    expect(new Set(tokens).size).toBe(3);
    expect(existsSync(join(dataDir, "roles", "token"))).toBe(false);
    expect(output).toContain("auth: admin token in");
  });

  it("kv put, get and status pick a token that has the role, unprompted", async () => {
    const key = uniqueKey("roles-cli");
    const put = await runCli(["kv", "put", key, "v1", "--data-dir", dataDir]);
    expect(put.code, put.stderr + put.stdout).toBe(0);
    const get = await runCli(["kv", "get", key, "--data-dir", dataDir]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout.trimEnd()).toBe("v1");
    const status = await runCli(["status", "--data-dir", dataDir]);
    expect(status.code, status.stderr).toBe(0);
    // and the node answers the read token only what read opens
    const ca = readFileSync(join(dataDir, "roles", "tls", "ca.crt"), "utf8");
    const raw = await send(urls[0] ?? "", "PUT", `/v1/kv/${key}`, { token: token("read"), body: "x", ca });
    expect(raw.status, raw.text).toBe(403);
  });

  it("a read token given to kv put is refused, naming the write role and what to do", async () => {
    const put = await runCli([
      "kv",
      "put",
      uniqueKey("roles-cli"),
      "v",
      "--data-dir",
      dataDir,
      "--token",
      token("read"),
    ]);
    expect(put.code).not.toBe(0);
    expect(put.stderr).toContain("needs the write role");
    expect(put.stderr).toContain("pass --token with a token that has the write role");
  });

  it("conflicts resolve uses the admin token; a write token in REPLISTORE_TOKEN is refused for lack of admin", async () => {
    const args = [
      "conflicts",
      "resolve",
      "no-such-conflict",
      "--value",
      "x",
      "--by",
      "test",
      "--data-dir",
      dataDir,
    ];
    const asWriter = await runCli(args, { env: { REPLISTORE_TOKEN: token("write") } });
    expect(asWriter.code).not.toBe(0);
    expect(asWriter.stderr).toContain("needs the admin role");
    const asAdmin = await runCli(args);
    expect(asAdmin.code).not.toBe(0);
    // past the role check: the conflict does not exist
    expect(asAdmin.stderr).not.toContain("role");
    expect(asAdmin.stderr).toMatch(/not.?found|no conflict/i);
  });
});
