import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A loopback TCP proxy in front of one node. Peers reach the node through it (the member URL in
 * cluster.json names the proxy's port), so a test can cut real connections: `partition()` destroys
 * every open socket pair with a TCP reset and resets new connections until `heal()`.
 * It cuts traffic INTO the node (peers -> node); the node's own outgoing calls go through the other
 * nodes' proxies.
 */
export class TcpProxy {
  readonly listenPort: number;
  readonly targetPort: number;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private cut = false;

  constructor(listenPort: number, targetPort: number) {
    this.listenPort = listenPort;
    this.targetPort = targetPort;
  }

  get partitioned(): boolean {
    return this.cut;
  }

  /** number of client connections currently open through the proxy */
  get openConnections(): number {
    return Math.ceil(this.sockets.size / 2);
  }

  async start(): Promise<void> {
    const server = createServer({ noDelay: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.listenPort, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
  }

  private accept(client: Socket): void {
    if (this.cut) {
      client.on("error", () => {});
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: "127.0.0.1", port: this.targetPort, noDelay: true });
    // Each socket leaves the set when it itself closes, not when its partner does: a half-closed
    // client left out of the set would keep close() waiting forever.
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    }
    // An error or reset on one side resets the other, as a real broken path would.
    client.on("error", () => upstream.resetAndDestroy());
    upstream.on("error", () => client.resetAndDestroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Reset every open connection and refuse (reset) new ones. */
  partition(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  heal(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.partition();
    const server = this.server;
    this.server = undefined;
    // close() stops listening at once and calls back when the last connection is gone; every
    // connection was just reset, so waiting longer than a few seconds would only hide a leak.
    if (server) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
