import type { FgsBenchClient } from "../lib/fgs-client.js";
import type { Plan } from "../lib/plan.js";
import { sleep, type Results } from "../lib/results.js";
import type { ScfBenchClient } from "../lib/scf-client.js";
import { summarize } from "../lib/stats.js";
import { makeZipWith } from "../lib/zip.js";

const SECTION = "Timer triggers";
const FUNCTION = "timer-probe";
const REGION = "ap-guangzhou";

/** The probe reports how late its handler started after the second it was scheduled for. */
const PROBE = "exports.main_handler = async (event) => ({ time: event.Time, lateMs: Date.now() - Date.parse(event.Time) });\n";

interface Fire {
  readonly time: string;
  readonly lateMs: number;
}

/** The probe's finished fires, read back through FunctionGraph's async-invocation list (it keeps results). */
async function fires(fgs: FgsBenchClient): Promise<{ done: Fire[]; running: number }> {
  const urn = `urn:fss:${REGION}:${fgs.projectId}:function:default:${FUNCTION}`;
  const list = await fgs.call("GET", `/v2/${fgs.projectId}/fgs/functions/${urn}/async-invocations`);
  const items = list["invocations"] as { status: string; result?: string }[];
  const done = items.filter((i) => i.status === "SUCCESS" && i.result).map((i) => JSON.parse(i.result as string) as Fire);
  return { done, running: items.filter((i) => i.status === "RUNNING" || i.status === "WAIT").length };
}

/**
 * Timer lateness on the real clock: a timer that fires every second for `plan.timerSeconds`,
 * each fire's handler measuring how long after its scheduled second it started (the same
 * host's clock). The first fire is a cold start and is left out. Also checks each scheduled
 * second fired exactly once.
 */
export async function timerLateness(client: ScfBenchClient, fgs: FgsBenchClient, plan: Plan, results: Results): Promise<void> {
  await client.call("CreateFunction", { FunctionName: FUNCTION, Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: (await makeZipWith({ "index.js": PROBE })).toString("base64") } });
  await client.call("CreateTrigger", { FunctionName: FUNCTION, Type: "timer", TriggerName: "every-second", Qualifier: "$LATEST", TriggerDesc: "* * * * * * *" });
  await sleep(plan.timerSeconds * 1000 + 500);
  await client.call("DeleteTrigger", { FunctionName: FUNCTION, Type: "timer", TriggerName: "every-second", Qualifier: "$LATEST" });
  let seen = await fires(fgs);
  for (let i = 0; i < 100 && seen.running > 0; i += 1) {
    await sleep(100);
    seen = await fires(fgs);
  }
  const ordered = [...seen.done].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const distinct = new Set(ordered.map((f) => f.time)).size;
  const first = Date.parse(ordered[0]?.time ?? "");
  const last = Date.parse(ordered.at(-1)?.time ?? "");
  const expected = Number.isFinite(first) ? (last - first) / 1000 + 1 : 0;
  const late = summarize(ordered.slice(1).map((f) => f.lateMs));
  const once = ordered.length === distinct && distinct === expected;
  results.add({ section: SECTION, name: "timer fire lateness: handler start after the scheduled second (every-second timer, warm)", unit: "ms", summary: late, note: `${ordered.length} fires over ${expected} scheduled seconds${once ? ", each exactly once" : ", NOT each exactly once"}` });
  results.target("timer lateness p50 (idle machine)", "≤ 100 ms", `${late.p50.toFixed(1)} ms`, late.p50 <= 100);
  results.target("timer lateness p99 (idle machine)", "≤ 100 ms", `${late.p99.toFixed(1)} ms`, late.p99 <= 100);
  results.target("each scheduled second fired exactly once", "yes", once ? "yes" : `${ordered.length} fires, ${distinct} distinct, ${expected} expected`, once);
}
