/**
 * `<name>-repair`: the scheduled anti-entropy job (`replistore repair`). Any pod can run it: it reads
 * the members from the same ConfigMap as the nodes and talks to them over HTTP. Its summary goes to
 * the container's termination message (the default /dev/termination-log), where the operator reads
 * the last run for the store's status.
 */
import type { V1CronJob } from "@kubernetes/client-node";
import { type BuildContext, CONFIG_PATH, type StoreResource } from "./context.ts";
import { ownedMetadata, storeLabels, withInheritedMetadata } from "./labels.ts";
import { repairCronJobName } from "./names.ts";
import { peerJobPodSpec } from "./peer-job-pod.ts";

export const REPAIR_CONTAINER = "repair";

export function buildRepairCronJob(store: StoreResource, ctx: BuildContext): V1CronJob {
  const podMetadata = withInheritedMetadata(store, storeLabels(store, "repair"));
  const { schedule, suspend } = store.spec.antiEntropy;
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: ownedMetadata(store, repairCronJobName(store), "repair"),
    spec: {
      schedule,
      // The schedule means the same wherever the controller manager runs.
      timeZone: "Etc/UTC",
      suspend,
      // Two runs would only contend for the nodes' repair lock; the second would exit at once.
      concurrencyPolicy: "Forbid",
      // A run missed by more than this (controller down) is skipped, not started late in a burst.
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: podMetadata,
        spec: {
          // A failed run is reported in status; the next scheduled run retries, not a tight loop.
          backoffLimit: 0,
          template: {
            metadata: podMetadata,
            spec: peerJobPodSpec(store, ctx, {
              name: REPAIR_CONTAINER,
              args: ["repair", "--config", CONFIG_PATH],
            }),
          },
        },
      },
    },
  };
}
