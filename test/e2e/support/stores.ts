/**
 * Stores and client pods on the real cluster. A client pod runs the project image (the `replistore`
 * CLI) idle, and tests `kubectl exec` the CLI in it, so every request goes through the pod network,
 * CoreDNS and the store's Services exactly as an application's would.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { eventually } from "../../support/eventually.ts";
import { apply, type CommandResult, kubectl, kubectlJson, ROOT, run } from "./commands.ts";

export const IMAGE = `replistore:${JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")).version}`;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface StoreStatus {
  phase?: string;
  readyReplicas?: number;
  conditions?: Condition[];
}

export async function createNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  await kubectl(["create", "namespace", name]);
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  if (pairs.length > 0) await kubectl(["label", "namespace", name, ...pairs]);
}

/** Deletes a namespace without waiting (its PVs go with their reclaim policy). */
export async function deleteNamespace(name: string): Promise<void> {
  await kubectl(["delete", "namespace", name, "--wait=false", "--ignore-not-found"]);
}

export async function storeStatus(namespace: string, name: string): Promise<StoreStatus> {
  const store = await kubectlJson<{ status?: StoreStatus }>(["get", "rstore", name, "-n", namespace]);
  return store.status ?? {};
}

export function condition(status: StoreStatus, type: string): Condition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

/** Waits for the store's Ready condition and all its pods ready; returns the status. */
export async function waitStoreReady(
  namespace: string,
  name: string,
  replicas: number,
  timeoutMs = 180_000,
): Promise<StoreStatus> {
  return eventually(
    async () => {
      const status = await storeStatus(namespace, name);
      const ready = condition(status, "Ready");
      if (ready?.status !== "True" || status.readyReplicas !== replicas) {
        throw new Error(
          `store ${namespace}/${name}: Ready=${ready?.status} (${ready?.message}), ${status.readyReplicas}/${replicas} ready`,
        );
      }
      return status;
    },
    { timeoutMs, intervalMs: 1000, what: `store ${namespace}/${name} Ready` },
  );
}

/** A manifest from deploy/samples as a user applies it. */
export function sample(file: string): Promise<string> {
  return readFile(join(ROOT, "deploy", "samples", file), "utf8");
}

export class ClientPod {
  readonly namespace: string;
  readonly name: string;

  constructor(namespace: string, name: string) {
    this.namespace = namespace;
    this.name = name;
  }

  /** Creates the pod (project image, idle) with the given labels and waits until it runs. */
  static async start(
    namespace: string,
    name: string,
    labels: Record<string, string> = {},
  ): Promise<ClientPod> {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace, labels: { "app.kubernetes.io/name": "e2e-client", ...labels } },
      spec: {
        terminationGracePeriodSeconds: 0,
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "client",
            image: IMAGE,
            command: ["sleep", "infinity"],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          },
        ],
      },
    };
    await apply(JSON.stringify(pod), namespace);
    await kubectl(["wait", "-n", namespace, `pod/${name}`, "--for=condition=Ready", "--timeout=120s"], {
      timeoutMs: 130_000,
    });
    return new ClientPod(namespace, name);
  }

  /** Runs a command in the pod; the result whatever its exit code. */
  exec(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
    return run("kubectl", ["exec", "-i", "-n", this.namespace, this.name, "--", ...args], {
      allowFailure: true,
      timeoutMs: options.timeoutMs ?? 60_000,
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
  }

  /** The replistore CLI in the pod against a store's client Service (by its DNS name). */
  cli(service: string, args: string[], options: { input?: string; timeoutMs?: number } = {}) {
    const endpoint = `http://${service}.${this.namespace}.svc.cluster.local:7070`;
    return this.exec(["replistore", ...args, "--endpoint", endpoint], options);
  }

  async delete(): Promise<void> {
    await kubectl([
      "delete",
      "pod",
      this.name,
      "-n",
      this.namespace,
      "--grace-period=0",
      "--ignore-not-found",
    ]);
  }
}
