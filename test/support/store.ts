import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterConfig } from "../../src/config/cluster-config.ts";
import { StoreClient } from "./client.ts";
import { buildClusterConfig, type DeepPartial, writeClusterFile } from "./cluster-file.ts";
import { eventually } from "./eventually.ts";
import { type ExitInfo, NodeProcess } from "./node-process.ts";
import { freePort } from "./ports.ts";
import { TcpProxy } from "./proxy.ts";
import { type StoreTls, writeStoreTls } from "./tls.ts";

export interface StoreOptions {
  nodes: number;
  /** N; default: every node */
  factor?: number;
  /** W; default: majority of N */
  writeQuorum?: number;
  /** R; default: majority of N */
  readQuorum?: number;
  /** anything else in cluster.json */
  config?: DeepPartial<ClusterConfig>;
  /** shared bearer token (REPLISTORE_TOKEN) */
  token?: string;
  /** the token `client()` sends by default, when it is not `token` (a store with role tokens in nodeEnv) */
  clientToken?: string;
  /** extra environment for node i (e.g. REPLISTORE_CLOCK_SKEW_MS) */
  nodeEnv?: (index: number) => Record<string, string>;
  /** put a TCP proxy in front of every node (default true); member URLs then name the proxy */
  proxy?: boolean;
  /** after readiness, wait until every node sees every member healthy (default true) */
  waitForPeers?: boolean;
  readyTimeoutMs?: number;
  /** serve HTTPS with a CA and certificate made for this store; peers authenticate by certificate */
  tls?: boolean;
  /** a listener of its own for the peer routes on each node */
  peerPort?: boolean;
  /** the peer secret (TLS off) */
  peerSecret?: string;
}

interface Slot {
  node: NodeProcess;
  proxy: TcpProxy | undefined;
  memberUrl: string;
  /** the peer listener, through its own proxy, when the store has one */
  peerPort: number | undefined;
  peerProxy: TcpProxy | undefined;
  peerUrl: string | undefined;
}

/** Stores not yet cleaned up: the failure hook prints their logs. */
export const liveStores = new Set<Store>();

/** Set by the vitest setup file: is the test running now (or that just ran) a failure? */
export const storeHooks: { currentTestFailed?: () => boolean } = {};

/** A real N-node store: node processes on loopback, each behind a cuttable TCP proxy. */
export class Store {
  readonly dir: string;
  readonly configPath: string;
  readonly token: string | undefined;
  config: ClusterConfig;
  /** the store's CA and certificate directory, with options.tls */
  tls: StoreTls | undefined;
  private readonly slots: Slot[] = [];
  private readonly options: StoreOptions;

  private constructor(dir: string, options: StoreOptions, config: ClusterConfig) {
    this.dir = dir;
    this.configPath = join(dir, "cluster.json");
    this.token = options.clientToken ?? options.token;
    this.options = options;
    this.config = config;
  }

  static async start(options: StoreOptions): Promise<Store> {
    const dir = await mkdtemp(join(tmpdir(), "replistore-test-"));
    await mkdir(join(dir, "logs"));
    const n = options.factor ?? options.nodes;
    const majority = Math.floor(n / 2) + 1;
    const placeholder = buildClusterConfig([{ id: "x", url: "http://x" }], {
      factor: n,
      writeQuorum: options.writeQuorum ?? majority,
      readQuorum: options.readQuorum ?? majority,
    });
    const store = new Store(dir, options, placeholder);
    liveStores.add(store);
    try {
      if (options.tls) store.tls = await writeStoreTls(join(dir, "tls"));
      for (let i = 0; i < options.nodes; i++) await store.addSlot(i);
      store.config = buildClusterConfig(
        store.slots.map((slot) => ({
          id: slot.node.spec.id,
          url: slot.memberUrl,
          ...(slot.peerUrl ? { peerUrl: slot.peerUrl } : {}),
        })),
        {
          factor: n,
          writeQuorum: options.writeQuorum ?? majority,
          readQuorum: options.readQuorum ?? majority,
        },
        options.config,
      );
      await writeClusterFile(store.configPath, store.config);
      for (const slot of store.slots) slot.node.spawn();
      await Promise.all(store.slots.map((slot) => slot.node.waitReady(options.readyTimeoutMs)));
      if (options.waitForPeers ?? true) await store.waitForPeers();
    } catch (error) {
      await store.cleanup({ keepData: true });
      if (error instanceof Error)
        error.message += `\n(store data and logs kept in ${dir})\n${store.dumpLogs()}`;
      throw error;
    }
    return store;
  }

  private async addSlot(index: number): Promise<Slot> {
    const id = `node-${index}`;
    const port = await freePort();
    const dataDir = join(this.dir, id);
    await mkdir(dataDir, { recursive: true });
    const env: Record<string, string> = { ...this.options.nodeEnv?.(index) };
    if (this.options.token) env.REPLISTORE_TOKEN = this.options.token;
    if (this.tls) env.REPLISTORE_TLS_DIR = this.tls.dir;
    if (this.options.peerSecret) env.REPLISTORE_PEER_SECRET = this.options.peerSecret;
    const peerPort = this.options.peerPort ? await freePort() : undefined;
    if (peerPort !== undefined) env.REPLISTORE_PEER_LISTEN = `127.0.0.1:${peerPort}`;
    const scheme = this.tls ? "https" : "http";
    const node = new NodeProcess({
      ...(this.tls ? { ca: this.tls.caPem } : {}),
      id,
      port,
      dataDir,
      configPath: this.configPath,
      logPath: join(this.dir, "logs", `${id}.log`),
      env,
    });
    let proxy: TcpProxy | undefined;
    let memberUrl = node.url;
    let peerProxy: TcpProxy | undefined;
    let peerUrl = peerPort === undefined ? undefined : `${scheme}://127.0.0.1:${peerPort}`;
    if (this.options.proxy ?? true) {
      proxy = new TcpProxy(await freePort(), port);
      await proxy.start();
      memberUrl = `${scheme}://127.0.0.1:${proxy.listenPort}`;
      if (peerPort !== undefined) {
        peerProxy = new TcpProxy(await freePort(), peerPort);
        await peerProxy.start();
        peerUrl = `${scheme}://127.0.0.1:${peerProxy.listenPort}`;
      }
    }
    const slot = { node, proxy, memberUrl, peerPort, peerProxy, peerUrl };
    this.slots[index] = slot;
    return slot;
  }

  private slot(index: number): Slot {
    const slot = this.slots[index];
    if (!slot) throw new Error(`no node ${index} (store has ${this.slots.length})`);
    return slot;
  }

  get size(): number {
    return this.slots.length;
  }

  get ids(): string[] {
    return this.slots.map((slot) => slot.node.spec.id);
  }

  /** direct URLs (client → node, never cut by `partition`) */
  get urls(): string[] {
    return this.slots.map((slot) => slot.node.url);
  }

  /** where each node serves the peer routes: its peer listener when it has one, else its direct URL */
  get peerRouteUrls(): string[] {
    return this.slots.map((slot) =>
      slot.peerPort === undefined ? slot.node.url : slot.node.url.replace(/:\d+$/, `:${slot.peerPort}`),
    );
  }

  /** the URLs in cluster.json (through the proxies) */
  get memberUrls(): string[] {
    return this.slots.map((slot) => slot.memberUrl);
  }

  id(index: number): string {
    return this.slot(index).node.spec.id;
  }

  node(index: number): NodeProcess {
    return this.slot(index).node;
  }

  /** A client of node `index` (direct) sending the store's token, or `token` (null: none). */
  client(index: number, token?: string | null): StoreClient {
    return new StoreClient(
      this.slot(index).node.url,
      token === undefined ? this.token : (token ?? undefined),
      this.tls?.caPem,
    );
  }

  /** Signal node i (default SIGKILL: a crash) and wait until it has exited. */
  kill(index: number, signal: NodeJS.Signals = "SIGKILL"): Promise<ExitInfo> {
    return this.slot(index).node.kill(signal);
  }

  /** SIGTERM node i and return how it exited. */
  stop(index: number): Promise<ExitInfo> {
    return this.slot(index).node.stop();
  }

  /** (Re)start node i with the same id, port and data dir, and wait for /readyz. */
  async start(index: number): Promise<void> {
    const node = this.slot(index).node;
    node.spawn();
    await node.waitReady(this.options.readyTimeoutMs);
  }

  suspend(index: number): void {
    this.slot(index).node.suspend();
  }

  resume(index: number): void {
    this.slot(index).node.resume();
  }

  /** Cut every connection into node i (through its proxy) and refuse new ones. */
  partition(index: number): void {
    const proxy = this.slot(index).proxy;
    if (!proxy) throw new Error("store started with proxy: false");
    proxy.partition();
    this.slot(index).peerProxy?.partition();
  }

  heal(index: number): void {
    this.slot(index).proxy?.heal();
    this.slot(index).peerProxy?.heal();
  }

  /** Rewrite cluster.json atomically with `change` applied and the generation bumped. */
  async updateConfig(change: (config: ClusterConfig) => void): Promise<ClusterConfig> {
    const next: ClusterConfig = structuredClone(this.config);
    change(next);
    next.generation = this.config.generation + 1;
    await writeClusterFile(this.configPath, next);
    this.config = next;
    return next;
  }

  /** Add a member: allocate it, write it into cluster.json (new generation), start it. Returns its index. */
  async addNode(): Promise<number> {
    const index = this.slots.length;
    const slot = await this.addSlot(index);
    await this.updateConfig((config) => {
      config.members.push({ id: slot.node.spec.id, url: slot.memberUrl });
    });
    await this.start(index);
    return index;
  }

  /** Wait until every running node reports every running member healthy in /v1/status. */
  async waitForPeers(timeoutMs = 20_000): Promise<void> {
    const running = this.slots
      .map((slot, i) => (slot.node.running && !slot.node.suspended ? i : -1))
      .filter((i) => i >= 0);
    const runningIds = new Set(running.map((i) => this.id(i)));
    await eventually(
      async () => {
        for (const i of running) {
          const reply = await this.client(i).status();
          if (reply.status !== 200)
            throw new Error(`${this.id(i)} /v1/status: ${reply.status} ${reply.text}`);
          const members = reply.body.members;
          if (!Array.isArray(members))
            throw new Error(`${this.id(i)} /v1/status has no members: ${reply.text}`);
          for (const member of members as { id?: string; healthy?: boolean }[]) {
            if (member.id && runningIds.has(member.id) && member.healthy !== true) {
              throw new Error(`${this.id(i)} sees ${member.id} unhealthy: ${reply.text}`);
            }
          }
        }
      },
      { timeoutMs, what: "every node sees its peers healthy" },
    );
  }

  dumpLogs(lines = 40): string {
    return this.slots.map((slot) => slot.node.logTail(lines)).join("\n");
  }

  /**
   * Kill every node (SIGKILL), close proxies, remove the data directory. When the current test
   * failed, print the nodes' logs first and keep the directory.
   */
  async cleanup(options: { keepData?: boolean } = {}): Promise<void> {
    if (!liveStores.delete(this)) return;
    let keepData = options.keepData ?? false;
    if (storeHooks.currentTestFailed?.()) {
      keepData = true;
      console.error(`\n##### node logs of ${this.dir} (kept)\n${this.dumpLogs(60)}`);
    }
    // Each step is timed: a CI run once spent 90 s here, and the log should say where.
    const timed = async (what: string, step: () => Promise<unknown>) => {
      const started = Date.now();
      await step();
      const ms = Date.now() - started;
      if (ms > 10_000) console.error(`store cleanup of ${this.dir}: ${what} took ${ms} ms`);
    };
    await timed("killing the nodes", () =>
      Promise.all(
        this.slots.map((slot) =>
          slot.node.kill("SIGKILL").catch((err: unknown) => console.error(String(err))),
        ),
      ),
    );
    await timed("closing the proxies", () =>
      Promise.all(this.slots.flatMap((slot) => [slot.proxy?.close(), slot.peerProxy?.close()])),
    );
    if (!keepData && process.env.REPLISTORE_KEEP_TEST_DATA !== "1") {
      await timed("removing the data", () => rm(this.dir, { recursive: true, force: true }));
    }
  }
}

export function startStore(options: StoreOptions): Promise<Store> {
  return Store.start(options);
}
