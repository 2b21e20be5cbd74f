/**
 * kill -9 under concurrent publish load: the server is SIGKILLed at a random moment while
 * both dialects create, update, publish and alias functions and two runtimes are busy; after
 * each restart every acknowledged write must be there exactly, and nothing of the killed
 * server's instances (temp dirs, cgroups) may remain.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "../helpers/node-test.js";
import { tempDir } from "../helpers/accounts.js";
import { cgroupParents, cgroupsAvailable, debrisOf, describeEntries, footprintOf, instanceEntries, ownedBy, removeFootprints, removeInstanceState, runtimeRoot, stillThere, type Footprint } from "./debris.js";
import { PublishLoad } from "./load.js";
import { minutes, PLAN } from "./plan.js";
import { Prng, suiteSeed } from "./prng.js";
import { startServerChild, writeAccounts, type ServerChild } from "./server.js";

const WORKERS = 6;
const SERVER_ARGS = ["--scf-max-versions", "100000", "--fgs-max-versions", "100000", "--max-functions", "1000"];
/** A restarted server may sweep its predecessor's leftovers in the background, but promptly. */
const DEBRIS_DEADLINE_MS = 5_000;
/** A cycle whose load cannot make progress fails instead of running into the suite's timeout. */
const LOAD_DEADLINE_MS = 120_000;

interface Report {
  cyclesDone: number;
  acks: number;
  durability: string[];
  loadErrors: string[];
  /** Instance state of a killed server still there after the restart (per cycle). */
  debrisAfterRestart: string[];
  /** The live server's instances could not be found where the suite looks: the debris check would prove nothing. */
  layout: string[];
  /** Anything left after the final SIGTERM; null when the run never got there. */
  afterCleanStop: string[] | null;
  /** Whether the running server's instances were seen using temp dirs or cgroups just before the clean stop (else that check proves nothing). */
  instancesSeenBeforeStop: boolean;
  seconds: number;
}

const seed = suiteSeed();

/**
 * Waits until nothing of the killed server's instances remains: no entry of the layout that
 * the live server does not own, and none of the temp dirs and cgroups its instances were seen
 * using (read from /proc before the kill, so this half holds whatever the layout).
 */
async function debrisGone(dataDir: string, pid: number, killed: readonly Footprint[]): Promise<string[]> {
  const deadline = Date.now() + DEBRIS_DEADLINE_MS;
  for (;;) {
    const debris = debrisOf(dataDir, pid);
    const left = stillThere(killed);
    if (debris.length === 0 && left.length === 0) return [];
    if (Date.now() > deadline) {
      return [...(debris.length > 0 ? [describeEntries(debris)] : []), ...left.map((p) => `${p} (used by an instance of the killed server)`)];
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** While instances run, they must be visible where the suite looks, or its debris checks are vacuous. */
function checkLayout(dataDir: string, server: ServerChild): string | null {
  const own = ownedBy(instanceEntries(dataDir), server.pid);
  const kinds = new Set(own.map((e) => e.kind));
  const wanted = ["temp dir", ...(cgroupsAvailable() ? ["memory cgroup", "pids cgroup"] : [])];
  const missing = wanted.filter((k) => !kinds.has(k as (typeof own)[number]["kind"]));
  if (missing.length === 0) return null;
  return `instances of server ${server.pid} were running, but no ${missing.join(", ")} named "${server.pid}-…" exists under ${runtimeRoot(dataDir)}/instances or ${cgroupParents(dataDir).join(", ")}`;
}

async function runCycles(dataDir: string, accountsFile: string, report: Report, footprints: Footprint[]): Promise<void> {
  const rng = Prng.derive(seed, "kill9");
  const load = new PublishLoad(rng);
  const start = (): Promise<ServerChild> => startServerChild({ dataDir, accountsFile, extraArgs: SERVER_ARGS });
  let server = await start();
  try {
    load.attach(server);
    await load.setup();
    for (let cycle = 1; cycle <= PLAN.killCycles; cycle += 1) {
      const target = load.acks.value + rng.int(...PLAN.acksBeforeKill);
      const running = load.run(WORKERS);
      const died = server.cli.exited.then((how) => `the server exited (${how}) under load; ${server.outputTail()}`);
      // Both runtimes answer in this cycle, so their instances are alive when the kill comes.
      const invoked = [load.invokes.node.reach(load.invokes.node.value + 1), load.invokes.python.reach(load.invokes.python.value + 1)];
      const ready = Promise.all([load.acks.reach(target), ...invoked]).then(() => null);
      let stall: NodeJS.Timeout | undefined;
      const stalled = new Promise<string>((resolve) => {
        stall = setTimeout(() => resolve(`cycle ${cycle}: no ${target} acknowledged writes and invocations of both runtimes within ${LOAD_DEADLINE_MS} ms (${load.acks.value} acks; errors: ${load.loadErrors.slice(0, 3).join("; ")})`), LOAD_DEADLINE_MS);
      });
      const crash = await Promise.race([ready, died, stalled]);
      clearTimeout(stall);
      if (crash !== null) {
        report.durability.push(crash);
        load.markKilled();
        await running;
        return;
      }
      const layout = checkLayout(dataDir, server);
      if (layout !== null && !report.layout.includes(layout)) report.layout.push(layout);
      const killed = footprintOf(server.pid);
      footprints.push(...killed);
      load.markKilled();
      await server.kill9();
      await running;

      server = await start();
      load.attach(server);
      const debris = await debrisGone(dataDir, server.pid, killed);
      report.debrisAfterRestart.push(...debris.map((d) => `cycle ${cycle}: ${d}`));
      const problems = await load.verify();
      report.durability.push(...problems.map((p) => `cycle ${cycle}: ${p}`));
      report.cyclesDone = cycle;
      report.acks = load.acks.value;
      if (problems.length > 0) break; // later cycles would only repeat the damage
      report.durability.push(...(await load.repair()).map((p) => `cycle ${cycle}: ${p}`));
    }
    // The clean stop: with instances running, SIGTERM must leave nothing behind.
    await load.invokeBoth();
    const layout = checkLayout(dataDir, server);
    if (layout !== null && !report.layout.includes(layout)) report.layout.push(layout);
    const running = footprintOf(server.pid);
    report.instancesSeenBeforeStop = stillThere(running).length > 0;
    footprints.push(...running);
    const code = await server.stop();
    const left = [...instanceEntries(dataDir).map((e) => `${e.kind} ${e.path}`), ...stillThere(running).map((p) => `${p} (used by an instance before the stop)`)];
    const parents = cgroupParents(dataDir).filter((p) => existsSync(p));
    report.afterCleanStop = [...(code === 0 ? [] : [`exit code ${code} after SIGTERM`]), ...left, ...parents.map((p) => `cgroup ${p}`)];
  } finally {
    report.loadErrors.push(...load.loadErrors);
    await server.kill9();
  }
}

void describe(`kill -9 under concurrent publish load (${PLAN.killCycles} cycles, seed ${seed})`, () => {
  const dir = tempDir("quiver-rel-kill9-");
  const dataDir = join(dir.path, "data");
  const report: Report = { cyclesDone: 0, acks: 0, durability: [], loadErrors: [], debrisAfterRestart: [], layout: [], afterCleanStop: null, instancesSeenBeforeStop: false, seconds: 0 };
  let setupError: unknown = null;
  /** Everything the servers' instances were seen using, removed at the end whatever happened. */
  const footprints: Footprint[] = [];

  before(
    async () => {
      const started = Date.now();
      mkdirSync(dataDir, { recursive: true });
      try {
        await runCycles(dataDir, writeAccounts(dir.path), report, footprints);
      } catch (error) {
        setupError = error;
      }
      report.seconds = (Date.now() - started) / 1000;
      process.stdout.write(`# kill -9: seed ${seed}, ${report.cyclesDone}/${PLAN.killCycles} cycles, ${report.acks} acknowledged writes, ${report.seconds.toFixed(0)} s\n`);
    },
    { timeout: minutes(PLAN.form === "short" ? 3 : 30) },
  );
  after(() => {
    removeFootprints(footprints);
    removeInstanceState(dataDir);
    dir.remove();
  });

  void test("every acknowledged write is there after each restart: versions gap-free and unchanged", { timeout: 10_000 }, () => {
    if (setupError) throw setupError;
    assert.deepEqual(report.durability, [], `seed ${seed}`);
    assert.equal(report.cyclesDone, PLAN.killCycles, "every cycle ran");
  });

  void test("nothing fails while the server is up under the load", { timeout: 10_000 }, () => {
    assert.deepEqual(report.loadErrors, [], `seed ${seed}`);
  });

  void test("a restarted server leaves nothing of the killed one's instances (temp dirs, cgroups)", { timeout: 10_000 }, () => {
    assert.ok(report.cyclesDone > 0, "no restart happened");
    // One comparison, so a failure shows both halves: the layout check and what was left.
    assert.deepEqual({ layoutProblems: report.layout, leftAfterRestart: report.debrisAfterRestart }, { layoutProblems: [], leftAfterRestart: [] });
  });

  void test("a clean SIGTERM stop leaves no instance temp dirs or cgroups at all", { timeout: 10_000 }, () => {
    assert.notEqual(report.afterCleanStop, null, "the run did not reach the clean stop");
    assert.ok(report.instancesSeenBeforeStop, "no temp dir or cgroup of a running instance was seen before the stop, so an empty result would prove nothing");
    assert.deepEqual(report.afterCleanStop, []);
  });
});

