import type { ScfBenchClient } from "./lib/scf-client.js";
import { summarize, type Summary } from "./lib/stats.js";
import { makeZip } from "./lib/zip.js";

export interface PublishScenario {
  readonly name: string;
  readonly existingVersions: number;
  readonly codeBytes: number;
}

async function prepare(client: ScfBenchClient, scenario: PublishScenario): Promise<string> {
  const functionName = `bench-${scenario.name}`;
  const zip = await makeZip(scenario.codeBytes);
  await client.call("CreateFunction", {
    FunctionName: functionName,
    Runtime: "Nodejs18.15",
    Handler: "index.main_handler",
    Code: { ZipFile: zip.toString("base64") },
  });
  for (let i = 0; i < scenario.existingVersions; i += 1) await client.call("PublishVersion", { FunctionName: functionName });
  return functionName;
}

/** One measured publish, followed by an unmeasured delete so the version count stays constant. */
async function publishOnce(client: ScfBenchClient, functionName: string): Promise<number> {
  const start = performance.now();
  const published = await client.call("PublishVersion", { FunctionName: functionName, Description: "bench" });
  const elapsed = performance.now() - start;
  await client.call("DeleteFunctionVersion", { FunctionName: functionName, Qualifier: String(published["FunctionVersion"]) });
  return elapsed;
}

/**
 * PublishVersion latency over HTTP for several scenarios at once. Rounds interleave the
 * scenarios in a shuffled order, so noise from a shared machine hits them alike and the
 * ratios between them stay meaningful.
 */
export async function measurePublish(client: ScfBenchClient, scenarios: readonly PublishScenario[], samples: number): Promise<Record<string, Summary>> {
  const names = new Map<PublishScenario, string>();
  for (const scenario of scenarios) names.set(scenario, await prepare(client, scenario));
  const times = new Map<PublishScenario, number[]>(scenarios.map((s) => [s, []]));
  const warmup = Math.max(20, Math.ceil(samples / 10));
  for (let round = 0; round < samples + warmup; round += 1) {
    for (const scenario of shuffled(scenarios)) {
      const elapsed = await publishOnce(client, names.get(scenario) ?? "");
      if (round >= warmup) times.get(scenario)?.push(elapsed);
    }
  }
  return Object.fromEntries(scenarios.map((s) => [s.name, summarize(times.get(s) ?? [])]));
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
