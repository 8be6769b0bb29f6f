import { pack, unpack } from "msgpackr";
import { Pool } from "undici";
import { checker } from "../../wire/decode.ts";
import { BatchResponse as BatchResponseSchema } from "../../wire/peer-batch.ts";
import { CHANNEL_SINCE } from "../../wire/peer-frame.ts";
import { PingAnswer } from "../../wire/ping.ts";
import type { HybridClock } from "../clock/hlc.ts";
import { checkPeerClock } from "../clock/offset-guard.ts";
import { tupleBytes } from "../replication/multileader/update.ts";
import type { PeerCredentials } from "../tls/peer-credentials.ts";
import { ClockOffsetError, PeerUnavailableError } from "./errors.ts";
import { ChannelRefusedError, PeerChannel } from "./peer-channel.ts";
import { PeerHealth } from "./peer-health.ts";
import {
  BATCH_PATH,
  type BatchRequest,
  type BatchResponse,
  FIRST_PEER_PROTOCOL,
  isOpRefusal,
  MSGPACK,
  OP_ML_PUSH,
  OP_PUT,
  type PeerOp,
  type PeerResult,
  PING_PATH,
} from "./protocol.ts";

/** The answer's envelope, checked before any of it is trusted; each caller reads its own op's result. */
const responseShape = checker(BatchResponseSchema);
const pingShape = checker(PingAnswer);

export interface PeerContext {
  readonly selfId: string;
  readonly clock: HybridClock;
  /** how we prove to peers that we are one (mutual TLS or the peer secret) */
  readonly credentials: PeerCredentials;
  maxOffsetMs(): number;
  timeoutMs(): number;
  onOffset(peer: string, offsetMs: number): void;
  /**
   * A clock refusal: `byPeer` when the peer refused us, otherwise we refused the peer's answer.
   * `record` is the peer's sentence when it refused one record of a batch rather than our clock.
   */
  onRefused(peer: string, offsetMs: number, byPeer: boolean, record?: string): void;
  onHealthChange(peer: string, up: boolean): void;
}

interface Queued {
  op: PeerOp;
  resolve: (r: PeerResult) => void;
  reject: (e: Error) => void;
}

/** Most ops and bytes in one request; keeps a single batch's latency and memory bounded under bursts. */
const MAX_BATCH = 1024;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** Requests in flight per peer; ops queue behind them and leave together in the next batch. */
const MAX_INFLIGHT = 2;
const PROBE_INTERVAL_MS = 250;
const HEARTBEAT_MS = 1000;

/**
 * Talks to one peer over keep-alive connections. Ops issued in the same event-loop turn, and
 * ops issued while earlier batches are in flight, go out together as one request: under load a
 * burst of writes costs a handful of requests, not one each.
 */
export class PeerClient {
  readonly id: string;
  readonly url: string;
  readonly health: PeerHealth;
  private readonly ctx: PeerContext;
  private readonly pool: Pool;
  private queue: Queued[] = [];
  private inflight = 0;
  private scheduled = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly idle = new Set<() => void>();
  private peerProtocol = FIRST_PEER_PROTOCOL;
  private readonly channel: PeerChannel;
  private channelRefused = false;

  constructor(id: string, url: string, ctx: PeerContext) {
    this.id = id;
    this.url = url;
    this.ctx = ctx;
    this.pool = new Pool(url, {
      connections: MAX_INFLIGHT + 1,
      keepAliveTimeout: 30_000,
      pipelining: 1,
      ...(ctx.credentials.connect ? { connect: ctx.credentials.connect } : {}),
    });
    this.channel = new PeerChannel(url, ctx.credentials);
    this.health = new PeerHealth(() => ctx.onHealthChange(id, true));
  }

  /**
   * The peer protocol this peer said it speaks in its last answer (FIRST_PEER_PROTOCOL until it
   * says, and again once it is marked down: it may come back as another build).
   */
  get protocol(): number {
    return this.peerProtocol;
  }

  send(op: PeerOp): Promise<PeerResult> {
    if (this.closed) return Promise.reject(new PeerUnavailableError(this.id, "node is shutting down"));
    if (!this.health.up) return Promise.reject(new PeerUnavailableError(this.id, "marked down"));
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when nothing is queued or in flight; used by graceful shutdown. */
  drained(): Promise<void> {
    if (this.inflight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probeTimer);
    await this.drained();
    this.channel.close();
    await this.pool.close();
  }

  private schedule(): void {
    if (this.scheduled || this.inflight >= MAX_INFLIGHT) return;
    this.scheduled = true;
    // setImmediate runs after the poll phase, so every request parsed in this turn joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inflight < MAX_INFLIGHT && this.queue.length > 0) {
      const take = batchLength(this.queue);
      const batch = take === this.queue.length ? this.queue : this.queue.slice(0, take);
      this.queue = take === this.queue.length ? [] : this.queue.slice(take);
      this.inflight++;
      void this.exchange(batch).finally(() => {
        this.inflight--;
        if (this.queue.length > 0) this.schedule();
        else if (this.inflight === 0) this.notifyIdle();
      });
    }
  }

  private notifyIdle(): void {
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  private async exchange(batch: Queued[]): Promise<void> {
    const now = this.ctx.clock.now();
    const req: BatchRequest = {
      from: this.ctx.selfId,
      clock: [now.wall, now.logical],
      ops: batch.map((q) => q.op),
    };
    let res: BatchResponse;
    try {
      res = await this.post(pack(req));
    } catch (err) {
      this.markDown();
      const e = new PeerUnavailableError(this.id, err instanceof Error ? err.message : String(err));
      for (const q of batch) q.reject(e);
      return;
    }
    this.peerProtocol = res.protocol ?? FIRST_PEER_PROTOCOL;
    this.health.markUp(Date.now());
    const verdict = checkPeerClock(this.ctx.clock, res.clock[0], this.ctx.maxOffsetMs());
    this.ctx.onOffset(this.id, verdict.offsetMs);
    if (res.refused === "clock_offset" || !verdict.ok) {
      const byPeer = res.refused === "clock_offset";
      const offsetMs = byPeer ? -(res.offsetMs ?? 0) : verdict.offsetMs;
      this.ctx.onRefused(this.id, offsetMs, byPeer);
      const e = new ClockOffsetError(
        this.id,
        offsetMs,
        byPeer
          ? `peer ${this.id} refused our clock: we are ${res.offsetMs} ms ahead of it`
          : `refused answer from ${this.id}: its clock is ${verdict.offsetMs} ms ahead of ours`,
      );
      for (const q of batch) q.reject(e);
      return;
    }
    this.ctx.clock.observe(res.clock[0], res.clock[1]);
    const results = res.results ?? [];
    batch.forEach((q, i) => {
      const r = results[i] ?? null;
      if (!isOpRefusal(r)) {
        q.resolve(r);
        return;
      }
      // The peer took the batch but not this op's record: a failure of this op alone, never an ack.
      this.ctx.onRefused(this.id, -r.offsetMs, true, r.message);
      q.reject(new ClockOffsetError(this.id, -r.offsetMs, `peer ${this.id} refused: ${r.message}`));
    });
  }

  private async post(body: Uint8Array): Promise<BatchResponse> {
    const timeout = this.ctx.timeoutMs();
    const { status, payload } = await this.carry(body, timeout);
    if (status !== 200 && status !== 409) {
      throw new Error(`HTTP ${status}: ${payload.toString("utf8").slice(0, 200)}`);
    }
    const answer: unknown = unpack(payload);
    if (!responseShape.check(answer)) {
      throw new Error(`malformed batch response: ${responseShape.explain(answer)}`);
    }
    return answer as BatchResponse;
  }

  /**
   * Over the peer's channel when it speaks protocol 3 (one connection, batches as frames), else as
   * a POST. A peer that refuses the channel upgrade gets POSTs until it is next marked down.
   */
  private async carry(body: Uint8Array, timeout: number): Promise<{ status: number; payload: Buffer }> {
    if (this.peerProtocol >= CHANNEL_SINCE && !this.channelRefused) {
      try {
        return await this.channel.request(body, timeout);
      } catch (err) {
        if (!(err instanceof ChannelRefusedError)) throw err;
        this.channelRefused = true;
      }
    }
    const res = await this.pool.request({
      path: BATCH_PATH,
      method: "POST",
      body,
      headers: { ...this.ctx.credentials.headers, "content-type": MSGPACK },
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    return { status: res.statusCode, payload: Buffer.from(await res.body.arrayBuffer()) };
  }

  private markDown(): void {
    const wasUp = this.health.up;
    this.peerProtocol = FIRST_PEER_PROTOCOL;
    this.channelRefused = false;
    this.channel.close();
    this.health.markDown(Date.now());
    if (wasUp) this.ctx.onHealthChange(this.id, false);
  }

  /**
   * Heartbeat: a quiet store still notices a dead peer (and measures clock offset) within a
   * second; a peer marked down is probed faster so its hints flow soon after it returns.
   */
  startHeartbeat(): void {
    if (this.closed) return;
    this.probeTimer = setTimeout(
      () => void this.heartbeat(),
      this.health.up ? HEARTBEAT_MS : PROBE_INTERVAL_MS,
    );
    this.probeTimer.unref();
  }

  private async heartbeat(): Promise<void> {
    const timeout = Math.min(1000, this.ctx.timeoutMs());
    try {
      const res = await this.pool.request({
        path: PING_PATH,
        method: "GET",
        headers: this.ctx.credentials.headers,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      const body: unknown = await res.body.json();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      if (!pingShape.check(body)) throw new Error(`malformed ping answer: ${pingShape.explain(body)}`);
      this.ctx.onOffset(this.id, body.clock[0] - this.ctx.clock.physicalNow());
      this.peerProtocol = body.protocol ?? FIRST_PEER_PROTOCOL;
      this.health.markUp(Date.now());
    } catch {
      if (!this.closed) this.markDown();
    }
    this.startHeartbeat();
  }
}

/** How many queued ops fit one request: at least one, so a single large value still goes. */
function batchLength(queue: readonly Queued[]): number {
  let bytes = 0;
  const max = Math.min(queue.length, MAX_BATCH);
  for (let i = 0; i < max; i++) {
    const op = queue[i]!.op;
    bytes += opBytes(op);
    if (bytes > MAX_BATCH_BYTES && i > 0) return i;
  }
  return max;
}

function opBytes(op: PeerOp): number {
  if (op[0] === OP_PUT) return op[1].length + (op[2][3]?.byteLength ?? 0);
  if (op[0] === OP_ML_PUSH) return op[2].reduce((n, t) => n + tupleBytes(t), 0);
  return op[1].length;
}
