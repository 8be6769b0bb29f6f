import { describe, expect, it } from "vitest";
import { parseDuration } from "../../../src/api/duration.ts";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["2s", 2_000],
    ["24h", 86_400_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["720h", 2_592_000_000],
    ["0", 0],
    ["250us", 0.25],
    ["1m0.5s", 60_500],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "5", "5 minutes", "1d", "-1s", "1h 30m", "ms", "1.s", "2S"])(
    "rejects %j with an example of a valid one",
    (text) => {
      expect(() => parseDuration(text)).toThrow(
        /invalid duration .*: use a duration such as 500ms, 30s, 24h or 1h30m/,
      );
    },
  );

  it("names the bad value in the error", () => {
    expect(() => parseDuration("5 minutes")).toThrow('invalid duration "5 minutes"');
  });
});
