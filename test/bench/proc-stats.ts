import { readFileSync } from "node:fs";

export interface MemoryStats {
  peakRssBytes: number;
  rssBytes: number;
  /** the heap and other private memory */
  rssAnonBytes: number;
  /** mapped files in memory: for LMDB, its pages in the page cache, which the kernel can drop */
  rssFileBytes: number;
}

/** Peak and current resident memory of a process, from /proc (Linux). */
export function memoryOf(pid: number): MemoryStats | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return {
      peakRssBytes: kb("VmHWM"),
      rssBytes: kb("VmRSS"),
      rssAnonBytes: kb("RssAnon"),
      rssFileBytes: kb("RssFile"),
    };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used, in seconds. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // fields after the ")" that ends the command name; utime and stime are fields 14 and 15
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100;
  } catch {
    return undefined;
  }
}

/** The machine's CPU time so far, busy and total, in clock ticks (the first line of /proc/stat). */
export function machineTicks(): { busy: number; total: number } {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  // idle and iowait are the 4th and 5th
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}
