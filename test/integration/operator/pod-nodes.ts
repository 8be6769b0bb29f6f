/**
 * Playing kubelet for the operator tests that need real nodes: pods get an IP in a PodNetwork
 * (test/integration/kubectl-plugin/pod-network.ts) and become Ready, the ConfigMap the operator
 * writes reaches the node processes as the kubelet's volume refresh would bring it (with each
 * member's URL at its pod IP, since the test control plane has no cluster DNS), and a Job's pod
 * ends with a termination message.
 */
import type { V1Pod } from "@kubernetes/client-node";
import type { ClusterConfig } from "../../../src/config/cluster-config.ts";
import { writeClusterFile } from "../../support/cluster-file.ts";
import { eventually } from "../../support/eventually.ts";
import type { KubeClients } from "../../support/k8s/index.ts";
import type { PodStore } from "../kubectl-plugin/pod-network.ts";

export { playKubelet } from "../../support/k8s/index.ts";

/** The operator's cluster.json with every member at its pod IP. */
export async function nodeConfig(
  clients: KubeClients,
  namespace: string,
  configMap: string,
  pods: PodStore,
): Promise<{ text: string; config: ClusterConfig } | undefined> {
  const cm = await clients.core.readNamespacedConfigMap({ namespace, name: configMap });
  const text = cm.data?.["cluster.json"];
  if (!text) return undefined;
  const config = JSON.parse(text) as ClusterConfig;
  config.members = config.members.map((m) => {
    const i = pods.names.indexOf(m.id);
    if (i < 0) throw new Error(`member ${m.id} is not one of the test's pods`);
    return { id: m.id, url: pods.url(i) };
  });
  return { text, config };
}

/**
 * Copies the ConfigMap into the nodes' config file when it changes, as the kubelet refreshes a
 * ConfigMap volume: a change is seen within 200 ms and written `lagMs` later (a kubelet takes up
 * to its sync period plus the cache TTL, a minute or more; a deleted pod is stopped much sooner).
 * Returns a stop function.
 */
export function syncConfigMap(
  clients: KubeClients,
  namespace: string,
  configMap: string,
  pods: PodStore,
  lagMs = 0,
): () => Promise<void> {
  let last = "";
  let seen: { text: string; at: number } | undefined;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const current = await nodeConfig(clients, namespace, configMap, pods);
        if (current && current.text !== last) {
          if (seen?.text !== current.text) seen = { text: current.text, at: Date.now() };
          if (Date.now() - seen.at >= lagMs) {
            await writeClusterFile(pods.configPath, current.config);
            last = current.text;
          }
        }
      } catch {
        // the apiserver restarting or the map not there yet: the next round tries again
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/** The Job's pods (the Job controller makes them; nothing schedules or runs them here). */
export async function jobPods(clients: KubeClients, namespace: string, jobUid: string): Promise<V1Pod[]> {
  const list = await clients.core.listNamespacedPod({
    namespace,
    labelSelector: `batch.kubernetes.io/controller-uid=${jobUid}`,
  });
  return list.items;
}

/**
 * What a kubelet writes when the Job's container has exited: phase Succeeded or Failed, and the
 * container's terminated state with the termination message the process left in
 * /dev/termination-log.
 */
export async function finishJobPod(
  clients: KubeClients,
  namespace: string,
  jobUid: string,
  container: string,
  exitCode: number,
  message: string,
): Promise<void> {
  await eventually(
    async () => {
      const [pod] = await jobPods(clients, namespace, jobUid);
      if (!pod?.metadata?.name) throw new Error("the Job controller has not made its pod yet");
      const now = new Date();
      const started = new Date(now.getTime() - 2_000);
      pod.status = {
        ...pod.status,
        phase: exitCode === 0 ? "Succeeded" : "Failed",
        startTime: started,
        conditions: [
          { type: "PodScheduled", status: "True", lastTransitionTime: started },
          { type: "Initialized", status: "True", lastTransitionTime: started },
          { type: "ContainersReady", status: "False", lastTransitionTime: now },
          { type: "Ready", status: "False", lastTransitionTime: now },
        ],
        containerStatuses: [
          {
            name: container,
            image: pod.spec?.containers[0]?.image ?? "",
            imageID: "",
            ready: false,
            restartCount: 0,
            started: false,
            state: {
              terminated: {
                exitCode,
                reason: exitCode === 0 ? "Completed" : "Error",
                message,
                startedAt: started,
                finishedAt: now,
              },
            },
          },
        ],
      };
      await clients.core.replaceNamespacedPodStatus({ namespace, name: pod.metadata.name, body: pod });
    },
    { timeoutMs: 30_000, what: `the pod of Job ${jobUid} exits with code ${exitCode}` },
  );
}
