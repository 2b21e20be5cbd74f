import type { EchoServer } from "../lib/echo.js";
import { load, type LoadResult } from "../lib/load.js";
import type { Plan } from "../lib/plan.js";
import { shuffled, type Results } from "../lib/results.js";
import type { ScfBenchClient } from "../lib/scf-client.js";
import { invokeChecked, invokeRequest } from "./invoke.js";

const SECTION = "Throughput";
export const CONNECTIONS = [1, 10, 50] as const;

function record(results: Results, label: string, r: LoadResult, floor?: LoadResult): void {
  const note = `${r.errors} errors; latency p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms`;
  results.add({ section: SECTION, name: `${label}, ${r.connections} connections`, unit: "req/s", value: r.throughput, summary: r.latency, note, ...(floor ? { baseline: "HTTP echo req/s", ratio: r.throughput / floor.throughput } : {}) });
  results.point("p99-vs-connections", label, r.connections, r.latency.p99);
  results.point("throughput-vs-connections", label, r.connections, r.throughput);
}

/** Warm invoke throughput at 1, 10 and 50 keep-alive connections, echo floor alongside. */
export async function throughput(client: ScfBenchClient, echo: EchoServer, plan: Plan, results: Results): Promise<void> {
  const request = invokeRequest(client, "echo-node", "1");
  await invokeChecked(client, request);
  let best = 0;
  for (const connections of CONNECTIONS) {
    const out: Record<string, LoadResult> = {};
    // Unmeasured warm-up at this concurrency: instances scale up (process starts) before we count.
    await load(client.port, request, connections, 1);
    for (const which of shuffled(["echo", "quiver"])) {
      out[which] = await load(which === "echo" ? echo.port : client.port, request, connections, plan.loadSeconds);
    }
    const quiver = out["quiver"] as LoadResult;
    record(results, "bare Node HTTP echo", out["echo"] as LoadResult);
    record(results, "Quiver SCF Invoke (warm, Node)", quiver, out["echo"]);
    if (quiver.errors === 0) best = Math.max(best, quiver.throughput);
  }
  results.target("warm invocations/s on 2 cores (best of 10/50 connections, 0 errors)", "≥ 8,000/s", `${best.toFixed(0)}/s`, best >= 8000);
}
