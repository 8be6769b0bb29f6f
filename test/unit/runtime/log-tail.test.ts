import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tailLines } from "../../../src/runtime/log-tail.ts";
import { tempDir } from "./helpers.ts";

describe("tailLines", () => {
  const path = join(tempDir("tail"), "n.log");
  writeFileSync(path, "--- start ---\nold 1\nold 2\n--- start ---\nnew 1\nnew 2\nnew 3\n");

  it("returns the last lines", () => {
    expect(tailLines(path, 2)).toEqual(["new 2", "new 3"]);
  });

  it("skips lines from earlier runs", () => {
    expect(tailLines(path, 10, "--- start")).toEqual(["new 1", "new 2", "new 3"]);
  });

  it("returns nothing for a missing file", () => {
    expect(tailLines(join(path, "..", "absent.log"), 5)).toEqual([]);
  });
});
