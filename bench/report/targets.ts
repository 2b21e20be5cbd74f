import type { Results, Row } from "../lib/results.js";

function p(results: Results, name: string): Row["summary"] {
  return results.find(name)?.summary;
}

/** Warm-path targets are differences against the echo floor taken in the same interleaved loop. */
export function warmTargets(results: Results): void {
  const floor = p(results, "floor: bare Node HTTP echo (same request bytes)");
  const direct = p(results, "warm SCF Invoke, Node, version 1");
  const alias = p(results, "warm SCF Invoke, Node, alias live → 1");
  if (!floor || !direct || !alias) return;
  const p50 = direct.p50 - floor.p50;
  const p99 = direct.p99 - floor.p99;
  const aliasDiff = alias.p50 - direct.p50;
  results.target("warm invoke overhead over HTTP echo, p50", "≤ 0.5 ms", `${p50.toFixed(3)} ms (${direct.p50.toFixed(3)} − ${floor.p50.toFixed(3)})`, p50 <= 0.5);
  results.target("warm invoke overhead over HTTP echo, p99", "≤ 3 ms", `${p99.toFixed(3)} ms (${direct.p99.toFixed(3)} − ${floor.p99.toFixed(3)})`, p99 <= 3);
  results.target("alias vs direct invoke, p50 difference", "≤ 0.05 ms", `${aliasDiff.toFixed(3)} ms`, aliasDiff <= 0.05);
}

/** The peer bar chart: warm p50 of each path on the same echo handler. */
export function peerPoints(results: Results): void {
  const bars: [string, string][] = [
    ["bare Node HTTP echo", "floor: bare Node HTTP echo (same request bytes)"],
    ["Quiver SCF Invoke (process)", "warm SCF Invoke, Node, version 1"],
    ["serverless-offline 13 (worker)", "serverless-offline 13: warm invoke (Lambda Invoke API, HTTP)"],
    ["lambda-local (in-process, no HTTP)", "lambda-local 2.2: warm invoke (in-process, no HTTP)"],
  ];
  results.points.splice(0, results.points.length, ...results.points.filter((pt) => pt.chart !== "peers-p50"));
  for (const [label, name] of bars) {
    const s = p(results, name);
    if (s) results.point("peers-p50", label, 0, s.p50);
  }
}
