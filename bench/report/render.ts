/**
 * Re-renders a report from a results JSON (after a change to targets or layout, without
 * re-running): node --import tsx bench/report/render.ts bench/results/<date>.json [--docs]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Results, type Point, type Row } from "../lib/results.js";
import { renderCharts } from "./charts.js";
import { markdown, type RunInfo } from "./markdown.js";
import { peerPoints, publishTargets, warmTargets } from "./targets.js";

const file = process.argv[2] ?? "";
const saved = JSON.parse(readFileSync(file, "utf8")) as RunInfo & { rows: Row[]; points: Point[]; notes: string[]; targets: Results["targets"] };
const results = new Results();
saved.rows.forEach((row) => results.add(row));
saved.points.forEach((pt) => results.point(pt.chart, pt.series, pt.x, pt.y));
saved.notes.forEach((n) => results.note(n));
// Targets recorded during the run stay; derived ones are recomputed.
const derived = /overhead|alias vs direct|^publish |ListVersionByFunction/;
saved.targets.filter((t) => !derived.test(t.what)).forEach((t) => results.target(t.what, t.goal, t.measured, t.pass));
publishTargets(results);
warmTargets(results);
peerPoints(results);
writeFileSync(file, `${JSON.stringify({ ...saved, targets: results.targets, points: results.points }, null, 2)}\n`);
const dir = new URL("../../docs/", import.meta.url);
const charts = await renderCharts(results.points, new URL("perf/", dir).pathname);
if (process.argv.includes("--docs")) writeFileSync(new URL("performance.md", dir), markdown(saved, results.rows, results.targets, results.notes, charts, "perf/"));
