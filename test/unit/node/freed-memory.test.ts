/**
 * The freed-memory trimmer: it trims only once the allocator holds enough free bytes, does nothing
 * where there is no glibc, and, against the real glibc of this process, a fragmented heap's free
 * pages go back to the kernel (RssAnon falls).
 */
import koffi from "koffi";
import { describe, expect, it } from "vitest";
import { FreedMemoryTrimmer, type Libc, loadGlibc } from "../../../src/node/memory/freed-memory.ts";
import { memoryOf } from "../../bench/proc-stats.ts";

const MiB = 1024 * 1024;

function fakeLibc(freeHeld: number): Libc & { trims: number } {
  const libc = {
    trims: 0,
    freeHeldBytes: () => freeHeld,
    trim: () => {
      libc.trims++;
      return true;
    },
  };
  return libc;
}

const rssAnonBytes = (): number => memoryOf(process.pid)?.rssAnonBytes ?? 0;

describe("FreedMemoryTrimmer", () => {
  it("leaves the allocator alone below the threshold and trims at it", () => {
    const seen: number[] = [];
    const below = fakeLibc(32 * MiB - 1);
    const idle = new FreedMemoryTrimmer({
      libc: below,
      intervalMs: 1000,
      thresholdBytes: 32 * MiB,
      onTrim: (t) => seen.push(t.freeHeldBytes),
    });
    expect(idle.check()).toBe(false);
    expect(below.trims).toBe(0);

    const at = fakeLibc(32 * MiB);
    const busy = new FreedMemoryTrimmer({
      libc: at,
      intervalMs: 1000,
      thresholdBytes: 32 * MiB,
      onTrim: (t) => {
        seen.push(t.freeHeldBytes);
        expect(t.rssBefore).toBeGreaterThan(0);
        expect(t.rssAfter).toBeGreaterThan(0);
      },
    });
    expect(busy.check()).toBe(true);
    expect(at.trims).toBe(1);
    expect(seen).toEqual([32 * MiB]);
  });

  it("does nothing without a C library to ask", () => {
    const t = new FreedMemoryTrimmer({
      libc: undefined,
      intervalMs: 1000,
      thresholdBytes: 1,
      onTrim: () => {
        throw new Error("must not trim");
      },
    });
    expect(t.enabled).toBe(false);
    t.start();
    expect(t.check()).toBe(false);
    t.stop();
  });

  it.runIf(process.platform === "linux")(
    "gives a fragmented heap's free pages back to the kernel (glibc)",
    () => {
      const libc = loadGlibc();
      expect(libc, "this machine's libc.so.6 is glibc with mallinfo2").toBeDefined();
      const c = koffi.load("libc.so.6");
      const malloc = c.func("void *malloc(size_t size)");
      const free = c.func("void free(void *ptr)");
      // 96 MiB in 1 KiB blocks; every 64th stays allocated, so the freed runs sit between live
      // blocks and glibc cannot hand them back from the top of the heap by itself.
      const blocks = Array.from({ length: 96 * 1024 }, () => malloc(1024));
      const kept = blocks.filter((_, i) => i % 64 === 63);
      blocks.forEach((b, i) => {
        if (i % 64 !== 63) free(b);
      });
      const trims: number[] = [];
      const trimmer = new FreedMemoryTrimmer({
        libc,
        intervalMs: 1000,
        thresholdBytes: 32 * MiB,
        onTrim: (t) => trims.push(t.freeHeldBytes),
      });
      const before = rssAnonBytes();
      expect(trimmer.check()).toBe(true);
      const after = rssAnonBytes();
      for (const b of kept) free(b);
      expect(trims[0]).toBeGreaterThanOrEqual(90 * MiB);
      expect(before - after).toBeGreaterThan(64 * MiB);
    },
  );
});
