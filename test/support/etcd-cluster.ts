/**
 * A multi-member etcd cluster on loopback, from the etcd binary the test harness builds for its
 * control plane (hack/k8s/build.sh), for comparing replistore with etcd under the same load.
 *
 * Unlike the control plane's etcd, it keeps etcd's default durability (fsync on every commit): the
 * comparison is between two durable stores. With `tls`, clients speak https and members
 * authenticate each other with certificates (peer mutual TLS), as replistore's nodes do.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireK8sBinaries } from "./k8s/binaries.ts";
import { ControlPlaneProcess } from "./k8s/process.ts";
import { httpGet, waitUntil } from "./k8s/readiness.ts";
import { freePort } from "./ports.ts";
import { type StoreTls, writeStoreTls } from "./tls.ts";

export interface EtcdClusterOptions {
  members: number;
  tls: boolean;
  readyTimeoutMs?: number;
}

export interface EtcdCluster {
  /** one client URL per member */
  clientUrls: string[];
  /** the CA that signed the members' certificates (with tls) */
  caPem?: string;
  pids: number[];
  version: string;
  stop(): Promise<void>;
}

export async function startEtcdCluster(options: EtcdClusterOptions): Promise<EtcdCluster> {
  const binaries = requireK8sBinaries();
  const dir = await mkdtemp(join(tmpdir(), "replistore-etcd-"));
  const tls: StoreTls | undefined = options.tls ? await writeStoreTls(join(dir, "tls")) : undefined;
  const scheme = tls ? "https" : "http";
  const members = await Promise.all(
    Array.from({ length: options.members }, async (_, i) => ({
      name: `etcd-${i}`,
      client: `${scheme}://127.0.0.1:${await freePort()}`,
      peer: `${scheme}://127.0.0.1:${await freePort()}`,
    })),
  );
  const initialCluster = members.map((m) => `${m.name}=${m.peer}`).join(",");
  const tlsArgs = tls
    ? [
        `--cert-file=${join(tls.dir, "tls.crt")}`,
        `--key-file=${join(tls.dir, "tls.key")}`,
        `--peer-cert-file=${join(tls.dir, "tls.crt")}`,
        `--peer-key-file=${join(tls.dir, "tls.key")}`,
        `--peer-trusted-ca-file=${join(tls.dir, "ca.crt")}`,
        "--peer-client-cert-auth",
      ]
    : [];
  const processes: ControlPlaneProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const m of members) {
      await mkdir(join(dir, m.name), { recursive: true });
      processes.push(
        new ControlPlaneProcess(
          m.name,
          binaries.etcd,
          [
            `--name=${m.name}`,
            `--data-dir=${join(dir, m.name, "data")}`,
            `--listen-client-urls=${m.client}`,
            `--advertise-client-urls=${m.client}`,
            `--listen-peer-urls=${m.peer}`,
            `--initial-advertise-peer-urls=${m.peer}`,
            `--initial-cluster=${initialCluster}`,
            "--initial-cluster-state=new",
            "--log-level=warn",
            ...tlsArgs,
          ],
          join(dir, m.name, "etcd.log"),
          false,
        ),
      );
    }
    const clientTls = tls
      ? { ca: Buffer.from(tls.caPem), cert: Buffer.from(tls.cert.certPem), key: Buffer.from(tls.cert.keyPem) }
      : undefined;
    for (const m of members) {
      await waitUntil(
        `${m.name} /health`,
        async () => {
          const answer = await httpGet(`${m.client}/health`, clientTls);
          return answer.status === 200 && answer.body.includes('"true"');
        },
        processes,
        options.readyTimeoutMs ?? 60_000,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    clientUrls: members.map((m) => m.client),
    ...(tls ? { caPem: tls.caPem } : {}),
    pids: processes.map((p) => p.pid),
    version: binaries.etcdVersion,
    stop,
  };
}
