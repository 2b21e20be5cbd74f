import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { describe, it } from "node:test";
import { fixture, request } from "./helpers.js";

const LEAVER = `
const { spawn } = require("child_process");
exports.main_handler = async () => {
  const child = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
  child.unref();
  return child.pid;
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

/** Polls /proc until the process is gone; the kernel gives no event for another process's death. */
async function gone(pid: number, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (alive(pid)) {
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
      const out = await engine.invoke(request({ sha, key: "leaver" }));
      const orphan = Number(JSON.parse(out.result));
      assert.ok(alive(orphan), "the detached process runs while its instance does");
      engine.retire("leaver");
      assert.ok(await gone(orphan, 10_000), "the detached process died with its instance");
    } finally {
      await engine.close();
    }
  });

  void it("kills what a function left running when the engine closes", { skip: cgroups, timeout: 30_000 }, async () => {
    const f = await fixture();
    const engine = f.engine();
    const sha = await f.zip({ "index.js": LEAVER });
    const orphan = Number(JSON.parse((await engine.invoke(request({ sha, key: "leaver" }))).result));
    assert.ok(alive(orphan));
    await engine.close();
    assert.equal(alive(orphan), false, "close() returns only once the instance's processes are gone");
  });
});
