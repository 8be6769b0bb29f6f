/**
 * A stand-in for a cluster's pod network, for tests without a kubelet: a network namespace made
 * for the test, joined to this one by a veth pair, with one address per "pod" (198.18.X.10+i, in
 * the 198.18.0.0/15 benchmarking range, X random per run). Real node processes run inside it
 * (`ip netns exec`) listening on podIP:7070, exactly the address and port a pod has, and the test
 * writes those IPs into the pods' status.
 *
 * Why not loopback: the kube-apiserver's pod proxy refuses any pod IP that is not global unicast
 * (k8s.io/apimachinery/pkg/util/proxy: isProxyableIP), so 127.0.0.x pods cannot be proxied to.
 * Needs root (CAP_NET_ADMIN), as CI has.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import type { ClusterConfig } from "../../../src/config/cluster-config.ts";
import { NODE_RUNTIME_FLAGS } from "../../../src/config/node-runtime-flags.ts";
import { createCa, issueCertificate } from "../../../src/tls/pki.ts";
import { StoreClient } from "../../support/client.ts";
import { buildClusterConfig, type DeepPartial, writeClusterFile } from "../../support/cluster-file.ts";
import { eventually } from "../../support/eventually.ts";
import { CLI, REPO_ROOT } from "../../support/node-process.ts";
import { writeTlsDir } from "../../support/tls.ts";

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"] }).toString();

export function canMakePodNetwork(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root to create a network namespace";
  try {
    ip("-V");
  } catch {
    return "needs the ip command (iproute2)";
  }
  return undefined;
}

const everyNetwork = new Set<PodNetwork>();
process.once("exit", () => {
  for (const net of everyNetwork) net.destroySync();
});

export class PodNetwork {
  readonly ns: string;
  private readonly hostIf: string;
  readonly subnet: number;
  private readonly children = new Set<ChildProcess>();

  private constructor(ns: string, hostIf: string, subnet: number) {
    this.ns = ns;
    this.hostIf = hostIf;
    this.subnet = subnet;
  }

  static create(pods: number): PodNetwork {
    const tag = `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`.slice(-8);
    // a /24 nobody routes yet
    let subnet = -1;
    const routes = ip("-4", "route", "show", "table", "all");
    for (let attempt = 0; attempt < 50 && subnet < 0; attempt++) {
      const x = Math.floor(Math.random() * 256);
      if (!routes.includes(`198.18.${x}.`)) subnet = x;
    }
    if (subnet < 0) throw new Error("no free 198.18.X.0/24 for the pod network");
    const net = new PodNetwork(`rs-pods-${tag}`, `rsh${tag}`.slice(0, 15), subnet);
    const podIf = `rsp${tag}`.slice(0, 15);
    everyNetwork.add(net);
    try {
      ip("netns", "add", net.ns);
      ip("link", "add", net.hostIf, "type", "veth", "peer", "name", podIf);
      ip("link", "set", podIf, "netns", net.ns);
      ip("addr", "add", `${net.hostAddress}/24`, "dev", net.hostIf);
      ip("link", "set", net.hostIf, "up");
      ip("netns", "exec", net.ns, "ip", "link", "set", "lo", "up");
      for (let i = 0; i < pods; i++)
        ip("netns", "exec", net.ns, "ip", "addr", "add", `${net.podIp(i)}/24`, "dev", podIf);
      ip("netns", "exec", net.ns, "ip", "link", "set", podIf, "up");
    } catch (err) {
      net.destroySync();
      throw err;
    }
    return net;
  }

  /** this side of the veth */
  get hostAddress(): string {
    return `198.18.${this.subnet}.1`;
  }

  podIp(i: number): string {
    return `198.18.${this.subnet}.${10 + i}`;
  }

  /** Runs `node <args>` inside the namespace, output appended to `logPath`. */
  spawnNode(args: string[], env: Record<string, string>, logPath: string): ChildProcess {
    const fd = openSync(logPath, "a");
    const child = spawn("ip", ["netns", "exec", this.ns, process.execPath, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
    return child;
  }

  destroySync(): void {
    for (const child of this.children) child.kill("SIGKILL");
    everyNetwork.delete(this);
    try {
      ip("link", "del", this.hostIf);
    } catch {
      // gone with the namespace
    }
    try {
      ip("netns", "del", this.ns);
    } catch {
      // never made
    }
  }
}

/** A real 3-node store whose nodes are "pods" in a PodNetwork: ids pod names, URLs podIP:port. */
export class PodStore {
  readonly net: PodNetwork;
  readonly names: string[];
  readonly port: number;
  readonly token: string | undefined;
  private readonly dir: string;
  private readonly procs: (ChildProcess | undefined)[] = [];

  private readonly first: number;
  /** the nodes' token variables, when not REPLISTORE_TOKEN=token (a store with role tokens) */
  private readonly nodeEnv: Record<string, string> | undefined;
  /** with TLS: the CA that signed the nodes' certificate (one certificate naming every pod IP) */
  private readonly tls: boolean;
  caPem: string | undefined;

  /** `first`: the pod network address index of names[0] (several stores share one network). */
  constructor(
    net: PodNetwork,
    dir: string,
    names: string[],
    options: {
      port?: number;
      token?: string;
      first?: number;
      nodeEnv?: Record<string, string>;
      tls?: boolean;
    },
  ) {
    this.tls = options.tls ?? false;
    this.nodeEnv = options.nodeEnv;
    this.first = options.first ?? 0;
    this.net = net;
    this.dir = dir;
    this.names = names;
    this.port = options.port ?? 7070;
    this.token = options.token;
  }

  /** tls.crt, tls.key and ca.crt, as the store's TLS Secret mounted in a pod */
  get tlsDir(): string {
    return join(this.dir, "tls");
  }

  get configPath(): string {
    return join(this.dir, "cluster.json");
  }

  url(i: number): string {
    return `${this.tls ? "https" : "http"}://${this.podIp(i)}:${this.port}`;
  }

  podIp(i: number): string {
    return this.net.podIp(this.first + i);
  }

  id(i: number): string {
    return this.names[i]!;
  }

  async boot(config: DeepPartial<ClusterConfig> = {}): Promise<void> {
    mkdirSync(join(this.dir, "logs"), { recursive: true });
    if (this.tls) {
      const ca = await createCa("replistore pod test CA");
      const cert = await issueCertificate(ca, {
        commonName: this.names[0] ?? "pod",
        dnsNames: [],
        ipAddresses: this.names.map((_, i) => this.podIp(i)),
      });
      await writeTlsDir(this.tlsDir, ca, cert);
      this.caPem = ca.certPem;
    }
    const members = this.names.map((id, i) => ({ id, url: this.url(i) }));
    const majority = Math.floor(this.names.length / 2) + 1;
    await writeClusterFile(
      this.configPath,
      buildClusterConfig(
        members,
        { factor: this.names.length, writeQuorum: majority, readQuorum: majority },
        config,
      ),
    );
    for (let i = 0; i < this.names.length; i++) this.spawn(i);
    await Promise.all(this.names.map((_, i) => this.waitReady(i)));
    await this.waitForPeers();
  }

  private spawn(i: number): void {
    const id = this.id(i);
    const dataDir = join(this.dir, id);
    mkdirSync(dataDir, { recursive: true });
    const args = [
      ...NODE_RUNTIME_FLAGS,
      CLI,
      "node",
      "--id",
      id,
      "--listen",
      `${this.podIp(i)}:${this.port}`,
      "--data",
      dataDir,
      "--config",
      this.configPath,
      ...(this.tls ? ["--tls-dir", this.tlsDir] : []),
    ];
    this.procs[i] = this.net.spawnNode(
      args,
      this.nodeEnv ?? (this.token ? { REPLISTORE_TOKEN: this.token } : {}),
      join(this.dir, "logs", `${id}.log`),
    );
  }

  private async waitReady(i: number): Promise<void> {
    await eventually(
      async () => {
        const res = await new StoreClient(this.url(i), undefined, this.caPem).request("GET", "/readyz", {
          timeoutMs: 1_000,
        });
        if (res.status !== 200) throw new Error(`${this.id(i)} /readyz ${res.status}`);
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `${this.id(i)} ready at ${this.url(i)}` },
    );
  }

  async waitForPeers(): Promise<void> {
    await eventually(
      async () => {
        for (let i = 0; i < this.names.length; i++) {
          if (!this.procs[i]) continue;
          const res = await this.client(i).status();
          const members = (res.body.members ?? []) as { id: string; healthy: boolean }[];
          for (const m of members) {
            const j = this.names.indexOf(m.id);
            if (this.procs[j] && !m.healthy) throw new Error(`${this.id(i)} sees ${m.id} unhealthy`);
          }
        }
      },
      { timeoutMs: 20_000, what: "every pod node sees its peers" },
    );
  }

  client(i: number, token: string | null | undefined = this.token): StoreClient {
    return new StoreClient(this.url(i), token ?? undefined, this.caPem);
  }

  async kill(i: number): Promise<void> {
    const child = this.procs[i];
    this.procs[i] = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  async start(i: number): Promise<void> {
    this.spawn(i);
    await this.waitReady(i);
  }

  async stop(): Promise<void> {
    await Promise.all(this.names.map((_, i) => this.kill(i)));
  }
}
