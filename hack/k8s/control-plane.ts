/**
 * `npm run k8s:up` / `npm run k8s:down` / `node hack/k8s/control-plane.ts status`: the test control
 * plane (test/support/k8s) for a person, with the CRDs in crds/ installed. `up` returns once the
 * apiserver is ready and prints `export KUBECONFIG=<path>`; the processes keep running, their pids in a state file that `down`
 * uses. REPLISTORE_K8S_DIR moves the state directory (default: <tmpdir>/replistore-control-plane).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startControlPlane } from "../../test/support/k8s/control-plane.ts";

interface State {
  dir: string;
  server: string;
  kubeconfigPath: string;
  /** In stop order: controller manager, apiserver, etcd. */
  processes: { name: string; pid: number }[];
}

const stateDir = process.env.REPLISTORE_K8S_DIR ?? join(tmpdir(), "replistore-control-plane");
const stateFile = join(stateDir, "state.json");
const crdDir = fileURLToPath(new URL("../../crds/", import.meta.url));

function readState(): State | undefined {
  if (!existsSync(stateFile)) return undefined;
  return JSON.parse(readFileSync(stateFile, "utf8")) as State;
}

/** Alive and still the program we started: a recycled pid must never be signalled. */
function isOurs(entry: { name: string; pid: number }): boolean {
  try {
    const cmdline = readFileSync(`/proc/${entry.pid}/cmdline`, "utf8").split("\0")[0] ?? "";
    return cmdline.endsWith(`/${entry.name}`);
  } catch {
    return false;
  }
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function stopProcess(entry: { name: string; pid: number }): Promise<void> {
  if (!isOurs(entry)) return;
  process.kill(entry.pid, "SIGTERM");
  const deadline = Date.now() + 10_000;
  while (isOurs(entry) && Date.now() < deadline) await pause(100);
  if (isOurs(entry)) process.kill(entry.pid, "SIGKILL");
}

async function down(): Promise<void> {
  const state = readState();
  if (!state) {
    console.log(`k8s:down: nothing running (no ${stateFile})`);
    return;
  }
  for (const entry of state.processes) await stopProcess(entry);
  await rm(stateDir, { recursive: true, force: true });
  console.log("k8s:down: stopped");
}

async function up(): Promise<void> {
  const existing = readState();
  if (existing?.processes.every(isOurs)) {
    console.log(`k8s:up: already running at ${existing.server}`);
    console.log(`export KUBECONFIG=${existing.kubeconfigPath}`);
    return;
  }
  if (existing) {
    console.log("k8s:up: cleaning up a control plane that is no longer complete");
    await down();
  }
  await rm(stateDir, { recursive: true, force: true });
  // The repo's CRDs go in before the controller manager starts (see ControlPlaneOptions.crdFiles).
  const crdFiles = readdirSync(crdDir)
    .filter((name) => name.endsWith(".yaml"))
    .map((name) => join(crdDir, name));
  const plane = await startControlPlane({
    dir: stateDir,
    detached: true,
    crdFiles,
    log: (line) => console.log(line),
  });
  const state: State = {
    dir: plane.dir,
    server: plane.server,
    kubeconfigPath: plane.kubeconfigPath,
    processes: [
      { name: "kube-controller-manager", pid: plane.pids.controllerManager },
      { name: "kube-apiserver", pid: plane.pids.apiserver },
      { name: "etcd", pid: plane.pids.etcd },
    ],
  };
  await writeFile(stateFile, `${JSON.stringify(state, null, 2)}\n`);
  console.log(`k8s:up: ready in ${(plane.startupMs / 1000).toFixed(1)} s; logs in ${plane.dir}/logs`);
  console.log("k8s:up: stop it with npm run k8s:down");
  console.log(`export KUBECONFIG=${plane.kubeconfigPath}`);
}

function status(): void {
  const state = readState();
  if (!state) {
    console.log("k8s: not running");
    process.exitCode = 1;
    return;
  }
  for (const entry of state.processes) {
    console.log(`${entry.name} pid ${entry.pid}: ${isOurs(entry) ? "running" : "gone"}`);
  }
  console.log(`export KUBECONFIG=${state.kubeconfigPath}`);
}

const command = process.argv[2];
try {
  if (command === "up") await up();
  else if (command === "down") await down();
  else if (command === "status") status();
  else {
    console.error("usage: node hack/k8s/control-plane.ts up|down|status");
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`k8s:${command}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
