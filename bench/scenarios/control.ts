import type { Plan } from "../lib/plan.js";
import { sample, shuffled, type Results } from "../lib/results.js";
import type { ScfBenchClient } from "../lib/scf-client.js";
import { summarize } from "../lib/stats.js";
import { makeZip } from "../lib/zip.js";
import type { ControlDialect } from "./dialects.js";

const SECTION = "Control plane";
const MB = 1024 * 1024;
const SIZES: readonly { label: string; bytes: number }[] = [
  { label: "1 KB", bytes: 1024 },
  { label: "1 MB", bytes: MB },
  { label: "20 MB", bytes: 20 * MB },
];

/** Publishes `count` versions with `inFlight` requests at a time (setup, not measured). */
async function publishMany(dialect: ControlDialect, functionName: string, count: number, inFlight: number): Promise<void> {
  let left = count;
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left -= 1;
      await dialect.publish(functionName);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
}

async function measureCreate(dialect: ControlDialect, plan: Plan, results: Results): Promise<void> {
  const zip = await makeZip(1024);
  let i = 0;
  const times = await sample(plan.createSamples, async () => {
    await dialect.create(`create-${(i += 1)}`, zip);
  });
  for (let j = 1; j <= i; j += 1) await dialect.deleteFunction(`create-${j}`);
  results.add({ section: SECTION, name: `${dialect.name} CreateFunction (1 KB code)`, unit: "ms", summary: summarize(times) });
}

/** UpdateFunctionCode per code size, sizes interleaved so machine noise hits them alike. */
async function measureUpdate(dialect: ControlDialect, plan: Plan, results: Results): Promise<void> {
  const zips = await Promise.all(SIZES.map((s) => makeZip(s.bytes)));
  await dialect.create("update-code", zips[0] as Buffer);
  const times = SIZES.map((): number[] => []);
  for (let round = 0; round < plan.updateSamples + 2; round += 1) {
    for (const k of shuffled([0, 1, 2])) {
      const ms = await dialect.updateCode("update-code", zips[k] as Buffer);
      if (round >= 2) times[k]?.push(ms);
    }
  }
  SIZES.forEach((s, k) => {
    const summary = summarize(times[k] ?? []);
    results.add({ section: SECTION, name: `${dialect.name} UpdateFunctionCode (${s.label})`, unit: "ms", summary });
  });
}

interface PublishCase {
  readonly name: string;
  readonly versions: number;
  readonly bytes: number;
}

/** PublishVersion latency; each measured publish is deleted again so the count stays put. */
export async function measurePublish(dialect: ControlDialect, plan: Plan, results: Results, prefix = "pub"): Promise<void> {
  const cases: PublishCase[] = [
    ...plan.versionCounts.map((v) => ({ name: `${prefix}-v${v}`, versions: v, bytes: 1024 })),
    ...SIZES.slice(1).map((s) => ({ name: `${prefix}-${s.bytes}`, versions: 10, bytes: s.bytes })),
  ];
  for (const c of cases) {
    await dialect.create(c.name, await makeZip(c.bytes));
    await publishMany(dialect, c.name, c.versions, 8);
  }
  const times = new Map(cases.map((c) => [c, [] as number[]]));
  const warmup = 20;
  for (let round = 0; round < plan.publishSamples + warmup; round += 1) {
    for (const c of shuffled(cases)) {
      const { ms, version } = await dialect.publish(c.name);
      await dialect.deleteVersion(c.name, version);
      if (round >= warmup) times.get(c)?.push(ms);
    }
  }
  for (const c of cases) {
    const summary = summarize(times.get(c) ?? []);
    const size = SIZES.find((s) => s.bytes === c.bytes)?.label ?? "";
    results.add({ section: SECTION, name: `${dialect.name} PublishVersion (${c.versions} versions, ${size})`, unit: "ms", summary });
    if (c.bytes === 1024) results.point("publish-vs-versions", `${dialect.name} p50`, c.versions, summary.p50);
    if (c.bytes === 1024) results.point("publish-vs-versions", `${dialect.name} p99`, c.versions, summary.p99);
    if (c.versions === 10) results.point("publish-vs-size", `${dialect.name} p50`, c.bytes / MB, summary.p50);
  }
}

/** ListVersionByFunction pages (Limit 100, SCF's maximum) at the start, middle and end. */
async function measureList(client: ScfBenchClient, plan: Plan, results: Results): Promise<void> {
  const versions = Math.max(...plan.versionCounts);
  for (const [label, offset] of [["first", 0], ["middle", Math.floor(versions / 2)], ["last", versions - 99]] as const) {
    const signed = client.sign("ListVersionByFunction", { FunctionName: `pub-v${versions}`, Offset: offset, Limit: 100 });
    const times = await sample(plan.listSamples, () => client.send("ListVersionByFunction", signed));
    results.add({ section: SECTION, name: `SCF ListVersionByFunction, ${versions} versions, ${label} page of 100`, unit: "ms", summary: summarize(times.slice(5)) });
  }
}

/** 50 publishes in flight on one function: latency of each, and whether numbers stay gap-free. */
async function measureConcurrent(dialect: ControlDialect, plan: Plan, results: Results): Promise<void> {
  await dialect.create("concurrent", await makeZip(1024));
  const times: number[] = [];
  const walls: number[] = [];
  let gapFree = true;
  for (let round = 0; round < plan.concurrentRounds; round += 1) {
    const start = performance.now();
    const out = await Promise.all(Array.from({ length: 50 }, () => dialect.publish("concurrent")));
    walls.push(performance.now() - start);
    times.push(...out.map((o) => o.ms));
    const numbers = out.map((o) => Number(o.version)).sort((a, b) => a - b);
    gapFree &&= numbers.every((n, k) => n === round * 50 + k + 1);
  }
  const wall = summarize(walls);
  results.add({ section: SECTION, name: `${dialect.name} PublishVersion, 50 in flight on one function`, unit: "ms", summary: summarize(times), note: `batch of 50 done in p50 ${wall.p50.toFixed(1)} ms (${(50_000 / wall.p50).toFixed(0)} publishes/s); numbers ${gapFree ? "unique and gap-free" : "NOT gap-free"}` });
  results.target("concurrent publishes: unique, gap-free numbers", "all rounds", gapFree ? "yes" : "no", gapFree);
}

export async function controlPlane(client: ScfBenchClient, dialect: ControlDialect, plan: Plan, results: Results): Promise<void> {
  await measureCreate(dialect, plan, results);
  await measureUpdate(dialect, plan, results);
  await measurePublish(dialect, plan, results);
  await measureList(client, plan, results);
  await measureConcurrent(dialect, plan, results);
}
