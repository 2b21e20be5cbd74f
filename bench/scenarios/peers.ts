import { Agent } from "node:http";
import { createRequire } from "node:module";
import { load } from "../lib/load.js";
import { ensurePeers, PEERS_DIR, startServerlessOffline } from "../lib/peers.js";
import type { Plan } from "../lib/plan.js";
import { sample, type Results } from "../lib/results.js";
import { post } from "../lib/scf-client.js";
import { summarize } from "../lib/stats.js";
import { EVENT } from "./invoke.js";

const SECTION = "Peers";

interface LambdaLocal {
  execute(options: Record<string, unknown>): Promise<unknown>;
}

/** serverless-offline 13 Lambda Invoke API: first call, warm latency, throughput at 10 connections. */
async function serverlessOffline(plan: Plan, results: Results): Promise<void> {
  const peer = await startServerlessOffline(23002);
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = Buffer.from(EVENT);
    const headers = { "content-type": "application/json" };
    const call = (): Promise<string> => post(agent, peer.port, peer.path, headers, body);
    const [first] = await sample(1, call);
    if ((await call()) !== EVENT) throw new Error("serverless-offline did not echo the event");
    await sample(200, call);
    const warm = summarize(await sample(Math.min(plan.warmSamples, 3000), call));
    agent.destroy();
    const tput = await load(peer.port, { headers, body }, 10, plan.loadSeconds, peer.path);
    results.add({ section: SECTION, name: "serverless-offline 13: framework start → ready", unit: "ms", value: peer.startupMs });
    results.add({ section: SECTION, name: "serverless-offline 13: first invoke (worker thread start)", unit: "ms", value: first ?? Number.NaN });
    results.add({ section: SECTION, name: "serverless-offline 13: warm invoke (Lambda Invoke API, HTTP)", unit: "ms", summary: warm });
    results.add({ section: SECTION, name: "serverless-offline 13: throughput, 10 connections", unit: "req/s", value: tput.throughput, summary: tput.latency, note: `${tput.errors} errors` });
  } finally {
    await peer.stop();
  }
}

/** lambda-local 2.2 in this process (no HTTP, no isolation): the in-process lower bound. */
async function lambdaLocal(plan: Plan, results: Results): Promise<void> {
  const require = createRequire(PEERS_DIR);
  const lambda = require("lambda-local") as LambdaLocal & { setLogger?: (l: unknown) => void };
  const event = JSON.parse(EVENT) as unknown;
  const base = { lambdaHandler: "echo", event, timeoutMs: 3000, verboseLevel: 0 };
  const firstRun = { ...base, lambdaPath: `${PEERS_DIR}svc/handler.js` };
  const [first] = await sample(1, () => lambda.execute(firstRun));
  const handler = { echo: async (e: unknown): Promise<unknown> => e };
  const warmRun = { ...base, lambdaFunc: handler };
  await sample(200, () => lambda.execute(warmRun));
  const warm = summarize(await sample(Math.min(plan.warmSamples, 3000), () => lambda.execute(warmRun)));
  let done = 0;
  const until = performance.now() + plan.loadSeconds * 1000;
  const worker = async (): Promise<void> => {
    for (; performance.now() < until; done += 1) await lambda.execute(warmRun);
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  results.add({ section: SECTION, name: "lambda-local 2.2: first invoke (require the handler, in-process)", unit: "ms", value: first ?? Number.NaN });
  results.add({ section: SECTION, name: "lambda-local 2.2: warm invoke (in-process, no HTTP)", unit: "ms", summary: warm });
  results.add({ section: SECTION, name: "lambda-local 2.2: throughput, 10 callers in-process", unit: "req/s", value: done / plan.loadSeconds });
}

/** Each peer is measured if it can be installed and run; otherwise the report says why. */
export async function peers(plan: Plan, results: Results): Promise<void> {
  const missing = ensurePeers();
  if (missing) {
    results.note(`Peers not measured: ${missing}`);
    return;
  }
  for (const [name, run] of [["serverless-offline 13 + serverless 3", serverlessOffline], ["lambda-local 2.2", lambdaLocal]] as const) {
    try {
      await run(plan, results);
    } catch (error) {
      results.note(`${name} not measured: ${(error as Error).message}`);
    }
  }
}
