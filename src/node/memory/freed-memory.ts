/**
 * Gives memory the node freed back to the operating system.
 *
 * glibc keeps what was malloc'd and then freed in its arenas, and returns it to the kernel only
 * from the top of the heap. After a burst of large short-lived buffers (a bulk repair's or a
 * restore's batches, big values), the process's RSS therefore stays at the burst's high-water
 * mark although the node no longer uses it. Measured on 3 nodes after 1M keys were bulk-loaded:
 * RssAnon 335 MiB per node with 54 MiB of live JS heap; after a full GC, one `malloc_trim(0)`
 * brought it to 175 MiB, the level of an empty store under load. Node has no binding for
 * mallinfo2 or malloc_trim, so they are called through koffi (FFI with prebuilt binaries).
 */
import { createRequire } from "node:module";

type Koffi = typeof import("koffi");

/** What the trimmer needs from the C library; tests substitute it. */
export interface Libc {
  /** Bytes the allocator holds free (mallinfo2's fordblks, every arena). */
  freeHeldBytes(): number;
  /** malloc_trim(0): returns free pages to the kernel; true when it released any. */
  trim(): boolean;
}

let glibc: { libc: Libc | undefined } | undefined;

/** glibc's, or undefined where there is none (musl, macOS): then there is nothing to trim. */
export function loadGlibc(): Libc | undefined {
  glibc ??= { libc: bind() };
  return glibc.libc;
}

/** Once per process: koffi refuses a second struct type of the same name. */
function bind(): Libc | undefined {
  if (process.platform !== "linux") return undefined;
  let koffi: Koffi;
  let lib: ReturnType<Koffi["load"]>;
  try {
    // Loaded here, not imported: a platform without koffi's prebuilt binary loses the trimming,
    // not the node.
    koffi = createRequire(import.meta.url)("koffi") as Koffi;
    lib = koffi.load("libc.so.6");
  } catch {
    return undefined;
  }
  try {
    const info = koffi.struct("replistore_mallinfo2", {
      arena: "size_t",
      ordblks: "size_t",
      smblks: "size_t",
      hblks: "size_t",
      hblkhd: "size_t",
      usmblks: "size_t",
      fsmblks: "size_t",
      uordblks: "size_t",
      fordblks: "size_t",
      keepcost: "size_t",
    });
    const mallinfo2 = lib.func("mallinfo2", info, []);
    const mallocTrim = lib.func("int malloc_trim(size_t pad)");
    return {
      freeHeldBytes: () => Number((mallinfo2() as { fordblks: number | bigint }).fordblks),
      trim: () => mallocTrim(0) === 1,
    };
  } catch {
    // A C library named libc.so.6 without mallinfo2 (glibc before 2.33).
    return undefined;
  }
}

export interface TrimmerOptions {
  readonly libc: Libc | undefined;
  /** How often the free bytes are looked at. */
  readonly intervalMs: number;
  /** Trim once the allocator holds at least this many free bytes. */
  readonly thresholdBytes: number;
  /** Told after each trim: the free bytes it found, the process's RSS before and after, how long the look and the trim held the event loop. */
  readonly onTrim: (t: {
    freeHeldBytes: number;
    rssBefore: number;
    rssAfter: number;
    pauseMs: number;
  }) => void;
}

/**
 * Under steady bench load a node holds 20–40 MiB free, and a trim there gave back 6–13 MiB for a
 * 2–5 ms pause; after a bulk load of 1M keys it held 70–124 MiB. 64 MiB tells them apart.
 */
export const TRIM_DEFAULTS = { intervalMs: 10_000, thresholdBytes: 64 * 1024 * 1024 } as const;

/**
 * Looks at the allocator's free bytes every interval and trims when they pass the threshold, so
 * a node under steady load (whose freed memory is reused at once) is left alone.
 */
export class FreedMemoryTrimmer {
  private readonly opts: TrimmerOptions;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: TrimmerOptions) {
    this.opts = opts;
  }

  /** Whether this platform can trim at all. */
  get enabled(): boolean {
    return this.opts.libc !== undefined;
  }

  start(): void {
    if (!this.enabled || this.timer) return;
    this.timer = setInterval(() => this.check(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look; trims and returns true when the free bytes held reached the threshold. */
  check(): boolean {
    const { libc } = this.opts;
    if (!libc) return false;
    const began = performance.now();
    const freeHeldBytes = libc.freeHeldBytes();
    if (freeHeldBytes < this.opts.thresholdBytes) return false;
    const rssBefore = process.memoryUsage.rss();
    libc.trim();
    const pauseMs = performance.now() - began;
    this.opts.onTrim({ freeHeldBytes, rssBefore, rssAfter: process.memoryUsage.rss(), pauseMs });
    return true;
  }
}
