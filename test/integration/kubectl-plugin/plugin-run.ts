/** Running bin/kubectl-replistore as kubectl runs a plugin, and node pods as a StatefulSet makes them. */
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "vitest";
import { eventually, REPO_ROOT } from "../../support/index.ts";
import { type KubeClients, setPodReady } from "../../support/k8s/index.ts";

export const SHIM = join(REPO_ROOT, "bin", "kubectl-replistore");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The executable with the arguments after `replistore`; `onStdout` sees output as it comes. */
export function plugin(
  args: string[],
  env: Record<string, string> = {},
  options: { cwd?: string; timeoutMs?: number; stdin?: string } = {},
): Promise<Run> {
  const child = spawn(SHIM, args, {
    cwd: options.cwd ?? tmpdir(),
    env: { ...process.env, ...env },
    stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function expectFits80(text: string): void {
  for (const line of text.split("\n"))
    expect(line.length, `too wide: ${JSON.stringify(line)}`).toBeLessThanOrEqual(80);
}

/** A node pod of `store` as its StatefulSet labels it. */
export function nodePod(name: string, store: string): V1Pod {
  return {
    metadata: {
      name,
      labels: {
        "app.kubernetes.io/name": "replistore",
        "app.kubernetes.io/instance": store,
        "app.kubernetes.io/component": "node",
        "replistore.io/store": store,
      },
    },
    spec: {
      containers: [
        { name: "node", image: "replistore:test", ports: [{ name: "http", containerPort: 7070 }] },
      ],
    },
  };
}

/**
 * Creates `nodePod(name, store)` (once the namespace's default ServiceAccount, which the controller
 * manager makes, lets it be) and reports it running and ready at `ip`.
 */
export async function createNodePod(
  clients: KubeClients,
  namespace: string,
  name: string,
  store: string,
  ip: string,
): Promise<void> {
  await eventually(() => clients.core.createNamespacedPod({ namespace, body: nodePod(name, store) }), {
    timeoutMs: 20_000,
    what: `pod ${name} created`,
  });
  await setPodReady(clients, namespace, name, true, ip);
}

/** A stack trace is never what a user should see. */
export function expectNoStack(run: Run): void {
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stderr).not.toContain("looks like a bug");
}
