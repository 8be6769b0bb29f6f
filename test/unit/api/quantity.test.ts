import { describe, expect, it } from "vitest";
import { parseQuantity } from "../../../src/api/quantity.ts";

describe("parseQuantity", () => {
  it.each([
    ["1Mi", 1_048_576],
    ["256Mi", 268_435_456],
    ["1Gi", 1_073_741_824],
    ["1Ki", 1_024],
    ["100M", 100_000_000],
    ["1k", 1_000],
    ["4096", 4_096],
    ["0", 0],
    ["1.5Ki", 1_536],
    ["0.5", 1],
  ])("%s is %d bytes", (text, bytes) => {
    expect(parseQuantity(text)).toBe(bytes);
  });

  it.each(["", "1GB", "1 Gi", "-1Mi", "1mi", "1e3", "Mi", "1.Mi"])(
    "rejects %j with an example of a valid one",
    (text) => {
      expect(() => parseQuantity(text)).toThrow(/invalid quantity .*: use a size such as 512Mi, 1Gi or 100M/);
    },
  );

  it("rejects sizes too large to count in bytes exactly", () => {
    expect(() => parseQuantity("16Ei")).toThrow(/too large/);
  });
});
