/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver and kube-controller-manager from
 * the binaries hack/k8s/build.sh caches, with fresh certificates, data dir and random ports. No
 * kubelet or scheduler: pods are created by the real controllers and stay Pending until a test sets
 * their status, as a kubelet would.
 */
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../ports.ts";
import { requireK8sBinaries } from "./binaries.ts";
import { installCrd, kubeClients } from "./client.ts";
import { writeKubeconfig } from "./kubeconfig.ts";
import { createPki } from "./pki.ts";
import { ControlPlaneProcess } from "./process.ts";
import { type ClientTls, httpGet, waitUntil } from "./readiness.ts";

export interface ControlPlaneOptions {
  /** Where certificates, data and logs go; a fresh temporary directory when omitted. */
  dir?: string;
  /** Let the processes outlive this one (`npm run k8s:up`); tests keep them attached. */
  detached?: boolean;
  /** Progress lines, e.g. console.log. */
  log?: (line: string) => void;
  /**
   * CRD files (YAML) to install before kube-controller-manager starts. The garbage collector only
   * rediscovers resource types every 30 s, so owner references to a custom resource created later
   * are only acted on after up to 30 s; installed first, they are watched from the start.
   */
  crdFiles?: string[];
  /** How long to wait for each component (default 60 s: a loaded 2-core machine is slow). */
  readyTimeoutMs?: number;
}

export interface ControlPlane {
  dir: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Admin (system:masters) kubeconfig with inlined certificates. */
  kubeconfigPath: string;
  etcdUrl: string;
  /** The cluster CA and the admin client certificate, for raw HTTPS requests. */
  tls: ClientTls;
  /** Log file of each component. */
  logs: { etcd: string; apiserver: string; controllerManager: string };
  /** Current pids (the apiserver's changes with restartApiserver). */
  pids: { etcd: number; apiserver: number; controllerManager: number };
  /** Time from the call until the apiserver was ready and the controllers were running. */
  startupMs: number;
  /** Stops kube-apiserver and waits until it is ready again (same data, same port). */
  restartApiserver(): Promise<void>;
  /** Stops every process and, unless `keepDir`, removes the directory. */
  stop(options?: { keepDir?: boolean }): Promise<void>;
}

// Room for thousands of Services: the operator benchmark alone creates 600.
const SERVICE_CIDR = "10.0.0.0/16";
const SERVICE_IP = "10.0.0.1";

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const detached = options.detached ?? false;
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const binaries = requireK8sBinaries();
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "replistore-k8s-")));
  const pkiDir = join(dir, "pki");
  await mkdir(pkiDir, { recursive: true });
  await mkdir(join(dir, "logs"), { recursive: true });

  const pki = await createPki(pkiDir, SERVICE_IP);
  const [etcdPort, etcdPeerPort, apiserverPort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiserverPort}`;
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const kubeconfigPath = join(dir, "kubeconfig");
  await writeKubeconfig(kubeconfigPath, {
    server,
    caCert: pki.caCert,
    clientCert: pki.adminCert,
    clientKey: pki.adminKey,
    name: "replistore-test",
  });
  const tls: ClientTls = {
    ca: await readFile(pki.caCert),
    cert: await readFile(pki.adminCert),
    key: await readFile(pki.adminKey),
  };
  const logs = {
    etcd: join(dir, "logs", "etcd.log"),
    apiserver: join(dir, "logs", "kube-apiserver.log"),
    controllerManager: join(dir, "logs", "kube-controller-manager.log"),
  };

  const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
  const etcdArgs = [
    "--name=test",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=test=${peerUrl}`,
    // Throwaway data: skipping fsync makes every apiserver write much cheaper on a slow disk.
    "--unsafe-no-fsync",
    "--log-level=warn",
  ];
  const apiserverArgs = [
    `--etcd-servers=${etcdUrl}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${apiserverPort}`,
    `--tls-cert-file=${pki.servingCert}`,
    `--tls-private-key-file=${pki.servingKey}`,
    `--client-ca-file=${pki.caCert}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    // RBAC as in a real cluster, so operator permissions can be tested by impersonation; the admin
    // and the controller manager are in system:masters.
    "--authorization-mode=RBAC",
    "--allow-privileged=true",
    "--profiling=false",
    // Without it, SIGTERM waits for the controllers' open watches until --request-timeout (60 s);
    // with it the apiserver ends them itself and exits within a few seconds.
    "--shutdown-watch-termination-grace-period=2s",
  ];
  const controllerManagerArgs = [
    `--kubeconfig=${kubeconfigPath}`,
    "--controllers=*",
    "--leader-elect=false",
    // One identity for every controller (the admin): per-controller service-account credentials
    // would need the token controller to come up first and buy nothing in a test.
    "--use-service-account-credentials=false",
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    `--cluster-signing-cert-file=${pki.caCert}`,
    `--cluster-signing-key-file=${pki.caKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    // No HTTPS endpoint: readiness is seen through the API (the default ServiceAccount appears).
    "--secure-port=0",
    "--profiling=false",
  ];

  const processes: ControlPlaneProcess[] = [];
  const startProcess = (name: string, binary: string, args: string[], logPath: string) => {
    const process = new ControlPlaneProcess(name, binary, args, logPath, detached);
    processes.push(process);
    return process;
  };

  const stopAll = async () => {
    // Controllers first, then the apiserver, then its storage.
    for (const process of [...processes].reverse()) await process.stop();
  };

  const apiserverReady = (process: ControlPlaneProcess, deps: ControlPlaneProcess[]) =>
    waitUntil(
      "kube-apiserver /readyz",
      async () => (await httpGet(`${server}/readyz`, tls)).status === 200,
      [process, ...deps],
      timeoutMs,
    );

  try {
    log(`k8s: ${binaries.k8sVersion}, etcd ${binaries.etcdVersion}, in ${dir}`);
    const etcd = startProcess("etcd", binaries.etcd, etcdArgs, logs.etcd);
    await waitUntil(
      "etcd /health",
      async () => {
        const answer = await httpGet(`${etcdUrl}/health`);
        return answer.status === 200 && answer.body.includes('"true"');
      },
      [etcd],
      timeoutMs,
    );
    log(`k8s: etcd ready at ${etcdUrl} (${Date.now() - started} ms)`);
    const apiserver = startProcess("kube-apiserver", binaries.kubeApiserver, apiserverArgs, logs.apiserver);
    await apiserverReady(apiserver, [etcd]);
    log(`k8s: kube-apiserver ready at ${server} (${Date.now() - started} ms)`);
    if (options.crdFiles?.length) {
      const clients = kubeClients(kubeconfigPath);
      for (const file of options.crdFiles) await installCrd(clients, file);
      log(`k8s: installed ${options.crdFiles.join(", ")} (${Date.now() - started} ms)`);
    }
    const controllerManager = startProcess(
      "kube-controller-manager",
      binaries.kubeControllerManager,
      controllerManagerArgs,
      logs.controllerManager,
    );
    await waitUntil(
      "kube-controller-manager (default ServiceAccount created)",
      async () =>
        (await httpGet(`${server}/api/v1/namespaces/default/serviceaccounts/default`, tls)).status === 200,
      [etcd, apiserver, controllerManager],
      timeoutMs,
    );
    log(`k8s: kube-controller-manager running (${Date.now() - started} ms)`);

    let current: ControlPlaneProcess = apiserver;
    const plane: ControlPlane = {
      dir,
      server,
      kubeconfigPath,
      etcdUrl,
      tls,
      logs,
      pids: { etcd: etcd.pid, apiserver: apiserver.pid, controllerManager: controllerManager.pid },
      startupMs: Date.now() - started,
      async restartApiserver() {
        await current.stop();
        processes.splice(processes.indexOf(current), 1);
        // Keep the start order so stopAll still stops the apiserver before etcd.
        current = new ControlPlaneProcess(
          "kube-apiserver",
          binaries.kubeApiserver,
          apiserverArgs,
          logs.apiserver,
          detached,
        );
        processes.splice(1, 0, current);
        plane.pids.apiserver = current.pid;
        await apiserverReady(current, [etcd]);
      },
      async stop(stopOptions = {}) {
        await stopAll();
        if (!stopOptions.keepDir) await rm(dir, { recursive: true, force: true });
      },
    };
    return plane;
  } catch (error) {
    await stopAll();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`control plane did not start (logs kept in ${dir}/logs): ${message}`);
  }
}
