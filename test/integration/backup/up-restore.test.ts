/**
 * The same bootstrap manifest under `replistore up`: a local store backed up to a directory by the
 * CLI, a new store started from it (restored once, not again on the next start), and the original
 * store refused when pointed at the backup over its own data.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, freePortRange, runCli, send, spawnCli, uniqueKey } from "../../support/index.ts";

interface Up {
  child: ChildProcess;
  output: () => string;
  urls: string[];
  ca: string;
  exited: Promise<number | null>;
}

async function startUp(file: string, dataDir: string, store: string): Promise<Up> {
  const portBase = await freePortRange(3);
  const child = spawnCli(["up", "-f", file, "--data-dir", dataDir, "--port-base", String(portBase)]);
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => {
    output += c;
  });
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    output += c;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const urls = await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`replistore up exited early:\n${output}`);
      const found = [...output.matchAll(/^\s+\S+-\d+\s+(https:\/\/127\.0\.0\.1:\d+)/gm)].map((m) => m[1]!);
      if (found.length < 3) throw new Error(`waiting for the node URLs in:\n${output}`);
      return found;
    },
    { timeoutMs: 90_000, what: "replistore up prints its nodes' URLs" },
  );
  const ca = await readFile(join(dataDir, store, "tls", "ca.crt"), "utf8");
  return { child, output: () => output, urls, ca, exited };
}

async function stopUp(up: Up): Promise<void> {
  up.child.kill("SIGINT");
  expect(await up.exited).toBe(0);
}

const manifest = (name: string, bootstrap?: string) =>
  [
    "apiVersion: replistore.io/v1alpha1",
    "kind: ReplicatedStore",
    `metadata: { name: ${name} }`,
    "spec:",
    "  replicas: 3",
    ...(bootstrap
      ? ["  bootstrap:", "    fromBackup:", "      destination:", `        path: ${bootstrap}`]
      : []),
    "",
  ].join("\n");

describe("replistore up from a backup", () => {
  let dir: string;
  let destination: string;
  const written = new Map<string, string>();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "replistore-up-restore-"));
    destination = pathToFileURL(join(dir, "backups")).href;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("backs up a local store, starts a new one from it once, and refuses it over existing data", async () => {
    await writeFile(join(dir, "orders.yaml"), manifest("orders"));
    const source = await startUp(join(dir, "orders.yaml"), join(dir, "data"), "orders");
    for (let i = 0; i < 30; i++) {
      const key = uniqueKey(`up-${i}`);
      const reply = await send(source.urls[i % 3]!, "PUT", `/v1/kv/${key}`, {
        ca: source.ca,
        body: `value-${i}`,
      });
      expect(reply.status, reply.text).toBe(200);
      written.set(key, `value-${i}`);
    }
    const backup = await runCli([
      "backup",
      "create",
      "--store",
      "orders",
      "--data-dir",
      join(dir, "data"),
      "--destination",
      destination,
    ]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/backup orders-\d{8}-\d{6} complete: 30 keys/);
    await stopUp(source);

    await writeFile(join(dir, "restored.yaml"), manifest("restored", destination));
    const first = await startUp(join(dir, "restored.yaml"), join(dir, "data"), "restored");
    expect(first.output()).toMatch(
      /restoring backup orders-\d{8}-\d{6} \(30 keys, cut \d+:\d+:orders-\d\) from file:/,
    );
    for (const [key, value] of written) {
      const reply = await send(first.urls[0]!, "GET", `/v1/kv/${key}`, { ca: first.ca });
      expect(reply.text, key).toBe(value);
    }
    await stopUp(first);
    const again = await startUp(join(dir, "restored.yaml"), join(dir, "data"), "restored");
    expect(again.output()).not.toMatch(/restoring/);
    const one = [...written][0]!;
    expect((await send(again.urls[1]!, "GET", `/v1/kv/${one[0]}`, { ca: again.ca })).text).toBe(one[1]);
    await stopUp(again);

    await writeFile(join(dir, "orders-again.yaml"), manifest("orders", destination));
    const refused = await runCli([
      "up",
      "-f",
      join(dir, "orders-again.yaml"),
      "--data-dir",
      join(dir, "data"),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /error: store orders already has data \(orders-0, orders-1, orders-2 under .*\): a backup is restored only into a new store/,
    );
  });
});
