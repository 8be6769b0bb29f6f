/**
 * The peer channel's framing (protocol 3). After an HTTP upgrade on CHANNEL_PATH, a peer connection
 * carries frames both ways: the sender's batches (the same msgpack bytes as a POST to BATCH_PATH)
 * and the receiver's answers (the same bytes and status as that POST's response). A frame is
 *
 *   u32 payload length | u32 sequence number | u16 status (0 in a request) | payload
 *
 * so answers may come back in any order and still find their batch, and one TLS connection
 * replaces a request, its headers and its parsing per batch.
 */

export const CHANNEL_PATH = "/internal/v1/channel";
/** The Upgrade token; a new framing would get a new token, not reuse this one. */
export const CHANNEL_UPGRADE = "replistore-peer-channel/1";
/** The first peer protocol that serves CHANNEL_PATH. */
export const CHANNEL_SINCE = 3;
/** The largest payload accepted, as the batch route's body limit. */
export const MAX_FRAME_BYTES = 1024 * 1024 * 1024;

const HEADER_BYTES = 10;

export interface Frame {
  readonly seq: number;
  /** 0 in a request; the HTTP status of the answer otherwise */
  readonly status: number;
  readonly payload: Buffer;
}

/** One frame's bytes, header and payload, for a single write. */
export function encodeFrame(seq: number, status: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.byteLength);
  out.writeUInt32BE(payload.byteLength, 0);
  out.writeUInt32BE(seq >>> 0, 4);
  out.writeUInt16BE(status, 8);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** A frame longer than MAX_FRAME_BYTES: the connection is closed, since nothing after it can be trusted. */
export class FrameTooLargeError extends Error {
  constructor(bytes: number) {
    super(`peer channel frame of ${bytes} bytes is over the limit of ${MAX_FRAME_BYTES}`);
  }
}

/**
 * Reads frames from an upgraded connection: `first` (bytes that came with the upgrade) and then
 * every chunk, each whole frame to `onFrame`; a broken framing goes to `onBroken`, and nothing
 * after it is read.
 */
export function readFrames(
  socket: NodeJS.ReadableStream,
  first: Buffer,
  onFrame: (frame: Frame) => void,
  onBroken: (err: Error) => void,
): void {
  const reader = new FrameReader();
  const onData = (chunk: Buffer) => {
    let frames: Frame[];
    try {
      frames = reader.push(chunk);
    } catch (err) {
      socket.removeListener("data", onData);
      onBroken(err as Error);
      return;
    }
    for (const frame of frames) onFrame(frame);
  };
  socket.on("data", onData);
  if (first.length > 0) onData(first);
}

/**
 * Cuts a byte stream into frames. Chunks are kept as they come and joined once a frame is whole,
 * so a large frame arriving in many chunks is copied once, not once per chunk.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** the whole frame's length (header included) once its header has been read; 0 before */
  private needed = 0;

  /** Adds a chunk and returns the frames it completed; throws FrameTooLargeError. */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.needed === 0) {
        if (this.buffered < HEADER_BYTES) break;
        const length = this.peekLength();
        if (length > MAX_FRAME_BYTES) throw new FrameTooLargeError(length);
        this.needed = HEADER_BYTES + length;
      }
      if (this.buffered < this.needed) break;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      frames.push({
        seq: all.readUInt32BE(4),
        status: all.readUInt16BE(8),
        payload: all.subarray(HEADER_BYTES, this.needed),
      });
      const rest = all.subarray(this.needed);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.needed = 0;
    }
    return frames;
  }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readUInt32BE(0);
    return Buffer.concat(this.chunks, this.buffered).readUInt32BE(0);
  }
}
