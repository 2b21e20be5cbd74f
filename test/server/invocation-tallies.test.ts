/**
 * The invocation metrics are tallied in plain objects and rendered at scrape: the exposition
 * must say exactly what prom-client's own counter and histogram would have said for the same
 * invocations, bucket edges, the label cap's `_other` series and throttled calls included.
 */
import assert from "node:assert/strict";
import { Counter, Histogram, Registry } from "prom-client";
import type { InvocationRecord } from "../../src/core/invocation-records.js";
import { DURATION_BUCKETS, InvocationTallies } from "../../src/server/invocation-tallies.js";
import { FunctionLabelCap } from "../../src/server/metric-labels.js";
import { describe, it } from "../helpers/node-test.js";
import { parseExposition, type Sample } from "../helpers/prometheus.js";

type Call = Pick<InvocationRecord, "functionName" | "versionName" | "source" | "resultCode" | "durationMs">;

function record(call: Call): InvocationRecord {
  return { ...call, scope: { accountId: "alice", region: "ap-guangzhou" }, namespace: "default" } as InvocationRecord;
}

/** The same calls through prom-client's own metrics, as the server counted them before. */
async function promClientText(calls: readonly Call[], cap: FunctionLabelCap): Promise<string> {
  const registry = new Registry();
  const labelNames = ["account", "region", "namespace", "function", "version"];
  const counter = new Counter({ name: "quiver_invocations_total", help: "h", labelNames: [...labelNames, "source", "result"], registers: [registry] });
  const histogram = new Histogram({ name: "quiver_invocation_duration_seconds", help: "h", labelNames, buckets: [...DURATION_BUCKETS], registers: [registry] });
  for (const call of calls) {
    const r = record(call);
    const labels = { ...cap.labels(r.scope, r.namespace, r.functionName, r.versionName || "_none") };
    counter.inc({ ...labels, source: r.source, result: r.resultCode });
    if (r.versionName !== "" && r.resultCode !== "throttled") histogram.observe(labels, r.durationMs / 1000);
  }
  return registry.metrics();
}

async function talliedText(calls: readonly Call[], cap: FunctionLabelCap): Promise<string> {
  const registry = new Registry();
  const tallies = new InvocationTallies(cap);
  tallies.register(registry);
  for (const call of calls) tallies.record(record(call));
  return registry.metrics();
}

const key = (s: Sample): string => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;

function samples(text: string): Map<string, number> {
  const exposition = parseExposition(text);
  return new Map(exposition.samples.map((s) => [key(s), s.value]));
}

describe("invocation tallies", () => {
  it("render what prom-client's counter and histogram render for the same calls", async () => {
    const calls: Call[] = [];
    // Durations on and around every bucket edge, above the last, and zero.
    for (const le of DURATION_BUCKETS) for (const ms of [le * 1000 - 0.5, le * 1000, le * 1000 + 0.5]) calls.push({ functionName: "edges", versionName: "1", source: "invoke", resultCode: "success", durationMs: ms });
    calls.push({ functionName: "edges", versionName: "1", source: "http", resultCode: "function-error", durationMs: 1_000_000 });
    calls.push({ functionName: "edges", versionName: "1", source: "invoke", resultCode: "success", durationMs: 0 });
    // Throttled calls and an async call that ran nothing are counted but not timed.
    calls.push({ functionName: "edges", versionName: "1", source: "invoke", resultCode: "throttled", durationMs: 7 });
    calls.push({ functionName: "gone", versionName: "", source: "async", resultCode: "start-failure", durationMs: 3 });
    // Past the cap (2 functions, 2 versions each): several functions and versions share `_other` series.
    for (const [fn, v] of [["edges", "2"], ["edges", "3"], ["edges", "4"], ["third", "1"], ["fourth", "9"]] as const) {
      for (let i = 0; i < 3; i++) calls.push({ functionName: fn, versionName: v, source: "timer", resultCode: "success", durationMs: 40 * (i + 1) });
    }
    const expected = samples(await promClientText(calls, new FunctionLabelCap(2, 2)));
    const actual = samples(await talliedText(calls, new FunctionLabelCap(2, 2)));
    assert.ok(expected.size > 40, "the comparison covers many series");
    assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
    for (const [k, v] of expected) assert.ok(Math.abs((actual.get(k) ?? NaN) - v) < 1e-9, `${k}: ${actual.get(k)} ≠ ${v}`);
  });

  it("declare a counter and a histogram", async () => {
    const types = parseExposition(await talliedText([{ functionName: "f", versionName: "1", source: "invoke", resultCode: "success", durationMs: 1 }], new FunctionLabelCap(10, 10))).types;
    assert.equal(types.get("quiver_invocations_total"), "counter");
    assert.equal(types.get("quiver_invocation_duration_seconds"), "histogram");
  });
});
