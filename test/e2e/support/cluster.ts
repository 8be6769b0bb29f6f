/**
 * The e2e suite's cluster, started on first use rather than in the global setup: vitest runs every
 * project's global setup before the first test of any project, and an idle cluster should not share
 * the 2 cores with the unit and integration tests that run before these.
 *
 * The first e2e file runs `hack/cluster/up.sh` (a no-op, but for reloading a changed image, when one
 * is up) and writes what the other files need (KUBECONFIG, PATH, whether this run started the
 * cluster) to the run's state file, which the global setup's teardown reads to stop a cluster this
 * run started. Each file then makes sure the chart is installed, exactly as the README tells users.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../support/eventually.ts";
import { ROOT, run } from "./commands.ts";

export interface E2eState {
  /** This run found no cluster running and started it. */
  started: boolean;
  env: { KUBECONFIG: string; PATH: string };
}

/** Runs a hack/cluster script with its progress lines on stderr; returns its stdout. */
export function clusterScript(name: "up.sh" | "down.sh"): Promise<string> {
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

function exported(output: string, name: string): string {
  const match = new RegExp(`^export ${name}=(.*)$`, "m").exec(output);
  if (!match?.[1]) throw new Error(`hack/cluster/up.sh printed no ${name} line:\n${output}`);
  return match[1];
}

export function readState(file: string): E2eState | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as E2eState) : undefined;
}

/** The cluster up and the chart installed, and this process's environment pointing at them. */
export async function ensureCluster(stateFile: string): Promise<void> {
  let state = readState(stateFile);
  /** This run found a cluster running: its operator may run an older build of the same image tag. */
  let reusedCluster = false;
  if (!state) {
    const output = await clusterScript("up.sh");
    state = {
      started: !output.includes("cluster: already running"),
      env: {
        KUBECONFIG: exported(output, "KUBECONFIG"),
        PATH: exported(output, "PATH").replace("$PATH", process.env.PATH ?? ""),
      },
    };
    writeFileSync(stateFile, JSON.stringify(state));
    reusedCluster = !state.started;
  }
  Object.assign(process.env, state.env);
  // Checked by every file, so a failed install is retried rather than taken as done.
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
  if (installed.code === 0 && reusedCluster) {
    // up.sh loaded the image just built under the same tag; pods started before keep the old one.
    const ns = ["-n", "replistore-system"];
    const podNames = async () =>
      (
        await run("kubectl", [
          "get",
          "pods",
          ...ns,
          "-l",
          "app.kubernetes.io/name=replistore-operator",
          "-o",
          "name",
        ])
      ).stdout
        .split("\n")
        .filter(Boolean);
    process.stderr.write("cluster: restarting the operator, so it runs the image just loaded\n");
    const before = await podNames();
    await run("kubectl", ["rollout", "restart", "deployment/replistore-operator", ...ns]);
    await run("kubectl", ["rollout", "status", "deployment/replistore-operator", ...ns, "--timeout=3m"], {
      timeoutMs: 200_000,
    });
    // Settled as a fresh install is: the old pods gone and a new one holding the Lease.
    await eventually(
      async () => {
        const pods = await podNames();
        const lease = await run("kubectl", [
          "get",
          "lease",
          "replistore-operator",
          ...ns,
          "-o",
          "jsonpath={.spec.holderIdentity}",
        ]);
        const holder = lease.stdout.trim();
        if (pods.some((p) => before.includes(p)))
          throw new Error(`old operator pods remain: ${pods.join(", ")}`);
        if (!pods.some((p) => holder.startsWith(`${p.replace("pod/", "")}_`)))
          throw new Error(`lease holder "${holder}"`);
      },
      { timeoutMs: 120_000, what: "the restarted operator settled" },
    );
  }
}
