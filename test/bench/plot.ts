/**
 * SVG charts for the scaling benches (docs/performance/*.svg), drawn by Vega-Lite in Node: no
 * browser, no canvas. A chart is a line per series over a numeric x axis, or bars side by side per
 * series over categories (value sizes, topologies), where a line between points would mean nothing.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

export interface Point {
  x: number | string;
  y: number;
  /** the line the point belongs to (one colour each) */
  series: string;
}

export interface Chart {
  title: string;
  /** a line under the title: what was measured, how */
  subtitle: string;
  xTitle: string;
  yTitle: string;
  points: readonly Point[];
  /** `ordinal` for categories (value sizes, topologies); `log` for x that grows by factors */
  xScale?: "linear" | "log" | "ordinal";
  yScale?: "linear" | "log";
}

export async function chartSvg(chart: Chart): Promise<string> {
  const ordinal = chart.xScale === "ordinal";
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: chart.title, subtitle: chart.subtitle },
    width: 420,
    height: 240,
    data: { values: chart.points.map((p) => ({ ...p })) },
    mark: ordinal ? { type: "bar" } : { type: "line", point: true },
    encoding: {
      ...(ordinal ? { xOffset: { field: "series", sort: null } } : {}),
      x: {
        field: "x",
        type: ordinal ? "ordinal" : "quantitative",
        title: chart.xTitle,
        ...(ordinal ? { sort: null, axis: { labelAngle: 0 } } : {}),
        ...(chart.xScale === "log" ? { scale: { type: "log" } } : {}),
      },
      y: {
        field: "y",
        type: "quantitative",
        title: chart.yTitle,
        ...(chart.yScale === "log" ? { scale: { type: "log" } } : { scale: { zero: true } }),
      },
      color: { field: "series", type: "nominal", title: null, sort: null },
    },
    config: { font: "sans-serif" },
  };
  const view = new View(parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Writes each chart as `<dir>/<name>.svg`; returns the paths written. */
export async function writeCharts(dir: string, charts: Record<string, Chart>): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, chart] of Object.entries(charts)) {
    const path = join(dir, `${name}.svg`);
    await writeFile(path, `${await chartSvg(chart)}\n`);
    written.push(path);
  }
  return written;
}
