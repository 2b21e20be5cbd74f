import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { eventually } from "../helpers/eventually.js";
import { describe, it } from "../helpers/node-test.js";
import { PIDS_ROOT } from "../../src/runtime/cgroups.js";
import { runLayout } from "../../src/runtime/options.js";
import { fixture, request } from "./helpers.js";

const LEAVER = `
const { spawn } = require("child_process");
exports.main_handler = async () => {
  spawn("sleep", ["600"], { detached: true, stdio: "ignore" }).unref();
  return "left one behind";
};
`;

/** Alive and not a zombie waiting for a parent that will never reap it. */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

/** Host pids of every process of every instance of the engine whose run dir is `runDir`. */
function instancePids(runDir: string): number[] {
  const group = join(PIDS_ROOT, runLayout(runDir).group);
  return readdirSync(group, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => readFileSync(join(group, e.name, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number));
}

/** A process running `sleep` among `pids`: the detached child the function left. */
function sleeperAmong(pids: readonly number[]): number | undefined {
  return pids.find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("sleep"));
}

/** Polls /proc until the processes are gone; the kernel gives no event for another process's death. */
async function allGone(pids: readonly number[], deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (pids.some(alive)) {
    if (Date.now() > end) return false;
    await delay(10);
  }
  return true;
}

const cgroups = process.getuid?.() === 0 ? false : "needs root (cgroups)";

void describe("instance teardown", () => {
  void it("kills what a function left running when its instance is retired", { skip: cgroups, timeout: 30_000 }, async () => {
    const f = await fixture();
    const engine = f.engine();
    try {
      const sha = await f.zip({ "index.js": LEAVER });
      assert.equal((await engine.invoke(request({ sha, key: "leaver" }))).error, null);
      const pids = instancePids(join(f.dir, "run"));
      assert.ok(sleeperAmong(pids) !== undefined, "the detached process runs while its instance does");
      engine.retire("leaver");
      assert.ok(await allGone(pids, 10_000), "every process of the instance died with it");
    } finally {
      await engine.close();
    }
  });

  void it("kills what a function left running when the engine closes", { skip: cgroups, timeout: 30_000 }, async () => {
    const f = await fixture();
    const engine = f.engine();
    const sha = await f.zip({ "index.js": LEAVER });
    assert.equal((await engine.invoke(request({ sha, key: "leaver" }))).error, null);
    const pids = instancePids(join(f.dir, "run"));
    assert.ok(sleeperAmong(pids) !== undefined);
    await engine.close();
    assert.deepEqual(pids.filter(alive), [], "close() returns only once the instance's processes are gone");
  });

  void it("replaces an idle instance that was killed from outside, instead of failing the next invocation", { skip: cgroups, timeout: 30_000 }, async () => {
    const f = await fixture();
    const engine = f.engine();
    try {
      const sha = await f.zip({ "index.js": "const token = Math.random(); exports.main_handler = async () => token;" });
      const first = await engine.invoke(request({ sha, key: "victim" }));
      assert.equal(first.error, null);
      const pids = instancePids(join(f.dir, "run"));
      // Killing one process of a sandbox can take the rest with it (bwrap dies with its parent):
      // a pid already gone is what this wants, and allGone checks every one.
      for (const pid of pids) killIfPresent(pid);
      assert.ok(await allGone(pids, 10_000));
      // The processes are gone before the engine hears of it (the exit reaches its event loop
      // later; on a loaded machine, after the next line could run). What this checks is that a
      // death the engine has noticed leaves no dead idle instance to be handed the next call.
      await eventually(() => engine.stats().states["idle"] === 0, { what: "the engine noticed the idle instance died" });
      const next = await engine.invoke(request({ sha, key: "victim" }));
      assert.equal(next.error, null, JSON.stringify(next.error));
      assert.notEqual(next.result, first.result, "a new instance served it");
    } finally {
      await engine.close();
    }
  });
});

function killIfPresent(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
