/**
 * Stores and client pods on the real cluster. A client pod runs the project image (the `replistore`
 * CLI) idle, and tests `kubectl exec` the CLI in it, so every request goes through the pod network,
 * CoreDNS and the store's Services exactly as an application's would.
 *
 * Stores speak TLS (spec.tls.mode Auto by default): like an application, the client pod trusts the
 * CA bundles the operator publishes (ConfigMaps `<store>-ca`) of the stores in the namespaces it is
 * told about, kept in /ca/bundle.crt and named by REPLISTORE_CACERT (the CLI) and
 * NODE_EXTRA_CA_CERTS (node scripts).
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
  try {
    return await eventually(
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
  } catch (error) {
    // What an on-call engineer would look at first, so a timeout says why.
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n${await namespaceReport(namespace, name)}`);
  }
}

/** The store's status, its pods, claims and events, and the last log lines of its pods that are not ready. */
export async function namespaceReport(namespace: string, store: string): Promise<string> {
  const section = async (title: string, args: string[]) => {
    const result = await run("kubectl", args, { allowFailure: true });
    return `--- ${title}\n${(result.stdout + result.stderr).trim()}`;
  };
  const parts = await Promise.all([
    section(`rstore ${store}`, ["get", "rstore", store, "-n", namespace, "-o", "jsonpath={.status}"]),
    section("pods", ["get", "pods", "-n", namespace, "-o", "wide"]),
    section("pvc", ["get", "pvc", "-n", namespace]),
    section("events", ["get", "events", "-n", namespace, "--sort-by=.lastTimestamp"]),
  ]);
  const pods = await kubectlJson<{
    items: Array<{ metadata: { name: string }; status?: { containerStatuses?: Array<{ ready?: boolean }> } }>;
  }>(["get", "pods", "-n", namespace, "-l", `app.kubernetes.io/instance=${store}`]).catch(() => ({
    items: [],
  }));
  for (const pod of pods.items) {
    if (pod.status?.containerStatuses?.every((c) => c.ready)) continue;
    parts.push(
      await section(`logs ${pod.metadata.name}`, [
        "logs",
        "-n",
        namespace,
        pod.metadata.name,
        "--tail=30",
        "--all-containers",
      ]),
    );
  }
  return parts.join("\n");
}

/** A manifest from deploy/samples as a user applies it. */
export function sample(file: string): Promise<string> {
  return readFile(join(ROOT, "deploy", "samples", file), "utf8");
}

/** Where the client pod keeps the CA bundle it trusts. */
export const CA_BUNDLE = "/ca/bundle.crt";

/** The CA bundles (ConfigMaps `<store>-ca`, key ca.crt) of the stores in a namespace, concatenated. */
export async function storeCaBundle(namespace: string): Promise<string> {
  const maps = await kubectlJson<{
    items: Array<{ metadata: { name: string }; data?: Record<string, string> }>;
  }>(["get", "configmaps", "-n", namespace]);
  return maps.items
    .filter((m) => m.metadata.name.endsWith("-ca") && m.data?.["ca.crt"])
    .map((m) => m.data?.["ca.crt"] ?? "")
    .sort()
    .join("");
}

export class ClientPod {
  readonly namespace: string;
  readonly name: string;
  /** the namespaces whose stores it trusts (its own by default) */
  private readonly trusted = new Set<string>();
  private bundle = "";

  constructor(namespace: string, name: string) {
    this.namespace = namespace;
    this.name = name;
    this.trusted.add(namespace);
  }

  /** Trusts the stores of another namespace too (a client of a store elsewhere). */
  trustStoresIn(namespace: string): this {
    this.trusted.add(namespace);
    return this;
  }

  /** Brings /ca/bundle.crt up to date with the CAs published now; true when it holds any. */
  private async refreshTrust(): Promise<boolean> {
    const bundle = (await Promise.all([...this.trusted].map(storeCaBundle))).join("");
    if (bundle !== this.bundle) {
      const written = await run(
        "kubectl",
        ["exec", "-i", "-n", this.namespace, this.name, "--", "sh", "-c", `cat > ${CA_BUNDLE}`],
        { input: bundle, allowFailure: true },
      );
      if (written.code !== 0) throw new Error(`writing ${CA_BUNDLE} in ${this.name}: ${written.stderr}`);
      this.bundle = bundle;
    }
    return bundle !== "";
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
        volumes: [{ name: "ca", emptyDir: {} }],
        containers: [
          {
            name: "client",
            image: IMAGE,
            command: ["sleep", "infinity"],
            volumeMounts: [{ name: "ca", mountPath: "/ca" }],
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

  /**
   * Runs a command in the pod, trusting the CAs of the stores it knows of (as an application mounts
   * the store's CA ConfigMap); the result whatever its exit code.
   */
  async exec(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
    const trust = (await this.refreshTrust())
      ? ["env", `REPLISTORE_CACERT=${CA_BUNDLE}`, `NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`]
      : [];
    return run("kubectl", ["exec", "-i", "-n", this.namespace, this.name, "--", ...trust, ...args], {
      allowFailure: true,
      timeoutMs: options.timeoutMs ?? 60_000,
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
  }

  /** The replistore CLI in the pod against a store's client Service (by its DNS name). */
  cli(service: string, args: string[], options: { input?: string; timeoutMs?: number } = {}) {
    const endpoint = storeServiceUrl(this.namespace, service);
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

/** A store's client Service by its DNS name, https as the operator's default spec.tls.mode Auto. */
export function storeServiceUrl(namespace: string, store: string): string {
  return `https://${store}.${namespace}.svc.cluster.local:7070`;
}

/** One node by its pod's DNS name under the peers Service (its certificate names it). */
export function storeNodeUrl(namespace: string, store: string, ordinal: number): string {
  return `https://${store}-${ordinal}.${store}-peers.${namespace}.svc.cluster.local:7070`;
}
