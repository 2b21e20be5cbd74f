import type { Plan } from "../lib/plan.js";
import { sleep, type Results } from "../lib/results.js";
import type { ScfBenchClient } from "../lib/scf-client.js";
import { summarize } from "../lib/stats.js";
import { makeZip, makeZipWith } from "../lib/zip.js";
import { coldOnce } from "./invoke.js";

const SECTION = "Data plane";

/** A layer of `files` small CommonJS modules under nodejs/node_modules, as layers are built for Node.js. */
function layerFiles(name: string, files: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: files }, (_, i) => [`nodejs/node_modules/${name}-${i}/index.js`, `module.exports = ${JSON.stringify(`${name} ${i}`)};\n`]));
}

/**
 * `echo-layers`: the bench handler (the same code as `echo-node`) bound to two layers of 20
 * modules each. The handler does not load them, so the comparison is what binding layers costs
 * a cold start (the merged tree linked into the sandbox's /opt), not the modules' own load time.
 */
async function setupLayeredFunction(client: ScfBenchClient): Promise<void> {
  const layers: { LayerName: string; LayerVersion: number }[] = [];
  for (const name of ["bench-layer-a", "bench-layer-b"]) {
    const zip = await makeZipWith(layerFiles(name, 20));
    const answer = await client.call("PublishLayerVersion", { LayerName: name, CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: zip.toString("base64") } });
    layers.push({ LayerName: name, LayerVersion: Number(answer["LayerVersion"]) });
  }
  await client.call("CreateFunction", { FunctionName: "echo-layers", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: (await makeZip(0)).toString("base64") }, Layers: layers });
}

/**
 * Cold start of a new version of a function with two layers against one with none (the same
 * code), interleaved, with the stem-cell pool (0.5 s pauses let it refill, and the next spare
 * copy of the layers' tree be made). The layers' merged tree is extracted once per layer list,
 * and its first spare made, after the first start, which is not timed.
 */
export async function coldWithLayers(client: ScfBenchClient, plan: Plan, results: Results): Promise<void> {
  await setupLayeredFunction(client);
  await coldOnce(client, "echo-layers");
  const none: number[] = [];
  const two: number[] = [];
  for (let i = 0; i < plan.coldSamples; i += 1) {
    await sleep(500);
    none.push(await coldOnce(client, "echo-node"));
    await sleep(500);
    two.push(await coldOnce(client, "echo-layers"));
  }
  const n = summarize(none);
  const t = summarize(two);
  results.add({ section: SECTION, name: "cold start of a new version with two layers (20 modules each), Node, stem-cell pool", unit: "ms", summary: t, baseline: "the same without layers, p50", ratio: t.p50 / n.p50 });
  results.target("cold start with two layers vs none, p50 ratio", "≤ 1.3", `${(t.p50 / n.p50).toFixed(2)}`, t.p50 / n.p50 <= 1.3);
}
