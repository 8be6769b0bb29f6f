/**
 * The peer channel's framing: frames survive any cut of the byte stream (a header split over
 * chunks, many frames in one chunk), and a length over the limit is refused before anything is
 * buffered for it.
 */
import { describe, expect, it } from "vitest";
import {
  encodeFrame,
  FrameReader,
  FrameTooLargeError,
  MAX_FRAME_BYTES,
} from "../../../src/wire/peer-frame.ts";

const frames = [
  encodeFrame(1, 0, Buffer.from("first")),
  encodeFrame(2, 200, Buffer.alloc(0)),
  encodeFrame(0xffffffff, 409, Buffer.alloc(70_000, 7)),
];
const bytes = Buffer.concat(frames);

function readAll(chunkSizes: (i: number) => number) {
  const reader = new FrameReader();
  const out = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const end = Math.min(bytes.length, at + chunkSizes(i));
    out.push(...reader.push(bytes.subarray(at, end)));
    at = end;
  }
  return out.map((f) => ({ seq: f.seq, status: f.status, payload: Buffer.from(f.payload) }));
}

const expected = [
  { seq: 1, status: 0, payload: Buffer.from("first") },
  { seq: 2, status: 200, payload: Buffer.alloc(0) },
  { seq: 0xffffffff, status: 409, payload: Buffer.alloc(70_000, 7) },
];

describe("FrameReader", () => {
  it("reads every frame of one chunk", () => {
    expect(readAll(() => bytes.length)).toEqual(expected);
  });

  it("reads frames cut into one-byte chunks (headers split too)", () => {
    expect(readAll(() => 1)).toEqual(expected);
  });

  it("reads frames cut at uneven places", () => {
    expect(readAll((i) => [3, 11, 7, 4096, 13][i % 5]!)).toEqual(expected);
  });

  it("refuses a length over the limit from the header alone", () => {
    const header = Buffer.alloc(10);
    header.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
    const reader = new FrameReader();
    expect(() => reader.push(header)).toThrow(FrameTooLargeError);
    expect(() => new FrameReader().push(header)).toThrow(/over the limit of 1073741824/);
  });

  it("waits for a frame's last byte before returning it", () => {
    const reader = new FrameReader();
    const one = frames[0]!;
    expect(reader.push(one.subarray(0, one.length - 1))).toEqual([]);
    expect(reader.push(one.subarray(one.length - 1))).toHaveLength(1);
  });
});
