/**
 * End to end through the CLI: `replistore up` runs deploy/samples/leaderless.yaml as local processes,
 * `replistore kv` and `replistore status` talk to it over TLS (the store's local CA, found by the
 * CLI), `replistore repair` runs as the nodes' peer, Ctrl-C (SIGINT) stops it with exit 0.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCa } from "../../src/tls/pki.ts";
import { eventually, freePortRange, runCli, send, spawnCli, uniqueKey } from "../support/index.ts";

describe("replistore up + kv + status", () => {
  let dataDir: string;
  let up: ChildProcess;
  let output = "";
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let urls: string[] = [];
  let portBase: number;
  let ca: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "replistore-up-"));
    portBase = await freePortRange(3);
    up = spawnCli([
      "up",
      "-f",
      "deploy/samples/leaderless.yaml",
      "--data-dir",
      dataDir,
      "--port-base",
      String(portBase),
    ]);
    up.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    up.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    exited = new Promise((resolve) => up.once("exit", (code, signal) => resolve({ code, signal })));
    await eventually(
      () => {
        if (up.exitCode !== null || up.signalCode !== null)
          throw new Error(`replistore up exited early:\n${output}`);
        // The node lines ("  orders-0  https://..."), not the review page's URL printed after them.
        urls = [...output.matchAll(/^\s+\S+-\d+\s+(https:\/\/127\.0\.0\.1:\d+)/gm)].map((m) => m[1]!);
        if (urls.length < 3) throw new Error(`waiting for 3 node URLs in:\n${output}`);
      },
      { timeoutMs: 60_000, what: "replistore up prints its nodes' URLs" },
    );
    ca = await readFile(join(dataDir, "orders", "tls", "ca.crt"), "utf8");
  });

  afterAll(async () => {
    if (up && up.exitCode === null && up.signalCode === null) {
      up.kill("SIGKILL");
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("prints one https URL per replica, on consecutive ports from --port-base, each ready", async () => {
    expect(urls).toEqual([0, 1, 2].map((i) => `https://127.0.0.1:${portBase + i}`));
    for (const url of urls) expect((await send(url, "GET", "/readyz", { ca })).status).toBe(200);
    expect(output).toContain(`curl --cacert ${join(dataDir, "orders", "tls", "ca.crt")}`);
  });

  it("a CLI that trusts another CA is refused, with what to do", async () => {
    const other = join(dataDir, "other-ca.crt");
    await writeFile(other, (await createCa("not the store's")).certPem);
    const get = await runCli(["kv", "get", "anything", "--endpoint", urls[0]!, "--cacert", other]);
    expect(get.code).toBe(1);
    expect(get.stderr).toMatch(/certificate not trusted/);
    expect(get.stderr).toMatch(/--cacert/);
    expect(get.stderr).not.toMatch(/\n\s+at /);
  });

  it("repair runs as the nodes' peer over mutual TLS", async () => {
    const repair = await runCli(["repair", "--data-dir", dataDir, "-o", "json"]);
    expect(repair.code, repair.stderr + repair.stdout).toBe(0);
    expect(JSON.parse(repair.stdout)).toMatchObject({ ok: true });
  });

  it("kv put / get / delete through the CLI", async () => {
    const key = uniqueKey("cli");
    const put = await runCli(["kv", "put", key, "hello from the cli", "--data-dir", dataDir]);
    expect(put.code, put.stderr + put.stdout).toBe(0);

    const get = await runCli(["kv", "get", key, "--data-dir", dataDir]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout.trimEnd()).toBe("hello from the cli");

    // the same key through another node, by --endpoint
    const caFile = join(dataDir, "orders", "tls", "ca.crt");
    const viaEndpoint = await runCli(["kv", "get", key, "--endpoint", urls[2] ?? "", "--cacert", caFile]);
    expect(viaEndpoint.code, viaEndpoint.stderr).toBe(0);
    expect(viaEndpoint.stdout.trimEnd()).toBe("hello from the cli");

    const del = await runCli(["kv", "delete", key, "--data-dir", dataDir]);
    expect(del.code, del.stderr + del.stdout).toBe(0);
    const gone = await runCli(["kv", "get", key, "--data-dir", dataDir]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr + gone.stdout).toMatch(/not.?found|deleted/i);
  });

  it("status -o json shows the three members, healthy, and the quorums", async () => {
    const status = await runCli(["status", "-o", "json", "--data-dir", dataDir]);
    expect(status.code, status.stderr).toBe(0);
    const parsed: unknown = JSON.parse(status.stdout);
    expect(parsed).toMatchObject({
      node: { mode: "Leaderless" },
      replication: { factor: 3, writeQuorum: 2, readQuorum: 2 },
    });
    const members = (parsed as { members: { id: string; url: string; healthy: boolean }[] }).members;
    expect(members.map((m) => m.id)).toEqual(["orders-0", "orders-1", "orders-2"]);
    expect(members.map((m) => m.url)).toEqual(urls);
    expect(members.every((m) => m.healthy)).toBe(true);
  });

  it("Ctrl-C (SIGINT) stops every node and exits 0", async () => {
    up.kill("SIGINT");
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`replistore up still running 40 s after SIGINT:\n${output}`)),
          40_000,
        );
      }),
    ]);
    clearTimeout(timer);
    expect(result, output).toEqual({ code: 0, signal: null });
    for (const url of urls)
      await expect(send(url, "GET", "/healthz", { timeoutMs: 2_000, ca })).rejects.toThrow();
  });
});
