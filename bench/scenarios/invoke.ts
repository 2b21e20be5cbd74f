import { Agent } from "node:http";
import type { EchoServer } from "../lib/echo.js";
import type { Plan } from "../lib/plan.js";
import { sample, shuffled, sleep, type Results } from "../lib/results.js";
import { post, type ScfBenchClient, type SignedRequest } from "../lib/scf-client.js";
import { summarize } from "../lib/stats.js";
import { makeZip } from "../lib/zip.js";

const SECTION = "Data plane";
export const EVENT = JSON.stringify({ hello: "world" });

/** echo-node (versions 1, 2; alias `live` → 1) and echo-py (version 1). */
export async function setupInvokeFunctions(client: ScfBenchClient): Promise<void> {
  await client.call("CreateFunction", { FunctionName: "echo-node", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: (await makeZip(0)).toString("base64") } });
  await client.call("PublishVersion", { FunctionName: "echo-node" });
  await client.call("PublishVersion", { FunctionName: "echo-node" });
  await client.call("CreateAlias", { FunctionName: "echo-node", Name: "live", FunctionVersion: "1" });
  await client.call("CreateFunction", { FunctionName: "echo-py", Runtime: "Python3.9", Handler: "index.main_handler", Code: { ZipFile: (await makeZip(0, "python")).toString("base64") } });
  await client.call("PublishVersion", { FunctionName: "echo-py" });
}

export function invokeRequest(client: ScfBenchClient, functionName: string, qualifier: string, event = EVENT): SignedRequest {
  return client.sign("Invoke", { FunctionName: functionName, Qualifier: qualifier, ClientContext: event });
}

/** Invokes and checks the function really ran (SCF answers 200 even for failed invocations). */
export async function invokeChecked(client: ScfBenchClient, request: SignedRequest): Promise<string> {
  const result = (await client.send("Invoke", request))["Result"] as { RetMsg: string; InvokeResult: number; ErrMsg: string };
  if (result.InvokeResult !== 0) throw new Error(`invoke failed: ${result.ErrMsg}`);
  return result.RetMsg;
}

/**
 * Warm invoke latency, one keep-alive connection: direct version, alias, Python, and the bare
 * echo floor receiving the very same request bytes, interleaved in small shuffled batches.
 */
export async function warmLatency(client: ScfBenchClient, echo: EchoServer, plan: Plan, results: Results): Promise<void> {
  const direct = invokeRequest(client, "echo-node", "1");
  const alias = invokeRequest(client, "echo-node", "live");
  const python = invokeRequest(client, "echo-py", "1");
  const echoAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const kinds: Record<string, () => Promise<unknown>> = {
    "bare Node HTTP echo (same request bytes)": () => post(echoAgent, echo.port, "/", direct.headers, direct.body),
    "Node, version 1": () => invokeChecked(client, direct),
    "Node, alias live → 1": () => invokeChecked(client, alias),
    "Python, version 1": () => invokeChecked(client, python),
  };
  const times = new Map(Object.keys(kinds).map((k) => [k, [] as number[]]));
  for (const run of Object.values(kinds)) await sample(200, run);
  for (let done = 0; done < plan.warmSamples; done += 20) {
    for (const name of shuffled(Object.keys(kinds))) times.get(name)?.push(...(await sample(20, kinds[name] as () => Promise<unknown>)));
  }
  echoAgent.destroy();
  const floor = summarize(times.get("bare Node HTTP echo (same request bytes)") ?? []);
  for (const [name, xs] of times) {
    const s = summarize(xs);
    const isFloor = name.startsWith("bare");
    results.add({ section: SECTION, name: isFloor ? `floor: ${name}` : `warm SCF Invoke, ${name}`, unit: "ms", summary: s, ...(isFloor ? {} : { baseline: "HTTP echo p50", ratio: s.p50 / floor.p50 }) });
  }
}

/** From UpdateAlias answered to the first response produced by the version it now names. */
export async function aliasSwitch(client: ScfBenchClient, plan: Plan, results: Results): Promise<void> {
  const probe = invokeRequest(client, "echo-node", "live", JSON.stringify({ v: 1 }));
  // Both versions warm before the first flip (the alias names version 1): the target is the
  // repoint, not a cold start of a version whose instance went idle while the bench waited.
  await invokeChecked(client, invokeRequest(client, "echo-node", "2"));
  await invokeChecked(client, probe);
  const times: number[] = [];
  let stale = 0;
  for (let i = 0; i < plan.aliasFlips; i += 1) {
    const target = i % 2 === 0 ? "2" : "1";
    await client.call("UpdateAlias", { FunctionName: "echo-node", Name: "live", FunctionVersion: target });
    const start = performance.now();
    for (let attempt = 0; attempt < 1000; attempt += 1) {
      if ((await invokeChecked(client, probe)) === target) break;
      stale += 1;
    }
    times.push(performance.now() - start);
  }
  await client.call("UpdateAlias", { FunctionName: "echo-node", Name: "live", FunctionVersion: "1" });
  const s = summarize(times);
  results.add({ section: SECTION, name: "UpdateAlias answered → first invocation on the new version", unit: "ms", summary: s, note: `${stale} invocations still ran the old version after the answer` });
  results.target("alias repoint effective for the next request", "0 stale, p99 ≤ 5 ms", `${stale} stale, p99 ${s.p99.toFixed(2)} ms`, stale === 0 && s.p99 <= 5);
}

/** One cold start: publish a new version (not timed), invoke it once (timed), delete it. */
export async function coldOnce(client: ScfBenchClient, functionName: string): Promise<number> {
  const version = String((await client.call("PublishVersion", { FunctionName: functionName }))["FunctionVersion"]);
  const request = invokeRequest(client, functionName, version);
  const start = performance.now();
  await invokeChecked(client, request);
  const ms = performance.now() - start;
  await client.call("DeleteFunctionVersion", { FunctionName: functionName, Qualifier: version });
  return ms;
}

/** Cold start of a new version with the stem-cell pool; 0.5 s pauses let the pool refill (refills start after a cold invoke and take one process start, slow on a loaded box). */
export async function coldWithPool(client: ScfBenchClient, plan: Plan, results: Results): Promise<void> {
  const node: number[] = [];
  const python: number[] = [];
  for (let i = 0; i < plan.coldSamples; i += 1) {
    await sleep(500);
    node.push(await coldOnce(client, "echo-node"));
    await sleep(500);
    python.push(await coldOnce(client, "echo-py"));
  }
  const n = summarize(node);
  results.add({ section: SECTION, name: "cold start of a new version, Node, stem-cell pool", unit: "ms", summary: n });
  results.add({ section: SECTION, name: "cold start of a new version, Python, stem-cell pool", unit: "ms", summary: summarize(python) });
  // Each instance is a sandbox (bubblewrap) where the host allows it; the target allows for that.
  results.target("cold start with pool p50 (Node)", "≤ 10 ms", `${n.p50.toFixed(2)} ms`, n.p50 <= 10);
  results.target("cold start with pool p99 (Node)", "≤ 25 ms", `${n.p99.toFixed(2)} ms`, n.p99 <= 25);
}

/** The engine's default grace before an idle instance is frozen. */
const FREEZE_AFTER_MS = 100;

/**
 * What freezing idle instances costs a caller: a warm invoke after the instance sat idle past
 * the freeze grace (so it is thawed first), against back-to-back warm invokes, interleaved.
 */
export async function frozenWake(client: ScfBenchClient, plan: Plan, results: Results): Promise<void> {
  const request = invokeRequest(client, "echo-node", "1");
  await invokeChecked(client, request);
  const thawed: number[] = [];
  const hot: number[] = [];
  for (let i = 0; i < plan.coldSamples; i += 1) {
    await sleep(FREEZE_AFTER_MS * 3);
    let start = performance.now();
    await invokeChecked(client, request);
    thawed.push(performance.now() - start);
    start = performance.now();
    await invokeChecked(client, request);
    hot.push(performance.now() - start);
  }
  const t = summarize(thawed);
  const h = summarize(hot);
  results.add({ section: SECTION, name: "warm invoke right after another (not frozen)", unit: "ms", summary: h });
  results.add({ section: SECTION, name: `warm invoke after ${FREEZE_AFTER_MS * 3} ms idle (frozen, thawed first)`, unit: "ms", summary: t, baseline: "back-to-back warm p50", ratio: t.p50 / h.p50 });
  results.target("thawing a frozen instance, p50 added", "≤ 1 ms", `${(t.p50 - h.p50).toFixed(2)} ms`, t.p50 - h.p50 <= 1);
}
