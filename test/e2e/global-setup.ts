/**
 * The e2e suite's cluster: `hack/cluster/up.sh` (a no-op but for reloading a changed image when one
 * is already up), then the chart installed exactly as the README tells users. The cluster's
 * KUBECONFIG and PATH go into the environment the test files inherit. A cluster this setup started
 * is stopped at the end (REPLISTORE_KEEP_CLUSTER=1 keeps it, for looking around after a failure);
 * one that was already running is left as it was.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT, run } from "./support/commands.ts";

/** Runs a hack/cluster script with its progress lines on stderr; returns its stdout. */
function script(name: string): Promise<string> {
  const child = spawn("bash", [join(ROOT, "hack", "cluster", name)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const line of chunk.split("\n")) if (line.startsWith("cluster:")) process.stderr.write(`${line}\n`);
  });
  return new Promise((resolve, reject) => {
    child.once("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`hack/cluster/${name} failed (exit ${code}):\n${stdout}`));
    });
  });
}

function applyExports(output: string): void {
  for (const line of output.split("\n")) {
    const match = /^export (KUBECONFIG|PATH)=(.*)$/.exec(line.trim());
    if (!match?.[1] || match[2] === undefined) continue;
    process.env[match[1]] = match[2].replace("$PATH", process.env.PATH ?? "");
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  const output = await script("up.sh");
  const wasUp = output.includes("cluster: already running");
  applyExports(output);
  const installed = await run("helm", ["status", "replistore", "-n", "replistore-system"], {
    allowFailure: true,
  });
  if (installed.code !== 0) {
    // As in the README, plus --wait so the tests start with the operator running.
    await run(
      "helm",
      [
        "install",
        "replistore",
        "charts/replistore",
        "-n",
        "replistore-system",
        "--create-namespace",
        "--wait",
        "--timeout=3m",
      ],
      { timeoutMs: 200_000 },
    );
  }
  return async () => {
    if (wasUp || process.env.REPLISTORE_KEEP_CLUSTER === "1") return;
    await script("down.sh");
  };
}
