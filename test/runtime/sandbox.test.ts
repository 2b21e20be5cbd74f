import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import type { Engine } from "../../src/runtime/index.js";
import { fixture, request, type Fixture } from "./helpers.js";

/** What a function can tell about its own sandbox. */
const INSPECT = `
const fs = require("fs");
const os = require("os");
const { execFileSync } = require("child_process");
const attempt = (f) => { try { f(); return "allowed"; } catch (e) { return e.code ?? e.status ?? String(e); } };
exports.main_handler = async () => {
  const status = fs.readFileSync("/proc/self/status", "utf8");
  const field = (name) => new RegExp("^" + name + ":\\\\s*(.*)$", "m").exec(status)?.[1];
  return {
    uid: process.getuid(),
    user: os.userInfo().username,
    hostname: os.hostname(),
    capEff: field("CapEff"),
    noNewPrivs: field("NoNewPrivs"),
    processes: fs.readdirSync("/proc").filter((n) => /^\\d+$/.test(n)).length,
    rootWritable: attempt(() => fs.writeFileSync("/owned", "x")),
    etcWritable: attempt(() => fs.writeFileSync("/etc/owned", "x")),
    shm: attempt(() => fs.writeFileSync("/dev/shm/x", "x")),
    // mount is setuid root on the host; in the sandbox its owner is not mapped, so it gains nothing.
    setuidMount: attempt(() => execFileSync("mount", ["-t", "tmpfs", "none", "/tmp"], { stdio: "ignore" })),
    tmpCap: Number(execFileSync("df", ["-k", "--output=size", "/tmp"]).toString().split("\\n")[1]) * 1024,
  };
};
`;

const usable = process.getuid?.() === 0 ? false : "needs root";

void describe("a sandboxed instance", { skip: usable }, () => {
  let f: Fixture;
  let engine: Engine;
  before(async () => {
    f = await fixture();
    engine = f.engine({ tmpSizeMb: 32 });
    await engine.ready();
  });
  after(() => engine.close());

  void it("runs unprivileged in namespaces of its own, on a read-only root with a capped /tmp", { timeout: 30_000 }, async (t) => {
    if (engine.stats().isolation !== "sandbox") return t.skip("no sandbox on this host");
    const sha = await f.zip({ "index.js": INSPECT });
    const out = await engine.invoke(request({ sha }));
    assert.equal(out.error, null, JSON.stringify(out.error));
    const seen = JSON.parse(out.result) as Record<string, unknown>;
    assert.notEqual(seen.setuidMount, "allowed", "a setuid binary gains nothing");
    assert.deepEqual(
      { ...seen, tmpCap: undefined, setuidMount: undefined },
      {
        uid: 1000,
        user: "function",
        hostname: "localhost",
        capEff: "0000000000000000",
        noNewPrivs: "1",
        // bwrap's init and the runtime process, nothing of the host.
        processes: 2,
        rootWritable: "EROFS",
        etcWritable: "EROFS",
        shm: "allowed",
        setuidMount: undefined,
        tmpCap: undefined,
      },
    );
    assert.equal(seen.tmpCap, 32 * 1024 * 1024);
  });
});
