/** Whether a pid from a state file is still the process we started, not a stranger that reused it. */
import { readFileSync } from "node:fs";

function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return undefined; // no procfs (macOS) or gone: fall back to the signal check alone
  }
}

/** `expectArg`: an argument our process has (e.g. the node id), checked where /proc exists. */
export function isProcessAlive(pid: number, expectArg?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if (!(err instanceof Error && "code" in err && err.code === "EPERM")) return false;
  }
  if (expectArg === undefined) return true;
  const args = commandLine(pid);
  return args === undefined || args.includes(expectArg);
}
