/**
 * Re-renders a report from a results JSON (after a change to targets or layout, without
 * re-running): node --import tsx bench/report/render.ts bench/results/<date>.json [--docs [--force]]
 * Rewrites the JSON (with its publishability), the run's own report.md and charts, and with
 * --docs docs/performance.md and docs/perf/, which it refuses for a run that is not
 * publishable (see lib/publishable.ts) unless --force is given.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { MAX_PUBLISHABLE_LOAD, mayWriteDocs, publishability } from "../lib/publishable.js";
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
const verdict = publishability(saved.scenarios);
const publication = { publishable: verdict.publishable, maxPublishableLoad: MAX_PUBLISHABLE_LOAD, unpublishableReasons: verdict.reasons };
writeFileSync(file, `${JSON.stringify({ ...saved, ...publication, targets: results.targets, points: results.points }, null, 2)}\n`);
// The run's own report, next to its JSON (as bench/run.ts writes it).
const own = file.replace(/\.json$/, "/");
writeFileSync(`${own}report.md`, markdown(saved, results.rows, results.targets, results.notes, await renderCharts(results.points, own), ""));
if (process.argv.includes("--docs")) {
  if (mayWriteDocs(verdict, process.argv.includes("--force"), (line) => process.stderr.write(line))) {
    const docs = new URL("../../docs/", import.meta.url);
    const charts = await renderCharts(results.points, new URL("perf/", docs).pathname);
    writeFileSync(new URL("performance.md", docs), markdown(saved, results.rows, results.targets, results.notes, charts, "perf/"));
  } else {
    process.exitCode = 1;
  }
}
