/**
 * Engine micro-benchmark (no HTTP): cold start from a stem cell, cold start from a fresh process,
 * warm invoke round trip, throughput and idle PSS. Run: node --import tsx bench/engine.ts
 */
import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import type { Engine } from "../src/runtime/index.js";
import { fixture, request } from "../test/runtime/helpers.js";

const ECHO = "exports.main_handler = async (e) => e.pid ? process.pid : e;";
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

function report(name: string, xs: number[], unit = "ms"): void {
  console.log(`${name.padEnd(34)} n=${xs.length} p50=${pct(xs, 50).toFixed(3)} p90=${pct(xs, 90).toFixed(3)} p99=${pct(xs, 99).toFixed(3)} ${unit}`);
}

async function cold(engine: Engine, sha: string, n: number, waitStem: boolean, tag: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (waitStem) while (engine.stats().stems.nodejs < 1) await sleep(5);
    const t = performance.now();
    const o = await engine.invoke(request({ sha, key: `${tag}${i}`, event: { i } }));
    out.push(performance.now() - t);
    if (o.error !== null) throw new Error(o.error.message);
  }
  return out;
}

async function pss(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, "utf8");
  return Number(/Pss:\s+(\d+)/.exec(text)?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  const f = await fixture();
  const sha = await f.zip({ "index.js": ECHO });
  const engine = f.engine({ prewarm: { nodejs: 1, python: 0 }, maxInstancesTotal: 200, maxInstancesPerFunction: 4 });
  await engine.ready();
  await engine.invoke(request({ sha, key: "extract" })); // code cache filled once
  report("cold start, stem cell", await cold(engine, sha, 40, true, "s"));
  const fresh = f.engine({ prewarm: { nodejs: 0, python: 0 }, maxInstancesTotal: 200 });
  report("cold start, fresh process", await cold(fresh, sha, 20, false, "f"));
  await fresh.close();

  const warm: number[] = [];
  const ev = { hello: "world" };
  for (let i = 0; i < 3000; i++) {
    const t = performance.now();
    await engine.invoke(request({ sha, key: "warm", event: ev }));
    warm.push(performance.now() - t);
  }
  report("warm invoke (engine round trip)", warm.slice(500));

  const until = performance.now() + 3000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      await engine.invoke(request({ sha, key: "tput", event: ev }));
      done++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  console.log(`throughput, 8 callers, ≤4 instances  ${(done / 3).toFixed(0)} invocations/s`);

  const pids: number[] = [];
  for (let i = 0; i < 10; i++) pids.push(Number((await engine.invoke(request({ sha, key: `s${i}`, event: { pid: 1 } }))).result));
  await sleep(500);
  const psses = await Promise.all(pids.map(pss));
  report("idle instance PSS", psses, "MB");
  await engine.close();
}

await main();
