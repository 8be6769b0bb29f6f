import type { Socket } from "node:net";
import { buildConnector } from "undici";
import { CHANNEL_PATH, CHANNEL_UPGRADE, encodeFrame, type Frame, readFrames } from "../../wire/peer-frame.ts";
import type { PeerCredentials } from "../tls/peer-credentials.ts";

/** The peer answered the upgrade with something else than 101: it serves batches over HTTP only. */
export class ChannelRefusedError extends Error {}

/** An idle channel is closed after this long, before the receiver's own idle limit closes it. */
const IDLE_MS = 60_000;
/** The most header bytes an upgrade answer may have. */
const MAX_UPGRADE_ANSWER = 16 * 1024;

const plainConnector = buildConnector({});

interface Pending {
  resolve: (frame: Frame) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One long-lived connection to a peer (TLS when the store has it) carrying batches as frames
 * (src/wire/peer-frame.ts) instead of one HTTP request each. Connected on first use, and again
 * after it closes; a failure fails every batch in flight on it, as a dropped connection would.
 */
export class PeerChannel {
  private readonly target: URL;
  private readonly credentials: PeerCredentials;
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;

  constructor(url: string, credentials: PeerCredentials) {
    this.target = new URL(url);
    this.credentials = credentials;
  }

  /** Sends one encoded batch and resolves with its answer frame (status and payload). */
  async request(body: Uint8Array, timeoutMs: number): Promise<Frame> {
    const socket = this.socket ?? (await this.connect(timeoutMs));
    this.seq = (this.seq + 1) >>> 0;
    const seq = this.seq;
    return new Promise((resolve, reject) => {
      if (this.socket !== socket) {
        reject(new Error("peer channel closed"));
        return;
      }
      const timer = setTimeout(() => {
        // The connection is in an unknown state: drop it and whatever else it carries.
        this.fail(socket, new Error(`no answer from the peer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(seq, { resolve, reject, timer });
      socket.write(encodeFrame(seq, 0, body));
    });
  }

  close(): void {
    const socket = this.socket;
    if (socket) this.fail(socket, new Error("peer channel closed"));
  }

  private connect(timeoutMs: number): Promise<Socket> {
    this.connecting ??= this.open(timeoutMs).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private open(timeoutMs: number): Promise<Socket> {
    const { target, credentials } = this;
    const connector = credentials.connect ?? plainConnector;
    // URL keeps an IPv6 literal's brackets; the connector wants the bare address.
    const hostname = target.hostname.replace(/^\[(.*)\]$/, "$1");
    return new Promise((resolve, reject) => {
      let socket: Socket | undefined;
      let settled = false;
      const done = (err: Error | undefined, ready?: { socket: Socket; rest: Buffer }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err || !ready) {
          socket?.destroy();
          reject(err);
          return;
        }
        this.adopt(ready.socket, ready.rest);
        resolve(ready.socket);
      };
      const timer = setTimeout(
        () => done(new Error(`peer channel not open within ${timeoutMs} ms`)),
        timeoutMs,
      );
      connector(
        {
          hostname,
          host: target.host,
          protocol: target.protocol,
          port: target.port || (target.protocol === "https:" ? "443" : "80"),
        },
        (err, s) => {
          if (settled || err || !s) {
            s?.destroy();
            done(err ?? new Error("no socket"));
            return;
          }
          socket = s;
          upgrade(s, target.host, credentials.headers, done);
        },
      );
    });
  }

  /** The socket is upgraded: answers from now on are frames. */
  private adopt(socket: Socket, rest: Buffer): void {
    this.socket = socket;
    readFrames(
      socket,
      rest,
      (frame) => {
        const p = this.pending.get(frame.seq);
        if (!p) return;
        this.pending.delete(frame.seq);
        clearTimeout(p.timer);
        p.resolve(frame);
      },
      (err) => this.fail(socket, err),
    );
    socket.on("error", (err) => this.fail(socket, err));
    socket.on("close", () => this.fail(socket, new Error("peer closed the channel")));
    socket.setTimeout(IDLE_MS, () => {
      if (this.pending.size === 0) this.fail(socket, new Error("idle"));
    });
  }

  private fail(socket: Socket, err: Error): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    socket.destroy();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }
}

/** Asks for the channel on a fresh connection and waits for the 101 (or the refusal). */
function upgrade(
  socket: Socket,
  host: string,
  headers: Readonly<Record<string, string>>,
  done: (err: Error | undefined, ready?: { socket: Socket; rest: Buffer }) => void,
): void {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      if (head.length > MAX_UPGRADE_ANSWER) finish(new Error("peer's upgrade answer is too long"));
      return;
    }
    const statusLine = head.subarray(0, head.indexOf("\r\n")).toString("latin1");
    const status = Number(statusLine.split(" ")[1]);
    if (status !== 101) {
      const text = head
        .subarray(end + 4)
        .toString("utf8")
        .slice(0, 200);
      finish(new ChannelRefusedError(`HTTP ${status} to the channel upgrade: ${text}`));
      return;
    }
    finish(undefined, head.subarray(end + 4));
  };
  const onEnd = () => finish(new Error("peer closed the connection during the channel upgrade"));
  const onError = (err: Error) => finish(err);
  const finish = (err: Error | undefined, rest?: Buffer) => {
    socket.off("data", onData);
    socket.off("end", onEnd);
    socket.off("error", onError);
    done(err, rest ? { socket, rest } : undefined);
  };
  socket.on("data", onData);
  socket.on("end", onEnd);
  socket.on("error", onError);
  socket.write(
    `GET ${CHANNEL_PATH} HTTP/1.1\r\nhost: ${host}\r\nconnection: Upgrade\r\nupgrade: ${CHANNEL_UPGRADE}\r\n${extra}\r\n`,
  );
}
