/**
 * spec.backup.schedule: when the next scheduled ReplicatedStoreBackup is due. Pure, unit-tested.
 * - The cron expression is read in UTC, as the repair CronJob's is.
 * - The anchor is the tick the newest scheduled backup stands for (so a restarted operator carries
 *   on where the last one left off), else when this operator first saw the schedule (so turning a
 *   schedule on does not start a backup for a tick long past).
 * - Ticks missed while the operator was down are not made up one by one: one backup stands for the
 *   latest of them (at most one catch-up).
 * - A tick that comes while the previous scheduled backup is still Pending or Running is skipped,
 *   as a CronJob with concurrencyPolicy Forbid does: two backups would only compete for the nodes.
 */
import { Cron } from "croner";

export interface ScheduleInput {
  schedule: string | undefined;
  suspend: boolean;
  /** The tick of the newest scheduled backup of the store, if any. */
  lastTick: Date | undefined;
  /** When this operator first saw the store with this schedule. */
  seenAt: Date;
  /** The newest tick skipped because a backup was running (remembered in memory). */
  skippedThrough: Date | undefined;
  /** A scheduled backup of the store that has not finished (its name). */
  unfinished: string | undefined;
  now: Date;
}

export interface SchedulePlan {
  /** Create the backup standing for this tick. */
  create?: Date;
  /** This tick is skipped: the previous backup is still going. */
  skip?: Date;
  /** Look again then (the next tick); undefined: no schedule. */
  nextAt?: Date;
}

function cron(schedule: string): Cron {
  return new Cron(schedule, { timezone: "Etc/UTC", paused: true });
}

export function planSchedule(input: ScheduleInput): SchedulePlan {
  const { schedule, suspend, now } = input;
  if (!schedule || suspend) return {};
  const c = cron(schedule);
  const anchorMs = Math.max(
    (input.lastTick ?? input.seenAt).getTime(),
    input.skippedThrough?.getTime() ?? Number.NEGATIVE_INFINITY,
  );
  const due = c.nextRun(new Date(anchorMs));
  if (!due) return {};
  if (due.getTime() > now.getTime()) return { nextAt: due };
  // The latest tick not after now: every tick between the anchor and it collapses into one run.
  const [previous] = c.previousRuns(1, new Date(now.getTime() + 1));
  const latest = previous && previous.getTime() >= due.getTime() ? previous : due;
  const next = c.nextRun(latest);
  const nextAt = next ? { nextAt: next } : {};
  if (input.unfinished !== undefined) return { skip: latest, ...nextAt };
  return { create: latest, ...nextAt };
}
