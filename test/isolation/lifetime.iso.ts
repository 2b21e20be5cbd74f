/**
 * Hostile tenant vs. time: nothing a function starts keeps running once its invocation has
 * returned. A detached ticker (appends a byte to a file in /tmp every 10 ms) is frozen with its
 * idle instance, and killed when the instance is retired or Quiver stops, however it stops.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe } from "../helpers/node-test.js";
import { parseConfig } from "../../src/config/config.js";
import { createQuiver } from "../../src/server/app.js";
import { zipBase64 } from "../helpers/zip.js";
import { identify, perLang, running, show, SKIP, Tenancy, waitFor, type HostProcess, type Lang } from "./tenancy.js";

/** The engine's default grace before an idle instance is frozen (`freezeAfterMs`). */
const FREEZE_AFTER_MS = 100;
/** How long the test leaves the instance idle: waiting for time to pass is the point here. */
const IDLE_MS = 600;
/** How long processes may take to disappear once their instance or server is gone. */
const GONE_WITHIN_MS = 5_000;

interface Ticker {
  readonly pid: number;
  readonly file: string;
}

/** Starts a detached ticker in `name`'s instance; returns it with every host process of that instance. */
async function startTicker(ten: Tenancy, name: string): Promise<{ ticker: Ticker; procs: HostProcess[] }> {
  const answer = await ten.probe(name, [{ op: "spawnDetached" }]);
  const r = answer.results[0];
  assert.ok(r?.ok, `the probe started a detached process: ${show(r)}`);
  const ticker = r.data as Ticker;
  const instance = ten.instanceOf(name);
  // The ticker lives in the instance's cgroup, like everything the function starts.
  const tickerHost = ten.hostPidOf(instance, ticker.pid);
  const procs = ten.hostPids(instance).map(identify).filter((p): p is HostProcess => p !== undefined);
  assert.ok(procs.some((p) => p.pid === tickerHost), "the ticker's host process was found");
  return { ticker, procs };
}

async function assertGone(procs: readonly HostProcess[], after: string): Promise<void> {
  const gone = await waitFor(() => procs.every((p) => !running(p)), GONE_WITHIN_MS);
  const left = procs.filter(running).map((p) => p.pid);
  assert.ok(gone, `${after}, host processes ${left.join(", ")} of the instance still run ${GONE_WITHIN_MS} ms later`);
}

void describe("isolation: lifetime", () => {
  let ten: Tenancy;
  before(async () => {
    if (SKIP) return; // every test is skipped, with the reason
    ten = await Tenancy.start({ deploy: false });
  });
  after(() => ten?.close());

  perLang("a detached process makes no progress while its instance is idle", { short: ["node"] }, async (_t, lang) => {
    const name = `idle-${lang.name}`;
    await ten.deployProbe(lang, { name });
    const { ticker } = await startTicker(ten, name);
    // While invoked, the ticker runs: this measures its pace on this machine right now.
    const window = await ten.probe(name, [{ op: "tickWindow", file: ticker.file, ms: 300 }]);
    const w = window.results[0]?.data as { before: number; after: number; ms: number };
    const perMs = (w.after - w.before) / w.ms;
    assert.ok(w.after - w.before >= 5, `the ticker runs while the instance is invoked: ${show(w)}`);
    const idleStart = Date.now();
    // Part of what is tested: the instance must sit idle for a while to show it is frozen then.
    await sleep(IDLE_MS);
    const idleMs = Date.now() - idleStart;
    const later = await ten.probe(name, [{ op: "ticks", file: ticker.file }]);
    const ticksIdle = (later.results[0]?.data as { ticks: number }).ticks - w.after;
    const ifRunning = perMs * idleMs;
    // The grace period, plus 50 ms for the answer to travel back before the idle time began.
    const allowed = Math.ceil(perMs * (FREEZE_AFTER_MS + 50));
    assert.ok(ifRunning >= 2 * allowed, `the machine is fast enough to tell running from frozen (${ifRunning.toFixed(0)} vs ${allowed} ticks)`);
    assert.ok(
      ticksIdle <= allowed,
      `the ticker kept running while its instance was idle: ${ticksIdle} ticks in ${idleMs} ms (${ifRunning.toFixed(0)} if it never stopped; at most ${allowed} allowed for the ${FREEZE_AFTER_MS} ms grace)`,
    );
  });

  perLang("a detached process dies when its instance is retired (function deleted)", { short: ["python"] }, async (_t, lang) => {
    const name = `deleted-${lang.name}`;
    await ten.deployProbe(lang, { name });
    const { procs } = await startTicker(ten, name);
    await ten.scfA.DeleteFunction({ FunctionName: name });
    await assertGone(procs, "after DeleteFunction");
  });

  perLang("a detached process dies when its instance is retired (code updated)", {}, async (_t, lang) => {
    const name = `updated-${lang.name}`;
    await ten.deployProbe(lang, { name });
    const { procs } = await startTicker(ten, name);
    const comment = lang.name === "node" ? "// v2\n" : "# v2\n";
    await ten.scfA.UpdateFunctionCode({ FunctionName: name, Handler: "index.main_handler", ZipFile: await zipBase64({ [lang.file]: lang.probe + comment }) });
    await assertGone(procs, "after UpdateFunctionCode");
  });

  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    perLang(`a detached process dies when Quiver stops (${signal})`, { short: signal === "SIGKILL" ? ["node"] : [], timeout: 90_000 }, async (_t, lang) => {
      await stopQuiver(lang, signal);
    });
  }
});

/** A child-process Quiver runs A's probe with a ticker, then is stopped with `signal`. */
async function stopQuiver(lang: Lang, signal: "SIGTERM" | "SIGKILL"): Promise<void> {
  const { tenancy, server } = await Tenancy.startChild();
  let procs: HostProcess[] = [];
  try {
    const name = `stopped-${lang.name}`;
    await tenancy.deployProbe(lang, { name });
    procs = (await startTicker(tenancy, name)).procs;
    server.child.kill(signal);
    await server.exited;
    await assertGone(procs, `after ${signal} to the server`);
  } finally {
    await sweep(tenancy, procs);
  }
}

/**
 * What a killed server left is removed the way Quiver itself does it: a new server on the same
 * data dir sweeps its predecessor's instances. The pids seen are killed too, should that fail.
 */
async function sweep(tenancy: Tenancy, procs: readonly HostProcess[]): Promise<void> {
  if (procs.some(running)) {
    const config = parseConfig({ port: 0, dataDir: tenancy.dataDir, accountsFile: tenancy.accountsFile, logLevel: "silent", engine: { prewarm: { nodejs: 0, python: 0 } } });
    const quiver = await createQuiver(config);
    await quiver.close();
    for (const p of procs.filter(running)) process.kill(p.pid, "SIGKILL");
  }
  await tenancy.close();
}
