import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "../helpers/node-test.js";
import { type CliProcess, spawnCli, waitForListening } from "../helpers/cli.js";
import { testDirs } from "../helpers/quiver.js";
import { call, createFunction, scfClient } from "../helpers/scf-client.js";
import { CGROUP_ROOTS, PIDS_ROOT } from "../../src/runtime/cgroups.js";
import { runLayout } from "../../src/runtime/options.js";
import { runDirFor } from "../../src/server/data-dir-lock.js";

/** A handler that leaves a detached process behind. */
const LEAVER = `
const { spawn } = require("child_process");
exports.main_handler = async () => {
  spawn("sleep", ["600"], { detached: true, stdio: "ignore" }).unref();
  return "left one behind";
};
`;
const PY = "def main_handler(event, context):\n    return 'py'\n";

/** Alive and not a zombie waiting for a parent that will never reap it. */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

interface Debris {
  readonly instanceDirs: string[];
  readonly cgroups: string[];
}

/** Host pids of every process in the data dir's instance cgroups. */
function instancePids(dataDir: string): number[] {
  const group = join(PIDS_ROOT, runLayout(runDirFor(dataDir)).group);
  if (!existsSync(group)) return [];
  return readdirSync(group, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => readFileSync(join(group, e.name, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number));
}

function debrisOf(dataDir: string): Debris {
  const layout = runLayout(runDirFor(dataDir));
  const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);
  return {
    instanceDirs: list(layout.instancesDir),
    cgroups: CGROUP_ROOTS.flatMap((root) => list(join(root, layout.group)).filter((name) => statSync(join(root, layout.group, name)).isDirectory())),
  };
}

const serve = (dataDir: string, accountsFile: string): CliProcess =>
  spawnCli(["serve", "--port", "0", "--data-dir", dataDir, "--accounts", accountsFile, "--log-level", "warn", "--no-rate-limit"]);

const isRoot = process.getuid?.() === 0;

void describe("what a killed server leaves behind", () => {
  const dirs = testDirs();
  const running: CliProcess[] = [];
  after(async () => {
    for (const cli of running) {
      cli.child.kill("SIGKILL");
      await cli.exited;
    }
    dirs.remove();
  });

  void test("is removed by the next server on the data dir before it serves, processes included", { timeout: 60_000 }, async () => {
    const first = serve(dirs.dataDir, dirs.accountsFile);
    running.push(first);
    const scf = scfClient({ endpoint: new URL(await waitForListening(first)).host });
    await createFunction(scf, { name: "leaver", files: { "index.js": LEAVER } });
    await createFunction(scf, { name: "snake", files: { "index.py": PY }, runtime: "Python3.9" });
    assert.equal(await call(scf, "leaver"), "left one behind");
    assert.equal(await call(scf, "snake"), "py");
    const pids = instancePids(dirs.dataDir);
    if (isRoot) assert.ok(pids.some((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("sleep")), "the detached process runs while its instance does");
    const before = debrisOf(dirs.dataDir);
    assert.ok(before.instanceDirs.length >= 2, `instance dirs exist: ${before.instanceDirs.join(", ")}`);
    if (isRoot) assert.ok(before.cgroups.length >= 2, "instance cgroups exist");

    first.child.kill("SIGKILL");
    await first.exited;
    const left = debrisOf(dirs.dataDir);
    // A stem cell may have been starting too: what existed before the kill is all still there.
    assert.ok(before.instanceDirs.every((name) => left.instanceDirs.includes(name)), "a killed server cannot clean up its instance dirs");
    assert.ok(before.cgroups.every((name) => left.cgroups.includes(name)), "nor its cgroups");

    const second = serve(dirs.dataDir, dirs.accountsFile);
    running.push(second);
    await waitForListening(second);
    const pid = second.child.pid;
    const mine = (name: string): boolean => name.startsWith(`${String(pid)}-`);
    const now = debrisOf(dirs.dataDir);
    assert.deepEqual(now.instanceDirs.filter((name) => !mine(name)), [], "no instance dir of the killed server is left");
    assert.deepEqual(now.cgroups.filter((name) => !mine(name)), [], "no cgroup of the killed server is left");
    assert.deepEqual(pids.filter(alive), [], "every process of the killed server's instances is gone");

    second.child.kill("SIGTERM");
    assert.equal(await second.exited, 0, second.stderr());
    assert.deepEqual(debrisOf(dirs.dataDir), { instanceDirs: [], cgroups: [] }, "a clean stop leaves nothing");
  });

  void test("a second server on a data dir in use refuses to start", { timeout: 30_000 }, async () => {
    const own = testDirs();
    const owner = serve(own.dataDir, own.accountsFile);
    running.push(owner);
    await waitForListening(owner);
    const intruder = serve(own.dataDir, own.accountsFile);
    assert.equal(await intruder.exited, 2);
    assert.match(intruder.stderr(), /in use by another running Quiver server/);
    assert.equal(owner.child.exitCode, null, "the owner keeps running");
    owner.child.kill("SIGTERM");
    assert.equal(await owner.exited, 0);
    own.remove();
  });
});
