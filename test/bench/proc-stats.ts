import { readFileSync } from "node:fs";

/** Peak and current resident memory of a process, from /proc (Linux). */
export function memoryOf(pid: number): { peakRssBytes: number; rssBytes: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { peakRssBytes: kb("VmHWM"), rssBytes: kb("VmRSS") };
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
