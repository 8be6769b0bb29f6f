/**
 * `kubectl replistore repair now STORE`: a Job from the store's repair CronJob, made as
 * `kubectl create job --from=cronjob/NAME` makes it (the CronJob's job template, the CronJob as
 * controlling owner, annotation cronjob.kubernetes.io/instantiate=manual), then followed until it
 * ends: the Job's state changes, and the summary the repair wrote to its termination message, read
 * as the operator reads it for status.lastAntiEntropy (src/operator/repair-health.ts).
 */
import { BatchV1Api, CoreV1Api, type V1CronJob, type V1Job, type V1Pod } from "@kubernetes/client-node";
import type { StoreResource } from "../../../builders/context.ts";
import { repairCronJobName } from "../../../builders/names.ts";
import { REPAIR_CONTAINER } from "../../../builders/repair-cronjob.ts";
import { UserError } from "../../../errors.ts";
import { type RunReading, runFromJob } from "../../../operator/observe/repair-health.ts";
import type { OutputFormat } from "../../options.ts";
import { formatStructured, writeOut } from "../../output.ts";
import { kubeCall, progress, sleep } from "./kube-calls.ts";
import type { KubeTarget } from "./kube-target.ts";

export interface RepairNowFlags {
  wait: boolean;
  /** how long to follow the Job, ms */
  waitTimeout: number;
  output: OutputFormat;
  /** how often to look at the Job, ms (tests shorten it) */
  pollMs?: number;
}

const JOB_NAME_MAX = 63;

/** `<cronjob>-manual-<unix seconds>`, as the operator's hint names it; shorter when that is too long. */
export function manualJobName(cronJob: string, now = new Date()): string {
  const seconds = Math.floor(now.getTime() / 1000);
  const long = `${cronJob}-manual-${seconds}`;
  return long.length <= JOB_NAME_MAX ? long : `${cronJob}-m${seconds.toString(36)}`;
}

/** What `kubectl create job --from=cronjob/NAME` makes of a CronJob. */
export function jobFromCronJob(cronJob: V1CronJob, name: string): V1Job {
  const template = cronJob.spec?.jobTemplate;
  const meta = cronJob.metadata ?? {};
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace: meta.namespace,
      labels: { ...(template?.metadata?.labels ?? {}) },
      annotations: {
        ...(template?.metadata?.annotations ?? {}),
        "cronjob.kubernetes.io/instantiate": "manual",
      },
      ownerReferences: [
        {
          apiVersion: "batch/v1",
          kind: "CronJob",
          name: meta.name ?? "",
          uid: meta.uid ?? "",
          controller: true,
        },
      ],
    },
    spec: structuredClone(template?.spec ?? { template: { spec: { containers: [] } } }),
  };
}

/** The Job's state in a few words; a change of it is a progress line. */
export function jobState(job: V1Job, pods: readonly V1Pod[]): string {
  const finished = (job.status?.conditions ?? []).find(
    (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );
  if (finished)
    return finished.type === "Complete"
      ? "complete"
      : `failed${finished.reason ? ` (${finished.reason})` : ""}`;
  const active = job.status?.active ?? 0;
  const pod = pods[0];
  if (!pod) return active > 0 ? `running (${active} active)` : "waiting for its pod";
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting?.reason;
  return `pod ${pod.metadata?.name}: ${pod.status?.phase ?? "Pending"}${waiting ? ` (${waiting})` : ""}`;
}

async function jobPods(core: CoreV1Api, namespace: string, job: V1Job): Promise<V1Pod[]> {
  const uid = job.metadata?.uid;
  if (!uid) return [];
  const list = await kubeCall({ verb: "list", resource: "pods", namespace }, () =>
    core.listNamespacedPod({ namespace, labelSelector: `batch.kubernetes.io/controller-uid=${uid}` }),
  );
  return list.items;
}

/** Lines of at most `width` characters, broken at spaces; continuation lines indented. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `  ${word}`;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export interface RepairNowResult {
  job: string;
  namespace: string;
  cronJob: string;
  state: string;
  run?: Exclude<RunReading, "locked"> | { result: "Locked"; message: string };
}

export async function repairNow(target: KubeTarget, flags: RepairNowFlags): Promise<void> {
  const { namespace } = target;
  const batch = target.kc.makeApiClient(BatchV1Api);
  const core = target.kc.makeApiClient(CoreV1Api);
  const cronName = repairCronJobName(target.store as StoreResource);
  const cronJob = await kubeCall(
    {
      verb: "get",
      resource: "cronjobs",
      namespace,
      missing: `store ${namespace}/${target.name} has no repair CronJob ${cronName} yet: is the operator running? (kubectl get cronjob -n ${namespace})`,
    },
    () => batch.readNamespacedCronJob({ namespace, name: cronName }),
  );
  const name = manualJobName(cronName);
  const created = await kubeCall({ verb: "create", resource: "jobs", namespace }, () =>
    batch.createNamespacedJob({ namespace, body: jobFromCronJob(cronJob, name) }),
  );
  const format = flags.output === "text" ? undefined : flags.output;
  const text = format === undefined;
  if (text) progress(`job.batch/${name} created from cronjob/${cronName}`);
  const result: RepairNowResult = { job: name, namespace, cronJob: cronName, state: "created" };
  if (!flags.wait) {
    if (text) progress(`follow it with: kubectl -n ${namespace} get job ${name} -w`);
    else writeOut(formatStructured(result, format));
    return;
  }

  const deadline = Date.now() + flags.waitTimeout;
  let job: V1Job = created;
  let last = "";
  for (;;) {
    job = await kubeCall(
      {
        verb: "get",
        resource: "jobs",
        namespace,
        missing: `job ${name} was deleted while it ran`,
      },
      () => batch.readNamespacedJob({ namespace, name }),
    );
    const pods = await jobPods(core, namespace, job);
    const state = jobState(job, pods);
    if (state !== last) {
      if (text) progress(`  ${state}`);
      last = state;
    }
    const run = runFromJob(job, pods, REPAIR_CONTAINER);
    if (run !== undefined) {
      result.state = state;
      result.run =
        run === "locked"
          ? { result: "Locked", message: "another repair held the lock: this run did nothing" }
          : run;
      break;
    }
    if (Date.now() > deadline) {
      throw new UserError(
        `job ${name} has not finished within --wait-timeout (${state}): it goes on; see kubectl -n ${namespace} describe job ${name}`,
      );
    }
    await sleep(flags.pollMs ?? 1_000);
  }
  const run = result.run;
  if (text) {
    const keys =
      run && "keysRepaired" in run && run.keysRepaired !== undefined
        ? `, ${run.keysRepaired} keys repaired`
        : "";
    progress(`result: ${run?.result ?? "?"}${keys}`);
    if (run?.message) for (const line of wrap(`summary: ${run.message}`, 80)) progress(line);
    if (run?.result === "Failed") progress(`logs: kubectl -n ${namespace} logs job/${name}`);
  } else {
    writeOut(formatStructured(result, format));
  }
  if (run?.result === "Failed") {
    throw new UserError(`repair job ${name} failed: see kubectl -n ${namespace} logs job/${name}`);
  }
}
