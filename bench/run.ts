/**
 * `npm run bench [-- --quick] [-- --docs [--force]] [-- --only WORD,…]`: every Quiver benchmark against floors
 * measured in the same run. Writes bench/results/<date>.json and a Markdown report with SVG
 * charts next to it (with --docs also docs/performance.md and docs/perf/), and prints the
 * targets table. A benchmark, not a test: it never fails on a missed target, it reports it.
 * A full run waits (up to five minutes) for the 1-minute load average to fall to 0.5 before
 * each scenario and records it as the scenario starts; a run where one started above 0.5 is
 * labelled NOT publishable (file name, JSON, report) and --docs refuses it without --force.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { sqliteCommitFloor } from "./lib/baselines.js";
import { leftoverFirewallTables } from "./lib/host-debris.js";
import { startEcho, type EchoServer } from "./lib/echo.js";
import { planFor, type Plan } from "./lib/plan.js";
import { MAX_PUBLISHABLE_LOAD, mayWriteDocs, publishability } from "./lib/publishable.js";
import { Results } from "./lib/results.js";
import { ScfBenchClient } from "./lib/scf-client.js";
import { startQuiver, type RunningServer } from "./lib/server.js";
import { FgsBenchClient } from "./lib/fgs-client.js";
import { renderCharts } from "./report/charts.js";
import { markdown, targetTable } from "./report/markdown.js";
import { peerPoints, publishTargets, warmTargets } from "./report/targets.js";
import { controlPlane, measurePublish } from "./scenarios/control.js";
import { fgsDialect, scfDialect } from "./scenarios/dialects.js";
import { coldExhausted } from "./scenarios/exhausted.js";
import { httpTriggerLatency, httpTriggerThroughput, setupHttpTriggers } from "./scenarios/http-trigger.js";
import { aliasSwitch, coldWithPool, frozenWake, setupInvokeFunctions, warmLatency } from "./scenarios/invoke.js";
import { idleInstances, manyFunctions } from "./scenarios/memory.js";
import { peers } from "./scenarios/peers.js";
import { coldWithLayers } from "./scenarios/layers.js";
import { provisionedFirstCall } from "./scenarios/provisioned.js";
import { throughput } from "./scenarios/throughput.js";
import { timerLateness } from "./scenarios/timers.js";
import { recordsCost } from "./scenarios/records.js";
import { clusterScaling, limiterCost } from "./scenarios/cluster.js";

const quick = process.argv.includes("--quick");
const docs = process.argv.includes("--docs");
const force = process.argv.includes("--force");
/**
 * `--only a,b`: run just the scenarios whose name contains one of these words (for working on one
 * target; such a run is never publishable and never written to docs).
 */
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt < 0 ? null : (process.argv[onlyAt + 1] ?? "").split(",").filter((word) => word !== "");

/** How long a full run waits for the machine to go quiet before a scenario (quick runs never wait). */
const SETTLE_MAX_MS = 5 * 60_000;

/**
 * Waits until the 1-minute load average is at most the publishable limit: the scenario before
 * (autocannon on both cores, a thousand publishes) leaves it high, and it decays with a one-minute
 * time constant, so a scenario started at once would measure its predecessor's echo.
 */
async function settle(): Promise<void> {
  const deadline = Date.now() + SETTLE_MAX_MS;
  while ((loadavg()[0] ?? 0) > MAX_PUBLISHABLE_LOAD && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Whether `--only` leaves scenario `name` in this run. */
function selected(name: string): boolean {
  return only === null || only.some((word) => name.includes(word));
}

/**
 * Starts a scenario: waits for a quiet machine, logs it and records the load average it starts
 * at. False when `--only` leaves it out.
 */
async function step(results: Results, name: string): Promise<boolean> {
  if (!selected(name)) return false;
  if (!quick) await settle();
  const load1 = loadavg()[0] ?? 0;
  results.scenario(name, load1);
  const mark = load1 > MAX_PUBLISHABLE_LOAD ? ` — load ${load1.toFixed(2)} > ${MAX_PUBLISHABLE_LOAD}, run not publishable` : ` (load ${load1.toFixed(2)})`;
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${name}${mark}\n`);
  return true;
}

/** The main server: warm path, pool cold starts, alias switch, load, the control plane, then HTTP triggers. */
async function mainServer(plan: Plan, echo: EchoServer, results: Results): Promise<void> {
  const server = await startQuiver(["--scf-max-versions", "20000", "--fgs-max-versions", "20000", "--max-functions", "1000", "--max-instances", "200"]);
  const client = new ScfBenchClient(server.port, server.account.secretId, server.account.secretKey);
  try {
    await setupInvokeFunctions(client);
    if (await step(results, "warm invoke latency")) await warmLatency(client, echo, plan, results);
    if (await step(results, "cold start with stem-cell pool")) await coldWithPool(client, plan, results);
    if (await step(results, "alias switch")) await aliasSwitch(client, plan, results);
    if (await step(results, "warm invoke of a frozen instance")) await frozenWake(client, plan, results);
    if (await step(results, "cold start with two layers")) await coldWithLayers(client, plan, results);
    if (await step(results, "first call on a provisioned instance")) await provisionedFirstCall(client, plan, results);
    if (await step(results, "throughput at 1/10/50 connections")) await throughput(client, echo, plan, results);
    if (only === null) idleInstances(server, results);
    if (await step(results, "control plane")) await controlPlane(client, scfDialect(client), plan, results);
    if (await step(results, "FunctionGraph publish")) await fgsPublish(server, plan, results);
    const urls = await setupHttpTriggers(client);
    if (await step(results, "HTTP trigger and web function latency")) await httpTriggerLatency(urls, echo, plan, results);
    if (await step(results, "HTTP trigger throughput at 10/50 connections")) await httpTriggerThroughput(urls, echo, plan, results);
    if (await step(results, "timer trigger lateness")) {
      const fgs = new FgsBenchClient(server.port, server.huawei);
      try {
        await timerLateness(client, fgs, plan, results);
      } finally {
        fgs.close();
      }
    }
  } finally {
    client.close();
    await server.stop();
  }
}

/** FunctionGraph publish latency, same cases as SCF's (version counts, code sizes). */
async function fgsPublish(server: RunningServer, plan: Plan, results: Results): Promise<void> {
  const fgs = new FgsBenchClient(server.port, server.huawei);
  try {
    await measurePublish(fgsDialect(fgs), plan, results, "fgpub");
    const p50 = results.find("FunctionGraph PublishVersion (10 versions, 1 KB)")?.summary?.p50;
    results.target("FunctionGraph publish p50 (10 versions, 1 KB)", "≤ 2 ms", p50 === undefined ? "—" : `${p50.toFixed(2)} ms`, p50 === undefined ? null : p50 <= 2);
  } finally {
    fgs.close();
  }
}

async function exhaustedServer(plan: Plan, results: Results): Promise<void> {
  const server = await startQuiver(["--prewarm-nodejs", "0", "--prewarm-python", "0", "--max-instances", "200"]);
  const client = new ScfBenchClient(server.port, server.account.secretId, server.account.secretKey);
  try {
    await setupInvokeFunctions(client);
    await coldExhausted(client, plan, results);
  } finally {
    client.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const plan = planFor(quick);
  const results = new Results();
  const load0 = loadavg();
  process.stdout.write(`Quiver benchmark (${quick ? "quick" : "full"})\n`);
  const leftovers = leftoverFirewallTables();
  if (leftovers.length > 0) {
    process.stdout.write(`WARNING: ${leftovers.length} nftables tables of killed Quiver servers hook every packet of this host and slow loopback; with no Quiver running, remove them first: for t in ${leftovers.slice(0, 3).join(" ")}${leftovers.length > 3 ? " …" : ""}; do nft delete table inet $t; done\n`);
  }
  if (await step(results, "floors: durable SQLite commit")) results.add({ section: "Floors", name: "floor: durable SQLite commit (WAL, synchronous=FULL)", unit: "ms", summary: sqliteCommitFloor(plan.floorSamples) });
  const echo = await startEcho();
  try {
    await mainServer(plan, echo, results);
    if (await step(results, "cold start, pool exhausted, with process-start floors")) await exhaustedServer(plan, results);
    if (await step(results, "invocation records on vs off")) await recordsCost(plan, results);
    if (await step(results, `server memory and publish rate with ${plan.manyFunctions} functions`)) await manyFunctions(plan, results);
    if (await step(results, "peers")) await peers(plan, results);
    if (await step(results, "cluster: rate-limit check in memory, Redis, PostgreSQL")) await limiterCost(plan, results);
    if (await step(results, "cluster: three nodes vs one behind HAProxy")) await clusterScaling(plan, results);
  } finally {
    echo.stop();
  }
  publishTargets(results);
  warmTargets(results);
  peerPoints(results);
  await write(results, { start: load0, seconds: (performance.now() - started) / 1000 });
}

async function write(results: Results, run: { start: number[]; seconds: number }): Promise<void> {
  const date = new Date().toISOString();
  const verdict = only === null ? publishability(results.scenarios) : { publishable: false, reasons: [`--only ${only.join(",")} ran part of the bench`] };
  // "-quick" and "-only" stay last: .gitignore keeps quick and partial runs out of the repository by those suffixes.
  const stamp = `${date.replace(/[:.]/g, "-")}${verdict.publishable ? "" : "-unpublishable"}${quick ? "-quick" : ""}${only === null ? "" : "-only"}`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`;
  const info = { date, command: `npm run bench${quick ? " -- --quick" : ""}`, machine, loadavg: { start: run.start, end: loadavg() }, seconds: run.seconds, scenarios: results.scenarios };
  const dir = new URL("./results/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  const publication = { publishable: verdict.publishable, maxPublishableLoad: MAX_PUBLISHABLE_LOAD, unpublishableReasons: verdict.reasons };
  writeFileSync(new URL(`${stamp}.json`, dir), `${JSON.stringify({ ...info, ...publication, quick, rows: results.rows, targets: results.targets, points: results.points, notes: results.notes }, null, 2)}\n`);
  const charts = await renderCharts(results.points, new URL(`${stamp}/`, dir).pathname);
  writeFileSync(new URL(`${stamp}/report.md`, dir), markdown(info, results.rows, results.targets, results.notes, charts, ""));
  if (!verdict.publishable) process.stdout.write(`\nNOT PUBLISHABLE:\n${verdict.reasons.map((r) => `  - ${r}`).join("\n")}\n`);
  if (docs && !mayWriteDocs(verdict, force, (line) => process.stderr.write(line))) {
    process.exitCode = 1;
  } else if (docs) {
    const docsDir = new URL("../docs/", import.meta.url);
    await renderCharts(results.points, new URL("perf/", docsDir).pathname);
    writeFileSync(new URL("performance.md", docsDir), markdown(info, results.rows, results.targets, results.notes, charts, "perf/"));
  }
  process.stdout.write(`\n${targetTable(results.targets).join("\n")}\n\nresults: ${new URL(`${stamp}.json`, dir).pathname}\nreport:  ${new URL(`${stamp}/report.md`, dir).pathname}\n`);
}

await main();
