import { describe, expect, it } from "vitest";
import { restartDelay } from "../../../src/runtime/backoff.ts";

describe("restartDelay", () => {
  it("doubles from 0.5s and stops at 10s", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(restartDelay)).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
  });
});
