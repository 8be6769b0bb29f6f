/** Playing kubelet: pod readiness written through the status subresource, as a kubelet would. */
import { eventually } from "../eventually.ts";
import type { KubeClients } from "./client.ts";

/** Marks the pod running and ready (or not), and at `podIP` when given. */
export async function setPodReady(
  clients: KubeClients,
  namespace: string,
  name: string,
  ready: boolean,
  podIP?: string,
): Promise<void> {
  const pod = await clients.core.readNamespacedPod({ namespace, name });
  const now = new Date();
  const status = ready ? "True" : "False";
  // Its containers run since the first report (backdated, as a kubelet starts them before they are
  // ready): the operator tells a pod that became unready from one that has not been ready yet.
  const startedAt =
    pod.status?.containerStatuses?.[0]?.state?.running?.startedAt ?? new Date(now.getTime() - 2_000);
  pod.status = {
    ...pod.status,
    phase: "Running",
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }], startTime: pod.status?.startTime ?? now } : {}),
    conditions: [
      { type: "PodScheduled", status: "True", lastTransitionTime: now },
      { type: "Initialized", status: "True", lastTransitionTime: now },
      { type: "ContainersReady", status, lastTransitionTime: now },
      { type: "Ready", status, lastTransitionTime: now },
    ],
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? "",
      imageID: "",
      ready,
      started: true,
      restartCount: 0,
      state: { running: { startedAt } },
    })),
  };
  await clients.core.replaceNamespacedPodStatus({ namespace, name, body: pod });
}

/** Waits for the pod to exist (a controller makes it), then reports it running and ready at `podIP`. */
export function playKubelet(
  clients: KubeClients,
  namespace: string,
  name: string,
  podIP: string,
): Promise<void> {
  return eventually(() => setPodReady(clients, namespace, name, true, podIP), {
    timeoutMs: 30_000,
    what: `pod ${namespace}/${name} exists and is marked running`,
  });
}
