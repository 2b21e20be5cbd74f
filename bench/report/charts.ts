import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { Point } from "../lib/results.js";

export interface Chart {
  readonly file: string;
  readonly title: string;
}

interface ChartDef {
  readonly id: string;
  readonly title: string;
  readonly x: string;
  readonly y: string;
  readonly logX?: boolean;
  readonly mark?: "line" | "bar";
}

const DEFS: readonly ChartDef[] = [
  { id: "publish-vs-versions", title: "PublishVersion latency vs existing versions", x: "existing versions", y: "ms", logX: true },
  { id: "publish-vs-size", title: "PublishVersion p50 vs code size (10 versions)", x: "code size (MB)", y: "ms" },
  { id: "p99-vs-connections", title: "Warm invoke p99 vs keep-alive connections", x: "connections", y: "p99 ms" },
  { id: "throughput-vs-connections", title: "Warm invocations/s vs keep-alive connections", x: "connections", y: "requests/s" },
  { id: "peers-p50", title: "Warm invoke p50, same handler, same machine", x: "", y: "ms", mark: "bar" },
];

function specOf(def: ChartDef, points: readonly Point[]): TopLevelSpec {
  const values = points.map((p) => ({ series: p.series, x: p.x, y: p.y }));
  if (def.mark === "bar") {
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: def.title, width: 420, height: 180, data: { values }, mark: "bar",
      encoding: { y: { field: "series", type: "nominal", title: null, sort: "x" }, x: { field: "y", type: "quantitative", title: def.y } },
    };
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: def.title, width: 420, height: 240, data: { values }, mark: { type: "line", point: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: def.x, scale: def.logX ? { type: "log" } : {} },
      y: { field: "y", type: "quantitative", title: def.y },
      color: { field: "series", type: "nominal", title: null },
    },
  };
}

/** Renders every chart that has data to SVG (vega-lite → vega → headless View, no canvas). */
export async function renderCharts(points: readonly Point[], dir: string): Promise<Chart[]> {
  mkdirSync(dir, { recursive: true });
  const charts: Chart[] = [];
  for (const def of DEFS) {
    const mine = points.filter((p) => p.chart === def.id);
    if (mine.length === 0) continue;
    const view = new vega.View(vega.parse(compile(specOf(def, mine)).spec), { renderer: "none" });
    const svg = await view.toSVG();
    view.finalize();
    writeFileSync(join(dir, `${def.id}.svg`), svg);
    charts.push({ file: `${def.id}.svg`, title: def.title });
  }
  return charts;
}
