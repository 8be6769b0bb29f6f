/**
 * The deploy/samples stores on the real cluster, each in a namespace of its own with a client pod
 * the store's NetworkPolicy admits (replistore.io/client-of=<store>). Checks that touch every node
 * and several keys send their HTTP requests from one Node process in the client pod (one
 * `kubectl exec`), not one CLI process per request: the CLI costs a second of CPU to start, and the
 * machine has two cores shared with other tests. The tests still use the CLI where its behaviour is
 * the point.
 */
import { eventually } from "../../support/eventually.ts";
import { kubectl, kubectlJson, run } from "./commands.ts";
import {
  ClientPod,
  condition,
  createNamespace,
  type StoreStatus,
  sample,
  storeNodeUrl,
  storeServiceUrl,
  waitStoreReady,
} from "./stores.ts";

const CLUSTER_DIR = process.env.REPLISTORE_CLUSTER_DIR ?? "/var/lib/replistore-cluster";

/** The status fields of a MultiLeader store the tests read, beyond those of StoreStatus. */
export interface SampleStatus extends StoreStatus {
  topology?: string;
  hub?: number;
  leaders?: number[];
}

/** One node's GET /v1/status (the fields read here). */
export interface NodeStatus {
  node: { id: string; role?: "leader" | "follower"; ready: boolean };
  multiLeader?: {
    topology: string;
    leaders: string[];
    hub?: string;
    sendsTo: { peer: string; ownOnly: boolean; updates: number }[];
  };
}

export interface PodJson {
  metadata: { name: string; uid: string };
  status: {
    conditions?: { type: string; status: string }[];
    containerStatuses?: { containerID?: string; restartCount: number; ready: boolean }[];
  };
}

export interface HttpCall {
  method: "GET" | "PUT";
  url: string;
  body?: string;
  /** Overrides the store's token for this call; null sends none. */
  token?: string | null;
}

export interface HttpAnswer {
  /** 0 when no answer came (the error code is in body). */
  status: number;
  body: string;
  /** X-Replistore-Leader: set when a follower forwarded a write. */
  forwardedTo: string | null;
}

/** A write: `leader` is the leader that took it (MultiLeader only), from the answer's body. */
export interface WriteResult {
  key: string;
  ok: boolean;
  leader?: string;
  answer: HttpAnswer;
}

export interface ReadResult {
  ordinal: number;
  key: string;
  status: number;
  /** The value, or the error body when status is not 200. */
  value: string;
}

/** Runs in the client pod: the calls on stdin, their answers on stdout, in the same order. */
const HTTP_SCRIPT = `
const { calls, parallel } = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const one = async (c) => {
  const headers = c.token ? { authorization: "Bearer " + c.token } : {};
  try {
    const r = await fetch(c.url, { method: c.method, headers, body: c.body, signal: AbortSignal.timeout(15000) });
    return { status: r.status, body: await r.text(), forwardedTo: r.headers.get("x-replistore-leader") };
  } catch (e) {
    return { status: 0, body: String(e.cause?.code ?? e.message), forwardedTo: null };
  }
};
(async () => {
  const out = [];
  if (parallel) out.push(...(await Promise.all(calls.map(one))));
  else for (const c of calls) out.push(await one(c));
  process.stdout.write(JSON.stringify(out));
})();
`;

export class SampleStore {
  readonly file: string;
  readonly name: string;
  readonly replicas: number;
  readonly namespace: string;
  /** Sent with every request (the auth sample's token) once set. */
  token: string | undefined;
  private clientPod: ClientPod | undefined;

  constructor(file: string, name: string, replicas: number, topic: string) {
    this.file = file;
    this.name = name;
    this.replicas = replicas;
    this.namespace = `e2e-samples-${topic}-${process.pid}`;
  }

  get client(): ClientPod {
    if (!this.clientPod) throw new Error(`${this.file}: not deployed`);
    return this.clientPod;
  }

  /** The sample applied with kubectl as it is, a client pod, and the store Ready. */
  async deploy(): Promise<void> {
    await createNamespace(this.namespace);
    await kubectl(["apply", "-n", this.namespace, "-f", "-"], { input: await sample(this.file) });
    this.clientPod = await ClientPod.start(this.namespace, "client", {
      "replistore.io/client-of": this.name,
    });
    await waitStoreReady(this.namespace, this.name, this.replicas, 240_000);
  }

  /** The client Service by DNS. */
  get serviceUrl(): string {
    return storeServiceUrl(this.namespace, this.name);
  }

  /** One node by its DNS name under the peers Service. */
  nodeUrl(ordinal: number): string {
    return storeNodeUrl(this.namespace, this.name, ordinal);
  }

  get ordinals(): number[] {
    return Array.from({ length: this.replicas }, (_, i) => i);
  }

  /** HTTP requests from the client pod, all at once or one after the other. */
  async http(calls: HttpCall[], parallel: boolean): Promise<HttpAnswer[]> {
    const withToken = calls.map((c) => ({ ...c, token: c.token === undefined ? this.token : c.token }));
    const result = await this.client.exec(["node", "-e", HTTP_SCRIPT], {
      input: JSON.stringify({ calls: withToken, parallel }),
      timeoutMs: 120_000,
    });
    if (result.code !== 0) throw new Error(`http from ${this.namespace}/client: ${result.stderr}`);
    return JSON.parse(result.stdout) as HttpAnswer[];
  }

  /** Writes value-<key> under each key, one after the other, to `url` (the Service by default). */
  async put(keys: readonly string[], url = this.serviceUrl): Promise<WriteResult[]> {
    const calls = keys.map(
      (key): HttpCall => ({ method: "PUT", url: `${url}/v1/kv/${key}`, body: `value-${key}` }),
    );
    const answers = await this.http(calls, false);
    return keys.map((key, i) => {
      const answer = answers[i] ?? { status: 0, body: "no answer", forwardedTo: null };
      const leader =
        answer.status === 200 ? (JSON.parse(answer.body) as { leader?: string }).leader : undefined;
      return { key, ok: answer.status === 200, answer, ...(leader ? { leader } : {}) };
    });
  }

  /** Every key from every given node: a quorum read (the store's R) that node coordinates, or its own copy. */
  async read(ordinals: readonly number[], keys: readonly string[], local = false): Promise<ReadResult[]> {
    const pairs = ordinals.flatMap((ordinal) => keys.map((key) => ({ ordinal, key })));
    const query = local ? "?local=true" : "";
    const answers = await this.http(
      pairs.map(({ ordinal, key }) => ({
        method: "GET",
        url: `${this.nodeUrl(ordinal)}/v1/kv/${key}${query}`,
      })),
      true,
    );
    return pairs.map(({ ordinal, key }, i) => ({
      ordinal,
      key,
      status: answers[i]?.status ?? 0,
      value: answers[i]?.body ?? "",
    }));
  }

  /** Waits until every given node's own copy of every key is value-<key> (replication caught up). */
  async waitLocalEverywhere(
    ordinals: readonly number[],
    keys: readonly string[],
    timeoutMs = 60_000,
  ): Promise<void> {
    await eventually(
      async () => {
        const missing = (await this.read(ordinals, keys, true)).filter(
          (r) => r.status !== 200 || r.value !== `value-${r.key}`,
        );
        if (missing.length > 0) {
          const list = missing.map((r) => `${this.name}-${r.ordinal} ${r.key}: ${r.status} ${r.value}`);
          throw new Error(`not yet everywhere: ${list.join("; ")}`);
        }
      },
      { timeoutMs, intervalMs: 1000, what: `${keys.join(", ")} on ${this.name}-{${ordinals.join(",")}}` },
    );
  }

  /** GET /v1/status of each given node. */
  async nodeStatuses(ordinals: readonly number[]): Promise<NodeStatus[]> {
    const answers = await this.http(
      ordinals.map((o) => ({ method: "GET", url: `${this.nodeUrl(o)}/v1/status` })),
      true,
    );
    return answers.map((a, i) => {
      if (a.status !== 200) throw new Error(`status of ${this.name}-${ordinals[i]}: ${a.status} ${a.body}`);
      return JSON.parse(a.body) as NodeStatus;
    });
  }

  async status(): Promise<SampleStatus> {
    const store = await kubectlJson<{ status?: SampleStatus }>([
      "get",
      "rstore",
      this.name,
      "-n",
      this.namespace,
    ]);
    return store.status ?? {};
  }

  async readyMessage(): Promise<string | undefined> {
    return condition(await this.status(), "Ready")?.message;
  }

  async pod(ordinal: number): Promise<PodJson> {
    return kubectlJson<PodJson>(["get", "pod", `${this.name}-${ordinal}`, "-n", this.namespace]);
  }

  /** The node pods (not the repair job's, which carry the store label too). */
  async pods(): Promise<PodJson[]> {
    const selector = `replistore.io/store=${this.name},app.kubernetes.io/component=node`;
    const list = await kubectlJson<{ items: PodJson[] }>([
      "get",
      "pods",
      "-n",
      this.namespace,
      "-l",
      selector,
    ]);
    return list.items;
  }

  async claims(): Promise<{ name: string; phase: string }[]> {
    const list = await kubectlJson<{ items: { metadata: { name: string }; status: { phase: string } }[] }>([
      "get",
      "pvc",
      "-n",
      this.namespace,
    ]);
    return list.items.map((c) => ({ name: c.metadata.name, phase: c.status.phase }));
  }

  /** The config every node reads (the ConfigMap the operator writes), multiLeader part. */
  async configuredMultiLeader(): Promise<{ hub?: number; topology?: string } | undefined> {
    const map = await kubectlJson<{ data: Record<string, string> }>([
      "get",
      "configmap",
      `${this.name}-config`,
      "-n",
      this.namespace,
    ]);
    const config = JSON.parse(map.data["cluster.json"] ?? "{}") as {
      multiLeader?: { hub?: number; topology?: string };
    };
    return config.multiLeader;
  }

  /** Messages of the store's events with this reason. */
  async events(reason: string): Promise<string[]> {
    const list = await kubectlJson<{
      items: { message: string; involvedObject: { kind: string; name: string } }[];
    }>(["get", "events", "-n", this.namespace, "--field-selector", `reason=${reason}`]);
    return list.items
      .filter((e) => e.involvedObject.kind === "ReplicatedStore" && e.involvedObject.name === this.name)
      .map((e) => e.message);
  }
}

export function podReady(pod: PodJson): boolean {
  return pod.status.conditions?.find((c) => c.type === "Ready")?.status === "True";
}

/**
 * Sends a signal to a pod's node container through containerd: SIGSTOP freezes the process (the
 * pod stays and its port takes connections that never get an answer: a hung node), SIGCONT lets it
 * go on. Returns false when the container is gone (the kubelet replaced it).
 */
export async function signalContainer(pod: PodJson, signal: "SIGSTOP" | "SIGCONT"): Promise<boolean> {
  const id = pod.status.containerStatuses?.[0]?.containerID?.replace(/^containerd:\/\//, "");
  if (!id) throw new Error(`pod ${pod.metadata.name} has no container id`);
  const socket = `${CLUSTER_DIR}/containerd/containerd.sock`;
  const result = await run(
    "ctr",
    ["--address", socket, "-n", "k8s.io", "tasks", "kill", "--signal", signal, id],
    {
      allowFailure: true,
    },
  );
  return result.code === 0;
}
