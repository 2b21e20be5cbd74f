import type { Plan } from "../lib/plan.js";
import { sleep, type Results } from "../lib/results.js";
import type { ScfBenchClient } from "../lib/scf-client.js";
import { summarize } from "../lib/stats.js";
import { invokeChecked, invokeRequest } from "./invoke.js";

const SECTION = "Data plane";

/** Idle time before each timed call: past the engine's freeze grace (100 ms), as a real first call after Done would be. */
const IDLE_MS = 300;

/** Polls GetProvisionedConcurrencyConfig until the version's instances are all up (untimed). */
async function untilDone(client: ScfBenchClient, functionName: string, qualifier: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    const answer = await client.call("GetProvisionedConcurrencyConfig", { FunctionName: functionName, Qualifier: qualifier });
    const [allocated] = answer["Allocated"] as { Status: string; StatusReason: string }[];
    if (allocated?.Status === "Done") return;
    if (allocated?.Status === "Failed") throw new Error(`provisioning failed: ${allocated.StatusReason}`);
    await sleep(20);
  }
  throw new Error(`version ${qualifier} of ${functionName} was not provisioned within 10 s`);
}

/**
 * The first call of a version whose provisioned instance is Done, against a warm call of the
 * same instance after the same idle time (both frozen and thawed): provisioning should leave
 * no cold-start cost. Each sample publishes a new version, provisions one instance, times the
 * two calls, then deletes the config and the version.
 */
export async function provisionedFirstCall(client: ScfBenchClient, plan: Plan, results: Results): Promise<void> {
  const first: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < plan.coldSamples; i += 1) {
    const version = String((await client.call("PublishVersion", { FunctionName: "echo-node" }))["FunctionVersion"]);
    await client.call("PutProvisionedConcurrencyConfig", { FunctionName: "echo-node", Qualifier: version, VersionProvisionedConcurrencyNum: 1 });
    await untilDone(client, "echo-node", version);
    const request = invokeRequest(client, "echo-node", version);
    await sleep(IDLE_MS);
    let start = performance.now();
    await invokeChecked(client, request);
    first.push(performance.now() - start);
    await sleep(IDLE_MS);
    start = performance.now();
    await invokeChecked(client, request);
    warm.push(performance.now() - start);
    await client.call("DeleteProvisionedConcurrencyConfig", { FunctionName: "echo-node", Qualifier: version });
    await client.call("DeleteFunctionVersion", { FunctionName: "echo-node", Qualifier: version });
  }
  const f = summarize(first);
  const w = summarize(warm);
  results.add({ section: SECTION, name: `warm invoke after ${IDLE_MS} ms idle, the instance's second call`, unit: "ms", summary: w });
  results.add({ section: SECTION, name: `first invoke of a version with provisioned concurrency (Done, ${IDLE_MS} ms idle)`, unit: "ms", summary: f, baseline: "its warm call p50", ratio: f.p50 / w.p50 });
  results.target("first call on a provisioned instance vs a warm one, p50 ratio", "≤ 1.2", `${(f.p50 / w.p50).toFixed(2)}`, f.p50 / w.p50 <= 1.2);
}
