import type { Plan } from "../lib/plan.js";
import { sleep, type Results } from "../lib/results.js";
import { ScfBenchClient } from "../lib/scf-client.js";
import type { RunningServer } from "../lib/server.js";
import { startQuiver } from "../lib/server.js";
import { childrenOf, commandOf, pssMb, rssMb } from "../lib/proc.js";
import { summarize } from "../lib/stats.js";
import { makeZip } from "../lib/zip.js";

/** A process and all its descendants: a sandboxed instance is bwrap, its init and the runtime. */
function withDescendants(pid: number): number[] {
  return [pid, ...childrenOf(pid).flatMap(withDescendants)];
}

/** PSS of every runtime instance under the server (idle instances and stem cells, sandbox included), per family. */
export function idleInstances(server: RunningServer, results: Results): void {
  const pid = server.child.pid ?? -1;
  const families = { node: [] as number[], python: [] as number[] };
  for (const child of childrenOf(pid)) {
    const command = commandOf(child);
    const pss = withDescendants(child).reduce((sum, p) => sum + pssMb(p), 0);
    if (command.includes("bootstrap.py")) families.python.push(pss);
    else if (command.includes("bootstrap")) families.node.push(pss);
  }
  for (const [family, xs] of Object.entries(families)) {
    if (xs.length === 0) continue;
    const s = summarize(xs);
    results.add({ section: "Memory", name: `PSS per idle ${family} instance, all its processes (${xs.length} instances)`, unit: "MB", summary: s });
    if (family === "node") results.target("PSS per idle Node instance (p50)", "≤ 10 MB", `${s.p50.toFixed(1)} MB`, s.p50 <= 10);
  }
}

/**
 * A fresh server filled with `manyFunctions` × `versionsPerFunction` versions: publishes per
 * second across functions (50 in flight), then the server's own PSS/RSS against its empty self.
 */
export async function manyFunctions(plan: Plan, results: Results): Promise<void> {
  const server = await startQuiver(["--scf-max-versions", "100000", "--max-functions", String(plan.manyFunctions + 10), "--prewarm-nodejs", "0", "--prewarm-python", "0"]);
  const client = new ScfBenchClient(server.port, server.account.secretId, server.account.secretKey);
  try {
    const pid = server.child.pid ?? -1;
    await sleep(500);
    const empty = { pss: pssMb(pid), rss: rssMb(pid) };
    const zip = (await makeZip(1024)).toString("base64");
    for (let i = 0; i < plan.manyFunctions; i += 1) await client.call("CreateFunction", { FunctionName: `many-${i}`, Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: zip } });
    let next = 0;
    const total = plan.manyFunctions * plan.versionsPerFunction;
    const start = performance.now();
    const worker = async (): Promise<void> => {
      while (next < total) {
        const k = next;
        next += 1;
        await client.call("PublishVersion", { FunctionName: `many-${k % plan.manyFunctions}` });
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    const rate = total / ((performance.now() - start) / 1000);
    results.add({ section: "Control plane", name: `SCF PublishVersion across ${plan.manyFunctions} functions, 50 in flight`, unit: "publishes/s", value: rate });
    results.target("publishes per second across many functions", "≥ 500/s", `${rate.toFixed(0)}/s`, rate >= 500);
    await sleep(1000);
    const full = { pss: pssMb(pid), rss: rssMb(pid) };
    const label = `${plan.manyFunctions} functions × ${plan.versionsPerFunction} versions`;
    results.add({ section: "Memory", name: `server PSS with ${label}`, unit: "MB", value: full.pss, baseline: "empty server PSS", ratio: full.pss / empty.pss, note: `empty server: PSS ${empty.pss.toFixed(1)} MB, RSS ${empty.rss.toFixed(1)} MB; filled RSS ${full.rss.toFixed(1)} MB` });
    results.target(`server RSS with ${label}`, "≤ 80 MB", `${full.rss.toFixed(1)} MB`, plan.quick ? null : full.rss <= 80);
  } finally {
    client.close();
    await server.stop();
  }
}
