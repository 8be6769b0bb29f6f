/** Playing kubelet: pod readiness written through the status subresource, as a kubelet would. */
import type { KubeClients } from "./client.ts";

export async function setPodReady(
  clients: KubeClients,
  namespace: string,
  name: string,
  ready: boolean,
): Promise<void> {
  const pod = await clients.core.readNamespacedPod({ namespace, name });
  const now = new Date();
  const status = ready ? "True" : "False";
  pod.status = {
    ...pod.status,
    phase: "Running",
    conditions: [
      { type: "PodScheduled", status: "True", lastTransitionTime: now },
      { type: "Initialized", status: "True", lastTransitionTime: now },
      { type: "ContainersReady", status, lastTransitionTime: now },
      { type: "Ready", status, lastTransitionTime: now },
    ],
  };
  await clients.core.replaceNamespacedPodStatus({ namespace, name, body: pod });
}
