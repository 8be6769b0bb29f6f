import { type IncomingMessage, type Server, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { CHANNEL_PATH, CHANNEL_UPGRADE, encodeFrame, type Frame, readFrames } from "../../wire/peer-frame.ts";
import { type BatchParts, refusal, serveBatch } from "./batch-serving.ts";
import type { ApiError } from "./errors.ts";
import type { PeerCheck } from "./peer-auth.ts";

/** A channel with no frame for this long is closed (senders close theirs after 60 s idle). */
const IDLE_MS = 120_000;
/** How long a graceful close waits for a sender to hang up after its last answer. */
const CLOSE_GRACE_MS = 2_000;

/** Node 24's hook deciding which upgrade requests reach "upgrade" (the others are plain requests). */
interface UpgradingServer {
  shouldUpgradeCallback: (req: IncomingMessage) => boolean;
}

/** What a node serves channels with: its batch parts and its log, for what it did not expect. */
export type ChannelParts = BatchParts & { readonly log: Logger };

/**
 * Serves peer channels (src/wire/peer-frame.ts): an upgrade of CHANNEL_PATH that passes the same
 * peer check as the peer routes becomes a connection carrying batch frames, each answered exactly
 * as a POST to the batch route would be. Any other upgrade is left to the routes, which answer it
 * as a plain request.
 */
export class PeerChannels {
  private readonly node: ChannelParts;
  private readonly check: PeerCheck;
  private readonly open = new Map<Socket, { inflight: number }>();
  private closing = false;

  constructor(node: ChannelParts, check: PeerCheck) {
    this.node = node;
    this.check = check;
  }

  /** Takes the channel upgrades of `server` (the client port, or the peer port). */
  attach(server: Server): void {
    (server as Server & Partial<UpgradingServer>).shouldUpgradeCallback = (req) =>
      req.url === CHANNEL_PATH && req.headers.upgrade?.toLowerCase() === CHANNEL_UPGRADE;
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.accept(req, socket as Socket, head),
    );
  }

  /** Stops taking channels; each open one closes once its batches in flight are answered. */
  close(): Promise<void> {
    this.closing = true;
    const all = [...this.open.keys()].map(
      (socket) =>
        new Promise<void>((resolve) => {
          socket.once("close", () => resolve());
          if (this.open.get(socket)?.inflight === 0) socket.end();
          setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
        }),
    );
    return Promise.all(all).then(() => undefined);
  }

  private accept(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const refused = this.check(CHANNEL_PATH, socket, req.headers);
    if (refused) {
      answerPlain(socket, refused.status, refused.body);
      return;
    }
    if (this.closing || !this.node.ready) {
      answerPlain(socket, 503, { error: "not_ready", message: "node is starting or shutting down" });
      return;
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: ${CHANNEL_UPGRADE}\r\n\r\n`,
    );
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    const state = { inflight: 0 };
    this.open.set(socket, state);
    this.node.metrics.peerChannels.set(this.open.size);
    socket.on("close", () => {
      this.open.delete(socket);
      this.node.metrics.peerChannels.set(this.open.size);
    });
    socket.on("error", () => socket.destroy());
    readFrames(
      socket,
      head,
      (frame) => this.serve(socket, state, frame),
      (err) => {
        this.node.log.warn({ err }, "closed a peer channel that broke its framing");
        socket.destroy();
      },
    );
  }

  private serve(socket: Socket, state: { inflight: number }, frame: Frame): void {
    state.inflight++;
    serveBatch(this.node, frame.payload)
      .catch((err: unknown) => {
        this.node.log.error({ err, path: CHANNEL_PATH }, "request failed");
        return refusal(500, { error: "internal", message: "internal error on this node; see its log" });
      })
      .then((answer) => {
        state.inflight--;
        if (!socket.destroyed) socket.write(encodeFrame(frame.seq, answer.status, answer.body));
        if (this.closing && state.inflight === 0) socket.end();
      });
  }
}

/**
 * Hands the channel upgrades of `from` (the peer port's server) to whatever took those of `to`
 * (the client port's, through PeerChannels.attach): one decision, one place that serves them.
 */
export function forwardUpgrades(from: Server, to: Server): void {
  (from as Server & Partial<UpgradingServer>).shouldUpgradeCallback = (req) =>
    (to as Server & Partial<UpgradingServer>).shouldUpgradeCallback?.(req) ?? false;
  from.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    to.emit("upgrade", req, socket, head),
  );
}

/** An HTTP answer on a socket that asked to upgrade, then hang up: the channel was not granted. */
function answerPlain(socket: Socket, status: number, body: ApiError): void {
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`,
  );
}
