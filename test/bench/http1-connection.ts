/**
 * A minimal HTTP/1.1 keep-alive client connection for the load generator: one request at a time,
 * requests written as one preformatted buffer, responses parsed just enough (status line and
 * Content-Length). A general client (undici) spends several times more CPU per request, and on a
 * 2-core machine every cycle the load generator burns is taken from the store it measures.
 */
import { connect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

export interface Http1Response {
  status: number;
  body: Buffer;
}

const HEADER_END = Buffer.from("\r\n\r\n");
const CONTENT_LENGTH = "content-length:";

export class Http1Connection {
  private readonly socket: Socket;
  private readonly host: string;
  private buffered: Buffer = Buffer.alloc(0);
  private pending: { resolve: (r: Http1Response) => void; reject: (e: Error) => void } | undefined;
  private readonly ready: Promise<void>;

  /** `ca`: the CA to trust for an https URL (the store's, as a client given --cacert). */
  constructor(url: string, ca?: string) {
    const u = new URL(url);
    this.host = u.host;
    const tls = u.protocol === "https:";
    this.socket = tls
      ? tlsConnect({ host: u.hostname, port: Number(u.port), ...(ca ? { ca } : {}) }).setNoDelay(true)
      : connect({ host: u.hostname, port: Number(u.port), noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once(tls ? "secureConnect" : "connect", () => resolve());
      this.socket.once("error", reject);
    });
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
    this.socket.on("error", (err) => this.fail(err));
    this.socket.on("close", () => this.fail(new Error("connection closed")));
  }

  async request(method: "GET" | "PUT", path: string, body?: Buffer): Promise<Http1Response> {
    await this.ready;
    if (this.pending) throw new Error("one request at a time per connection");
    const head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}\r\n${body ? `Content-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n` : ""}\r\n`;
    const out = new Promise<Http1Response>((resolve, reject) => {
      this.pending = { resolve, reject };
    });
    this.socket.write(body ? Buffer.concat([Buffer.from(head, "latin1"), body]) : head);
    return out;
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const end = this.buffered.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.buffered.toString("latin1", 0, end).toLowerCase();
    const at = head.indexOf(CONTENT_LENGTH);
    const length = at < 0 ? 0 : Number.parseInt(head.slice(at + CONTENT_LENGTH.length), 10);
    const total = end + HEADER_END.length + length;
    if (this.buffered.length < total) return;
    const status = Number(head.slice(9, 12));
    const body = this.buffered.subarray(end + HEADER_END.length, total);
    this.buffered = this.buffered.subarray(total);
    const p = this.pending;
    this.pending = undefined;
    p?.resolve({ status, body });
  }

  private fail(err: Error): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(err);
  }
}
