/**
 * Hashes for the segment trees. Every node must compute identical values, so these are pure
 * functions of their inputs (murmur3-style mixing over UTF-16 code units and number words).
 * The segment hash uses its own seed: ring placement already uses the key's hash, and keys of one
 * owner set come from a few contiguous ring arcs, so reusing it would crowd them into few segments.
 */
import type { Timestamp } from "./version.ts";

/** murmur3's 32-bit finalizer: every input bit affects every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEGMENT_SEED = 0x9747b28c;
const VERSION_SEED = 0x2f0e1eed;

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return mix(h, s.length);
}

/** The leaf segment of a key; `segments` is a power of two. */
export function segmentOf(key: string, segments: number): number {
  return fmix32(mixString(SEGMENT_SEED, key)) & (segments - 1);
}

/** What one (key, version) contributes to its segment: XORed in on write, out on overwrite or purge. */
export function versionHash(key: string, v: Timestamp): number {
  let h = mixString(VERSION_SEED, key);
  h = mix(h, v.wall % 0x100000000);
  h = mix(h, Math.floor(v.wall / 0x100000000));
  h = mix(h, v.logical);
  h = mixString(h, v.node);
  return fmix32(h);
}
