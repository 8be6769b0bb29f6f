import { describe, expect, it } from "vitest";
import { chartSvg } from "../../bench/plot.ts";

const countOf = (svg: string, needle: RegExp) => svg.match(needle)?.length ?? 0;

describe("bench charts", () => {
  it("draws a line chart with its titles, axis titles and one legend entry per series", async () => {
    const svg = await chartSvg({
      title: "Throughput by nodes",
      subtitle: "N=3, 1 KiB values",
      xTitle: "Nodes",
      yTitle: "operations/s",
      points: [
        { x: 3, y: 6000, series: "writes" },
        { x: 5, y: 5000, series: "writes" },
        { x: 3, y: 10000, series: "reads" },
        { x: 5, y: 9000, series: "reads" },
      ],
    });
    expect(svg.startsWith("<svg")).toBe(true);
    for (const text of [
      "Throughput by nodes",
      "N=3, 1 KiB values",
      "Nodes",
      "operations/s",
      "writes",
      "reads",
    ])
      expect(svg).toContain(`>${text}<`);
    // one path per series line
    expect(countOf(svg, /aria-roledescription="line mark"/g)).toBe(2);
  });

  it("draws categories as bars side by side, one per point, in the order given", async () => {
    const svg = await chartSvg({
      title: "Lag",
      subtitle: "at 5,000 writes/s",
      xTitle: "Topology",
      yTitle: "ms",
      xScale: "ordinal",
      points: [
        { x: "Star", y: 20, series: "3 leaders" },
        { x: "AllToAll", y: 10, series: "3 leaders" },
        { x: "Star", y: 40, series: "5 leaders" },
        { x: "AllToAll", y: 30, series: "5 leaders" },
      ],
    });
    expect(countOf(svg, /aria-roledescription="bar"/g)).toBe(4);
    expect(svg.indexOf(">Star<")).toBeLessThan(svg.indexOf(">AllToAll<"));
  });
});
