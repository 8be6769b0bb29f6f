/**
 * `kubectl replistore restart STORE`: a rolling restart, one pod at a time, highest ordinal first
 * (as the StatefulSet controller rolls). Each pod is deleted, then waited for until its successor
 * is Ready and the store's other nodes report it healthy in /v1/status, before the next one goes:
 * the quorum never loses more than one member to the restart.
 */
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { decodeStatus } from "../../../client/decode-answer.ts";
import { describePod, listStorePods, type StorePod } from "../../../client/discovery/store-pods.ts";
import { ApiserverRefusedError } from "../../../client/errors.ts";
import { UserError } from "../../../errors.ts";
import { kubeCall, kubeCode, progress, sleep } from "./kube-calls.ts";
import { type KubeTarget, podProxyFor } from "./kube-target.ts";

export interface RestartFlags {
  /** how long each pod may take to come back, ms */
  timeout: number;
  force?: boolean;
  /** how often to look, ms (tests shorten it) */
  pollMs?: number;
}

const NODE_TIMEOUT_MS = 5_000;

function ordinal(name: string): number {
  const match = /-(\d+)$/.exec(name);
  return match ? Number(match[1]) : -1;
}

/** Highest ordinal first. */
export function restartOrder(pods: readonly StorePod[]): StorePod[] {
  return [...pods].sort((a, b) => ordinal(b.name) - ordinal(a.name));
}

/** Whether `asker` (a pod of the store) sees `member` healthy; a reason when not. */
async function seenHealthy(target: KubeTarget, asker: StorePod, member: string): Promise<string | undefined> {
  try {
    const res = await podProxyFor(target, asker).call({
      method: "GET",
      path: "/v1/status",
      timeoutMs: NODE_TIMEOUT_MS,
      ...(target.token ? { token: target.token } : {}),
    });
    if (res.status !== 200) return `${asker.name} answered HTTP ${res.status}`;
    const status = decodeStatus(res, `pod ${asker.name}`);
    const members = Array.isArray(status.members) ? (status.members as Record<string, unknown>[]) : [];
    const m = members.find((x) => x.id === member);
    if (!m) return `${asker.name} does not list ${member} as a member`;
    if (m.self === true || m.healthy === true) return undefined;
    return `${asker.name} sees ${member} unhealthy`;
  } catch (err) {
    // waiting will not give the user the permission
    if (err instanceof ApiserverRefusedError) throw new UserError(err.message);
    return `${asker.name}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

export async function restart(target: KubeTarget, flags: RestartFlags): Promise<void> {
  const { namespace, name } = target;
  const where = `${namespace}/${name}`;
  const core = target.kc.makeApiClient(CoreV1Api);
  const poll = flags.pollMs ?? 1_000;
  const pods = restartOrder(target.pods);
  if (pods.length === 0) {
    throw new UserError(
      `store ${where} has no pods to restart: see kubectl get pods -n ${namespace} -l app.kubernetes.io/instance=${name}`,
    );
  }
  const notReady = pods.filter((p) => !p.ready).map((p) => p.name);
  if (notReady.length > 0 && !flags.force) {
    throw new UserError(
      `not every pod of ${where} is Ready (${notReady.join(", ")}): restarting another could cost the quorum; fix those first, or pass --force`,
    );
  }
  const started = Date.now();
  progress(
    pods.length === 1
      ? `restarting ${where}: its only pod, ${pods[0]?.name}`
      : `restarting ${where}: ${pods.length} pods, one at a time, ${pods[0]?.name} first`,
  );
  for (const pod of pods) {
    const podStart = Date.now();
    const deadline = podStart + flags.timeout;
    const old = await kubeCall(
      { verb: "get", resource: "pods", namespace, missing: `pod ${pod.name} is gone: run the restart again` },
      () => core.readNamespacedPod({ namespace, name: pod.name }),
    );
    await kubeCall({ verb: "delete", resource: "pods", namespace }, () =>
      core.deleteNamespacedPod({ namespace, name: pod.name }),
    );
    progress(`${pod.name}: deleted, waiting for it to come back`);
    let state = "deleted";
    const say = (next: string) => {
      if (next !== state) progress(`${pod.name}: ${next}`);
      state = next;
    };
    for (;;) {
      if (Date.now() > deadline) {
        throw new UserError(
          `${pod.name} did not come back healthy within --timeout ${seconds(flags.timeout)} (${state}); the restart stopped there, the other pods were left alone: see kubectl -n ${namespace} describe pod ${pod.name}`,
        );
      }
      await sleep(poll);
      let current: V1Pod | undefined;
      try {
        current = await core.readNamespacedPod({ namespace, name: pod.name });
      } catch (err) {
        if (kubeCode(err) !== 404)
          await kubeCall({ verb: "get", resource: "pods", namespace }, () => Promise.reject(err));
        current = undefined;
      }
      if (!current || current.metadata?.uid === old.metadata?.uid) continue;
      const now = describePod(current);
      if (!now.ready) {
        say("recreated, waiting for Ready");
        continue;
      }
      if (!state.startsWith("Ready")) say("Ready, waiting for the store's nodes to report it healthy");
      const others = (
        await kubeCall({ verb: "list", resource: "pods", namespace }, () =>
          listStorePods(core, namespace, name),
        )
      ).filter((p) => p.ready && p.ip && p.name !== pod.name);
      const askers = others.length > 0 ? others : [now];
      const problems = (await Promise.all(askers.map((a) => seenHealthy(target, a, pod.name)))).filter(
        (p) => p !== undefined,
      );
      if (problems.length === 0) {
        progress(
          `${pod.name}: healthy on ${askers.map((a) => a.name).join(", ")} (${seconds(Date.now() - podStart)})`,
        );
        break;
      }
      // said once: the reason may change from look to look while it comes up
      state = `Ready, not yet healthy: ${problems[0]}`;
    }
  }
  progress(
    `restarted ${pods.length === 1 ? "1 pod" : `${pods.length} pods`} of ${where} in ${seconds(Date.now() - started)}`,
  );
}
