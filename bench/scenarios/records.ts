import { load, loadInTurns } from "../lib/load.js";
import type { Plan } from "../lib/plan.js";
import { sample, shuffled, type Results } from "../lib/results.js";
import { ScfBenchClient } from "../lib/scf-client.js";
import { startQuiver, type RunningServer } from "../lib/server.js";
import { summarize } from "../lib/stats.js";
import { invokeChecked, invokeRequest } from "./invoke.js";
import { makeZip } from "../lib/zip.js";

const SECTION = "Invocation records";

/** A server and a client with echo-node version 1 published. */
async function serverWith(args: string[]): Promise<{ server: RunningServer; client: ScfBenchClient }> {
  const server = await startQuiver(["--max-instances", "200", ...args]);
  const client = new ScfBenchClient(server.port, server.account.secretId, server.account.secretKey);
  await client.call("CreateFunction", { FunctionName: "echo-node", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: (await makeZip(0)).toString("base64") } });
  await client.call("PublishVersion", { FunctionName: "echo-node" });
  return { server, client };
}

/**
 * What writing a durable record of every invocation costs: two servers, one with records (the
 * default) and one started with --no-records, measured in the same run — warm invoke latency
 * interleaved in shuffled batches, then throughput at 10 and 50 connections, in turns (`loadInTurns`).
 */
export async function recordsCost(plan: Plan, results: Results): Promise<void> {
  const on = await serverWith([]);
  const off = await serverWith(["--no-records"]);
  try {
    const requests = { on: invokeRequest(on.client, "echo-node", "1"), off: invokeRequest(off.client, "echo-node", "1") };
    const kinds: Record<"on" | "off", () => Promise<unknown>> = {
      on: () => invokeChecked(on.client, requests.on),
      off: () => invokeChecked(off.client, requests.off),
    };
    const times: Record<"on" | "off", number[]> = { on: [], off: [] };
    for (const run of Object.values(kinds)) await sample(200, run);
    for (let done = 0; done < plan.warmSamples; done += 20) {
      for (const which of shuffled(["on", "off"] as const)) times[which].push(...(await sample(20, kinds[which])));
    }
    const withRecords = summarize(times.on);
    const without = summarize(times.off);
    results.add({ section: SECTION, name: "warm SCF Invoke, records off (--no-records)", unit: "ms", summary: without });
    results.add({ section: SECTION, name: "warm SCF Invoke, records on (default)", unit: "ms", summary: withRecords, baseline: "records off p50", ratio: withRecords.p50 / without.p50 });
    results.target("warm invoke p50 with records vs without", "≤ 1.05×", `${(withRecords.p50 / without.p50).toFixed(3)}× (${withRecords.p50.toFixed(3)} vs ${without.p50.toFixed(3)} ms)`, withRecords.p50 / without.p50 <= 1.05);
    const targets = { on: { port: on.server.port, request: requests.on }, off: { port: off.server.port, request: requests.off } };
    for (const connections of [10, 50]) {
      // Unmeasured: instances scale up first.
      for (const target of Object.values(targets)) await load(target.port, target.request, connections, 1);
      const out = await loadInTurns(targets, connections, plan.loadSeconds, plan.quick ? 2 : 8);
      const a = out.on;
      const b = out.off;
      results.add({ section: SECTION, name: `warm SCF Invoke throughput, records off, ${connections} connections`, unit: "req/s", value: b.throughput, summary: b.latency, note: `${b.errors} errors` });
      results.add({ section: SECTION, name: `warm SCF Invoke throughput, records on, ${connections} connections`, unit: "req/s", value: a.throughput, summary: a.latency, note: `${a.errors} errors`, baseline: "records off req/s", ratio: a.throughput / b.throughput });
      results.target(`throughput with records vs without, ${connections} connections`, "≥ 0.95×", `${(a.throughput / b.throughput).toFixed(3)}× (${a.throughput.toFixed(0)} vs ${b.throughput.toFixed(0)}/s)`, a.throughput / b.throughput >= 0.95);
    }
  } finally {
    on.client.close();
    off.client.close();
    await on.server.stop();
    await off.server.stop();
  }
}
