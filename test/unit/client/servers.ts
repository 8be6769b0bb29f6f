/** Real HTTP servers for the client's tests, and a URL nothing listens on. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

export class Servers {
  private readonly running: Server[] = [];

  /** A server on a free port of 127.0.0.1 answering with `handler`; its base URL. */
  async serve(handler: Handler): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => handler(req, Buffer.concat(chunks), res));
    });
    this.running.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** A URL nothing listens on: a server's port, after the server has closed (connection refused). */
  async closedUrl(): Promise<string> {
    const url = await this.serve(() => {});
    const server = this.running.pop();
    await new Promise((resolve) => server?.close(resolve));
    return url;
  }

  async closeAll(): Promise<void> {
    const servers = this.running.splice(0);
    // A server that never answers keeps its connection open; close() alone would wait for it.
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
