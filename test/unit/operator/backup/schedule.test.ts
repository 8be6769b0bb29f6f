import { describe, expect, it } from "vitest";
import { planSchedule, type ScheduleInput } from "../../../../src/operator/backup/schedule.ts";

const at = (iso: string) => new Date(iso);

function input(over: Partial<ScheduleInput>): ScheduleInput {
  return {
    schedule: "0 2 * * *",
    suspend: false,
    lastTick: undefined,
    seenAt: at("2026-12-06T10:00:00Z"),
    skippedThrough: undefined,
    unfinished: undefined,
    now: at("2026-12-06T10:00:00Z"),
    ...over,
  };
}

describe("planSchedule", () => {
  it("does nothing without a schedule, or suspended", () => {
    expect(planSchedule(input({ schedule: undefined }))).toEqual({});
    expect(planSchedule(input({ suspend: true, now: at("2026-12-09T00:00:00Z") }))).toEqual({});
  });

  it("waits for the first tick after the schedule was first seen (no backup for a tick long past)", () => {
    expect(planSchedule(input({}))).toEqual({ nextAt: at("2026-12-07T02:00:00Z") });
  });

  it("creates the backup of a tick that has come, and looks again at the next", () => {
    expect(planSchedule(input({ now: at("2026-12-07T02:00:05Z") }))).toEqual({
      create: at("2026-12-07T02:00:00Z"),
      nextAt: at("2026-12-08T02:00:00Z"),
    });
  });

  it("after downtime makes one catch-up, for the latest missed tick", () => {
    const plan = planSchedule(
      input({ lastTick: at("2026-12-01T02:00:00Z"), now: at("2026-12-06T10:00:00Z") }),
    );
    expect(plan).toEqual({ create: at("2026-12-06T02:00:00Z"), nextAt: at("2026-12-07T02:00:00Z") });
    // that backup made, nothing more is due until the next tick
    expect(planSchedule(input({ lastTick: plan.create, now: at("2026-12-06T10:00:01Z") }))).toEqual({
      nextAt: at("2026-12-07T02:00:00Z"),
    });
  });

  it("skips a tick while the previous scheduled backup has not finished, and does not make it up later", () => {
    const running = input({
      lastTick: at("2026-12-06T02:00:00Z"),
      unfinished: "orders-20261206-020000",
      now: at("2026-12-07T02:00:01Z"),
    });
    const plan = planSchedule(running);
    expect(plan).toEqual({ skip: at("2026-12-07T02:00:00Z"), nextAt: at("2026-12-08T02:00:00Z") });
    const after = planSchedule({
      ...running,
      unfinished: undefined,
      skippedThrough: plan.skip,
      now: at("2026-12-07T03:00:00Z"),
    });
    expect(after).toEqual({ nextAt: at("2026-12-08T02:00:00Z") });
  });
});
