import { processStartFloor, realPython } from "../lib/baselines.js";
import type { Plan } from "../lib/plan.js";
import { sleep, type Results } from "../lib/results.js";
import type { ScfBenchClient } from "../lib/scf-client.js";
import { summarize } from "../lib/stats.js";
import { coldOnce } from "./invoke.js";

const SECTION = "Data plane";

/**
 * Cold start with no stem cell (server started with --prewarm-* 0), interleaved sample by
 * sample with the process-start floors it is judged against: `node -e 0` and `python3 -c pass`.
 */
export async function coldExhausted(client: ScfBenchClient, plan: Plan, results: Results): Promise<void> {
  const python = realPython();
  const series = { nodeFloor: [] as number[], node: [] as number[], pyFloor: [] as number[], py: [] as number[] };
  await processStartFloor(process.execPath, ["-e", "0"], 2);
  for (let i = 0; i < plan.exhaustedSamples; i += 1) {
    series.nodeFloor.push(...(await processStartFloor(process.execPath, ["-e", "0"], 1)));
    await sleep(50);
    series.node.push(await coldOnce(client, "echo-node"));
    series.pyFloor.push(...(await processStartFloor(python, ["-c", "pass"], 1)));
    await sleep(50);
    series.py.push(await coldOnce(client, "echo-py"));
  }
  const nodeFloor = summarize(series.nodeFloor);
  const pyFloor = summarize(series.pyFloor);
  const node = summarize(series.node);
  const py = summarize(series.py);
  results.add({ section: "Floors", name: "floor: node -e 0 (spawn → exit, NODE_EXTRA_CA_CERTS unset)", unit: "ms", summary: nodeFloor });
  results.add({ section: "Floors", name: `floor: python3 -c pass (${python})`, unit: "ms", summary: pyFloor });
  results.add({ section: SECTION, name: "cold start of a new version, Node, pool exhausted", unit: "ms", summary: node, baseline: "node -e 0 p50", ratio: node.p50 / nodeFloor.p50 });
  results.add({ section: SECTION, name: "cold start of a new version, Python, pool exhausted", unit: "ms", summary: py, baseline: "python3 -c pass p50", ratio: py.p50 / pyFloor.p50 });
  const ratio = node.p50 / nodeFloor.p50;
  results.target("cold start, pool exhausted, p50 vs node -e 0", "≤ 1.3×", `${ratio.toFixed(2)}× (${node.p50.toFixed(1)} / ${nodeFloor.p50.toFixed(1)} ms)`, ratio <= 1.3);
}
