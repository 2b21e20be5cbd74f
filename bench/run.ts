/**
 * `npm run bench [-- --quick]`: measures Quiver against floors taken in the same run, prints a
 * table and writes bench/results/<date>.json. A benchmark, not a test: it never fails on a
 * missed target, it reports it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { httpEchoFloor, sqliteCommitFloor } from "./lib/baselines.js";
import { ScfBenchClient } from "./lib/scf-client.js";
import { startQuiver } from "./lib/server.js";
import { fmt, type Summary } from "./lib/stats.js";
import { measurePublish, type PublishScenario } from "./publish.js";

const quick = process.argv.includes("--quick");
const SAMPLES = quick ? 200 : 1000;

interface Row {
  readonly name: string;
  readonly summary: Summary;
}

interface Target {
  readonly what: string;
  readonly goal: string;
  readonly measured: string;
  readonly pass: boolean;
}

const SCENARIOS: readonly PublishScenario[] = [
  { name: "v10-1kb", existingVersions: 10, codeBytes: 1024 },
  { name: "v1000-1kb", existingVersions: 1000, codeBytes: 1024 },
  { name: "v10-20mb", existingVersions: 10, codeBytes: 20 * 1024 * 1024 },
];

async function main(): Promise<void> {
  const rows: Row[] = [];
  process.stdout.write(`Quiver benchmark (${quick ? "quick" : "full"}, ${SAMPLES} samples per scenario)\n`);
  rows.push({ name: "floor: durable SQLite commit", summary: sqliteCommitFloor(SAMPLES) });
  rows.push({ name: "floor: bare Node HTTP echo (keep-alive)", summary: await httpEchoFloor(SAMPLES) });

  const server = await startQuiver(["--scf-max-versions", "100000"]);
  const client = new ScfBenchClient(server.port, server.account.secretId, server.account.secretKey);
  let publish: Record<string, Summary> = {};
  try {
    publish = await measurePublish(client, SCENARIOS, SAMPLES);
    for (const scenario of SCENARIOS) {
      const size = scenario.codeBytes >= 1 << 20 ? "20 MB" : "1 KB";
      rows.push({ name: `SCF PublishVersion, ${scenario.existingVersions} versions, ${size} code`, summary: publish[scenario.name] as Summary });
    }
  } finally {
    client.close();
    await server.stop();
  }

  const targets = publishTargets(publish);
  printTable(rows, targets);
  writeResults(rows, targets);
}

function publishTargets(publish: Record<string, Summary>): Target[] {
  const base = publish["v10-1kb"];
  const many = publish["v1000-1kb"];
  const big = publish["v10-20mb"];
  if (!base || !many || !big) return [];
  const versionsRatio = many.p50 / base.p50;
  const sizeRatio = big.p50 / base.p50;
  return [
    { what: "publish p50 (10 versions, 1 KB)", goal: "<= 2 ms", measured: `${fmt(base.p50)} ms`, pass: base.p50 <= 2 },
    { what: "publish p99 (10 versions, 1 KB)", goal: "<= 10 ms", measured: `${fmt(base.p99)} ms`, pass: base.p99 <= 10 },
    { what: "publish p50 ratio, 1,000 vs 10 versions", goal: "<= 1.2", measured: versionsRatio.toFixed(2), pass: versionsRatio <= 1.2 },
    { what: "publish p50 ratio, 20 MB vs 1 KB code", goal: "<= 1.2", measured: sizeRatio.toFixed(2), pass: sizeRatio <= 1.2 },
  ];
}

function printTable(rows: readonly Row[], targets: readonly Target[]): void {
  const lines = ["", "| scenario | n | p50 ms | p90 ms | p99 ms | max ms |", "|---|---|---|---|---|---|"];
  for (const { name, summary: s } of rows) lines.push(`| ${name} | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p90)} | ${fmt(s.p99)} | ${fmt(s.max)} |`);
  lines.push("", "| target | goal | measured | result |", "|---|---|---|---|");
  for (const t of targets) lines.push(`| ${t.what} | ${t.goal} | ${t.measured} | ${t.pass ? "pass" : "MISS"} |`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

function writeResults(rows: readonly Row[], targets: readonly Target[]): void {
  const dir = new URL("./results/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = new URL(`${stamp}${quick ? "-quick" : ""}.json`, dir);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "", memoryBytes: totalmem(), node: process.version };
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), quick, machine, rows, targets }, null, 2)}\n`);
  process.stdout.write(`\nresults: ${file.pathname}\n`);
}

await main();
