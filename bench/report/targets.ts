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

/** Publish targets: absolute latency, and flatness as ratios between interleaved scenarios. */
export function publishTargets(results: Results): void {
  const named = (versions: number, size: string): Row["summary"] => p(results, `SCF PublishVersion (${versions} versions, ${size})`);
  const base = named(10, "1 KB");
  if (!base) return;
  results.target("publish p50 (10 versions, 1 KB)", "≤ 2 ms", `${base.p50.toFixed(3)} ms`, base.p50 <= 2);
  results.target("publish p99 (10 versions, 1 KB)", "≤ 10 ms", `${base.p99.toFixed(3)} ms`, base.p99 <= 10);
  for (const [label, s] of [["10,000 vs 10 versions", named(10000, "1 KB")], ["1,000 vs 10 versions", named(1000, "1 KB")], ["20 MB vs 1 KB code", named(10, "20 MB")]] as const) {
    if (s) results.target(`publish p50 ratio, ${label}`, "≤ 1.2×", `${(s.p50 / base.p50).toFixed(2)}×`, s.p50 / base.p50 <= 1.2);
  }
  const list = results.rows.find((r) => r.name.startsWith("SCF ListVersionByFunction") && r.name.includes("last page"));
  if (list?.summary) results.target(`ListVersionByFunction p50 (${list.name.split(", ")[1] ?? ""}, page of 100)`, "≤ 5 ms", `${list.summary.p50.toFixed(3)} ms`, list.summary.p50 <= 5);
}
