/**
 * kubectl and helm as a user types them, against the one-node cluster of hack/cluster/up.sh. The
 * suite's global setup puts the cluster's KUBECONFIG and PATH (kubectl, helm, kubectl-replistore)
 * into the environment every test process inherits.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** Written to stdin (a manifest for `kubectl apply -f -`). */
  input?: string;
  /** Killed after this long (default 60 s). */
  timeoutMs?: number;
  /** Return a failed result instead of throwing. */
  allowFailure?: boolean;
  env?: Record<string, string>;
}

export function run(command: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  // A command that exits before reading its stdin (most never read it) closes the pipe under us:
  // EPIPE, harmless, but an uncaught error event would fail the whole test file.
  child.stdin.on("error", () => {});
  child.stdin.end(options.input ?? "");
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const result = { code, stdout, stderr };
      if (code === 0 || options.allowFailure) resolve(result);
      else {
        const how = signal ? `killed by ${signal} after ${timeoutMs} ms` : `exit ${code}`;
        reject(new Error(`${command} ${args.join(" ")}: ${how}\n${stderr.trim() || stdout.trim()}`));
      }
    });
  });
}

export async function kubectl(args: string[], options: CommandOptions = {}): Promise<string> {
  return (await run("kubectl", args, options)).stdout;
}

export async function kubectlJson<T>(args: string[], options: CommandOptions = {}): Promise<T> {
  return JSON.parse(await kubectl([...args, "-o", "json"], options)) as T;
}

export async function helm(args: string[], options: CommandOptions = {}): Promise<string> {
  return (await run("helm", args, { timeoutMs: 300_000, ...options })).stdout;
}

/** `kubectl apply -f -` of a manifest in a namespace. */
export async function apply(manifest: string, namespace: string): Promise<void> {
  await kubectl(["apply", "-n", namespace, "-f", "-"], { input: manifest });
}
