/**
 * `kubectl replistore report STORE`: everything a bug report about a store needs, in one .tar.gz:
 * the ReplicatedStore, the events about it and its pods, jobs and CronJob, its pods and their logs
 * (the previous container's too when one restarted), and each node's /v1/status and /metrics read
 * through the apiserver's pod proxy. What could not be read is written down in report.json, not
 * fatal: a report is most wanted when things are broken.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CoreV1Api, type CoreV1Event, type V1Pod } from "@kubernetes/client-node";
import { dump } from "js-yaml";
import { create } from "tar";
import { storePodSelector } from "../../../client/discovery/store-pods.ts";
import { UserError } from "../../../errors.ts";
import { kubeCall } from "./kube-calls.ts";
import { type KubeTarget, kubeErrorText, podProxyFor } from "./kube-target.ts";

export interface ReportFlags {
  file?: string;
  timeout: number;
  /** for report.json's name and the default file name; tests fix it */
  now?: Date;
}

export interface ReportIndex {
  store: string;
  namespace: string;
  createdAt: string;
  files: string[];
  problems: string[];
}

/** Plain data for js-yaml (the client's models hold Dates and class instances). */
const yaml = (value: unknown) =>
  dump(JSON.parse(JSON.stringify(value)) as unknown, { noRefs: true, lineWidth: -1 });

function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

export function defaultReportFile(namespace: string, store: string, now: Date): string {
  return `replistore-report-${namespace}-${store}-${stamp(now)}.tar.gz`;
}

/** The events about the store and the objects named after it (pods, jobs, the CronJob, services). */
export function storeEvents(events: readonly CoreV1Event[], store: string): CoreV1Event[] {
  return events
    .filter((e) => {
      const n = e.involvedObject?.name ?? "";
      return n === store || n.startsWith(`${store}-`);
    })
    .sort(
      (a, b) =>
        new Date(a.lastTimestamp ?? a.eventTime ?? 0).getTime() -
        new Date(b.lastTimestamp ?? b.eventTime ?? 0).getTime(),
    );
}

export async function report(target: KubeTarget, flags: ReportFlags): Promise<string> {
  const { namespace, name } = target;
  const now = flags.now ?? new Date();
  const file = resolve(flags.file ?? defaultReportFile(namespace, name, now));
  if (!/\.(tar\.gz|tgz)$/.test(file)) {
    throw new UserError(`--file ${flags.file}: the report is a gzipped tar; name it *.tar.gz or *.tgz`);
  }
  const core = target.kc.makeApiClient(CoreV1Api);
  const top = `replistore-report-${namespace}-${name}-${stamp(now)}`;
  const work = await mkdtemp(join(tmpdir(), "replistore-report-"));
  const root = join(work, top);
  const index: ReportIndex = {
    store: name,
    namespace,
    createdAt: now.toISOString(),
    files: [],
    problems: [],
  };
  const put = async (path: string, content: string | Buffer) => {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), content);
    index.files.push(path);
  };
  const problem = (text: string) => {
    index.problems.push(text);
    process.stdout.write(`  ! ${text}\n`);
  };
  const step = (text: string) => process.stdout.write(`${text}\n`);
  try {
    step(`collecting a report of ${namespace}/${name}`);
    await put("store.yaml", yaml(target.store));
    step("  store.yaml");

    try {
      const events = await kubeCall({ verb: "list", resource: "events", namespace }, () =>
        core.listNamespacedEvent({ namespace }),
      );
      const mine = storeEvents(events.items, name);
      await put("events.yaml", yaml(mine));
      step(`  events.yaml (${mine.length} events)`);
    } catch (err) {
      problem(`events: ${err instanceof Error ? err.message : String(err)}`);
    }

    let pods: V1Pod[] = [];
    try {
      pods = (
        await kubeCall({ verb: "list", resource: "pods", namespace }, () =>
          core.listNamespacedPod({ namespace, labelSelector: storePodSelector(name) }),
        )
      ).items;
      await put("pods.yaml", yaml(pods));
      step(`  pods.yaml (${pods.length} pods)`);
    } catch (err) {
      problem(`pods: ${err instanceof Error ? err.message : String(err)}`);
    }

    for (const pod of pods) {
      const podName = pod.metadata?.name ?? "";
      for (const c of pod.spec?.containers ?? []) {
        const restarted = (pod.status?.containerStatuses ?? []).some(
          (s) => s.name === c.name && (s.restartCount ?? 0) > 0,
        );
        for (const previous of restarted ? [false, true] : [false]) {
          const path = `logs/${podName}/${c.name}${previous ? ".previous" : ""}.log`;
          try {
            const log = await core.readNamespacedPodLog({
              namespace,
              name: podName,
              container: c.name,
              previous,
            });
            await put(path, typeof log === "string" ? log : String(log));
            step(`  ${path}`);
          } catch (err) {
            const why = kubeErrorText(err);
            // the client's words when the apiserver's answer was not JSON (no kubelet to ask, say)
            problem(
              `${path}: not available (${why.startsWith("Cannot parse content") ? "the apiserver could not get it from the kubelet" : why})`,
            );
          }
        }
      }
    }

    for (const pod of target.pods) {
      if (!pod.ip) {
        problem(`nodes/${pod.name}: no pod IP, not asked`);
        continue;
      }
      const endpoint = podProxyFor(target, pod);
      for (const [path, file] of [
        ["/v1/status", "status.json"],
        ["/metrics", "metrics.txt"],
      ] as const) {
        const out = `nodes/${pod.name}/${file}`;
        try {
          const res = await endpoint.call({
            method: "GET",
            path,
            timeoutMs: flags.timeout,
            ...(target.token ? { token: target.token } : {}),
          });
          if (res.status !== 200) problem(`${out}: HTTP ${res.status}`);
          await put(out, res.body);
          step(`  ${out}`);
        } catch (err) {
          problem(`${out}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }

    index.files.push("report.json");
    await writeFile(join(root, "report.json"), `${JSON.stringify(index, null, 2)}\n`);
    await mkdir(resolve(file, ".."), { recursive: true });
    await create({ gzip: true, file, cwd: work, portable: true }, [top]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  step(
    `wrote ${file} (${index.files.length} files${index.problems.length > 0 ? `, ${index.problems.length} things could not be read: see report.json` : ""})`,
  );
  return file;
}
