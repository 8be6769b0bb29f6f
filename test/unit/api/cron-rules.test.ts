import { describe, expect, it } from "vitest";
import { backwardRanges } from "../../../src/api/cron-rules.ts";
import { validateManifest } from "../../../src/api/validate.ts";
import { manifest } from "./manifests.ts";

describe("backward cron ranges (what the CRD's regular expressions cannot see)", () => {
  it("names the field and the range, for numbers and names", () => {
    expect(backwardRanges("30-10 * * * *")).toEqual([
      'spec.antiEntropy.schedule "30-10 * * * *": the minute (1st field) range "30-10" runs backwards: write ranges from low to high, and a span that wraps around as two (30-59,0-10)',
    ]);
    const named = backwardRanges("0 0 * DEC-jan FRI-MON/2");
    expect(named).toHaveLength(2);
    expect(named[0]).toContain('the month (4th field) range "DEC-jan" runs backwards');
    expect(named[0]).toContain("(DEC-DEC,JAN-jan)");
    expect(named[1]).toContain("(FRI-SAT,SUN-MON)");
  });

  it("accepts ranges in order, single values, steps and macros", () => {
    for (const schedule of ["10-30 * * * *", "1-1 * * * *", "*/5 0-23/2 1,15 JAN-DEC MON-FRI", "@daily"]) {
      expect(backwardRanges(schedule), schedule).toEqual([]);
    }
  });

  it("makes replistore up and the operator refuse the manifest", () => {
    const result = validateManifest(manifest({ antiEntropy: { schedule: "0 22-2 * * *" } }));
    expect(result.ok ? [] : result.errors).toEqual([
      'spec.antiEntropy.schedule "0 22-2 * * *": the hour (2nd field) range "22-2" runs backwards: write ranges from low to high, and a span that wraps around as two (22-23,0-2)',
    ]);
  });
});
