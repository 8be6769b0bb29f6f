/**
 * Starts a real Prometheus (Debian's package) for tests: the given configuration in a fresh
 * temporary directory, a fresh TSDB there, a free loopback port, its log in a file, killed if the
 * test process dies first. Returns once /-/ready answers. The integration tests' static scrape
 * jobs and the e2e suite's discovered ones both start it through here.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { eventually } from "./eventually.ts";
import { tailFile } from "./logs.ts";
import { freePort } from "./ports.ts";

export interface StartedPrometheus {
  url: string;
  dir: string;
  child: ChildProcess;
  logPath: string;
}

export async function startPrometheus(options: {
  binary: string;
  config: Record<string, unknown>;
  extraArgs?: string[];
  readyTimeoutMs?: number;
}): Promise<StartedPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), "replistore-prometheus-"));
  const port = await freePort();
  const configPath = join(dir, "prometheus.yml");
  await writeFile(configPath, dump(options.config));
  const logPath = join(dir, "prometheus.log");
  const fd = openSync(logPath, "a");
  let child: ChildProcess;
  try {
    child = spawn(
      options.binary,
      [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--storage.tsdb.retention.time=1d",
        ...(options.extraArgs ?? []),
      ],
      { stdio: ["ignore", fd, fd] },
    );
  } finally {
    closeSync(fd);
  }
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${tailFile(logPath, 30)}`);
      const res = await fetch(`${url}/-/ready`);
      if (res.status !== 200) throw new Error(`/-/ready: ${res.status}`);
    },
    { timeoutMs: options.readyTimeoutMs ?? 30_000, intervalMs: 250, what: "prometheus ready" },
  );
  return { url, dir, child, logPath };
}

/** SIGTERM (SIGKILL after 5 s), then its directory goes. */
export async function stopPrometheus(started: Pick<StartedPrometheus, "child" | "dir">): Promise<void> {
  const { child } = started;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
  await rm(started.dir, { recursive: true, force: true });
}
