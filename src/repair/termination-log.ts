/**
 * The file Kubernetes reads as a container's termination message: the operator reads the repair
 * summary from the Job's pod status there, without scraping logs.
 */
import { accessSync, constants, existsSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export const DEFAULT_TERMINATION_LOG = "/dev/termination-log";

/**
 * The default path in a pod: where the kubelet has created the file, or where its directory is
 * writable inside Kubernetes. Elsewhere none, so a run as root on a workstation (or under
 * `replistore up`) does not leave a file in /dev.
 */
export function defaultTerminationLog(
  path = DEFAULT_TERMINATION_LOG,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const writable = (p: string) => {
    try {
      accessSync(p, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (existsSync(path)) return writable(path) ? path : undefined;
  return env.KUBERNETES_SERVICE_HOST && writable(dirname(path)) ? path : undefined;
}

/** Writes the message; a failure is reported, not fatal: the summary was printed already. */
export function writeTerminationLog(path: string, message: string): string | undefined {
  try {
    writeFileSync(path, message);
    return undefined;
  } catch (err) {
    return `could not write the termination log ${path}: ${err instanceof Error ? err.message : String(err)}`;
  }
}
