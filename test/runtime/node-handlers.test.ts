import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import type { Engine } from "../../src/runtime/index.js";
import { eventually } from "../helpers/eventually.js";
import { fixture, request, succeeded, type Fixture } from "./helpers.js";

void describe("Node.js handlers", () => {
  let f: Fixture;
  let engine: Engine;
  before(async () => {
    f = await fixture();
    engine = f.engine();
  });
  after(() => engine.close());

  void it("runs a CommonJS async handler and captures its log", async () => {
    const sha = await f.zip({ "index.js": "exports.main_handler = async (e) => { console.log('hello', e.n); return { twice: e.n * 2 }; };" });
    const o = await engine.invoke(request({ sha, event: { n: 21 } }));
    assert.deepEqual(succeeded(o), { twice: 42 });
    assert.equal(o.log, "hello 21\n");
    assert.ok(o.billedMs >= 1 && o.billedMs >= o.durationMs);
    assert.ok(o.memoryUsedBytes > 0);
  });

  void it("captures what a write printed, not its encoded text or a view's elements", async () => {
    // Each write prints one line; the log must hold the bytes that reached the pipe, as text.
    const b64 = Buffer.from("from base64\n").toString("base64");
    const sha = await f.zip({
      "index.js": `exports.main_handler = async () => {
        process.stdout.write("68690a", "hex");
        process.stdout.write("${b64}", "base64", () => undefined);
        process.stderr.write("6572720a", "hex");
        process.stdout.write("callback form\\n", () => undefined);
        process.stdout.write(new Uint16Array(new TextEncoder().encode("--u16\\n").buffer, 2, 2));
        process.stdout.write(new DataView(new TextEncoder().encode("view\\n").buffer));
        return null;
      };`,
    });
    const o = await engine.invoke(request({ sha }));
    succeeded(o);
    assert.equal(o.log, "hi\nfrom base64\nerr\ncallback form\nu16\nview\n");
    for (const encoded of ["68690a", b64, "6572720a"]) assert.ok(!o.log.includes(encoded), `the log holds the encoded ${encoded}`);
  });

  void it("runs a callback-style handler", async () => {
    const sha = await f.zip({ "index.js": "exports.main_handler = function (e, ctx, cb) { setTimeout(() => cb(null, 'cb:' + e.x), 5); };" });
    assert.equal(succeeded(await engine.invoke(request({ sha, event: { x: 1 } }))), "cb:1");
  });

  void it("runs an .mjs ESM handler in a subdirectory", async () => {
    const sha = await f.zip({ "src/app.mjs": "export const handler = async () => ({ esm: typeof require === 'undefined' });" });
    assert.deepEqual(succeeded(await engine.invoke(request({ sha, handler: "src/app.handler" }))), { esm: true });
  });

  void it("runs a .js ESM handler when package.json says type module", async () => {
    const sha = await f.zip({
      "package.json": JSON.stringify({ type: "module" }),
      "index.js": "import { helper } from './lib.js'; export async function main_handler() { return helper(); }",
      "lib.js": "export const helper = () => 'from-esm';",
    });
    assert.equal(succeeded(await engine.invoke(request({ sha }))), "from-esm");
  });

  void it("returns null for a handler returning undefined", async () => {
    const sha = await f.zip({ "index.js": "exports.main_handler = async () => {};" });
    assert.equal((await engine.invoke(request({ sha }))).result, "null");
  });

  void it("reuses the warm instance for the same instanceKey", async () => {
    const sha = await f.zip({ "index.js": "const pid = Math.random(); let n = 0; exports.main_handler = async () => ({ pid, n: ++n });" });
    const a = succeeded(await engine.invoke(request({ sha }))) as { pid: number; n: number };
    const b = succeeded(await engine.invoke(request({ sha }))) as { pid: number; n: number };
    assert.equal(b.pid, a.pid);
    assert.equal(b.n, 2);
  });

  void it("never lets two instanceKeys share an instance, even with identical code", async () => {
    // A token drawn once per process tells instances apart (sandboxed processes all see pid 2).
    const sha = await f.zip({ "index.js": "const token = Math.random(); exports.main_handler = async () => token;" });
    const round = async (): Promise<unknown[]> => (await Promise.all(["k1", "k2"].map((key) => engine.invoke(request({ sha, key }))))).map(succeeded);
    const [a, b] = await round();
    const [c, d] = await round();
    assert.notEqual(a, b);
    assert.equal(a, c);
    assert.equal(b, d);
  });

  void it("runs children unprivileged, with read-only code, when started as root", async (t) => {
    if (process.getuid?.() !== 0) return t.skip("not root");
    const sha = await f.zip({ "index.js": "const fs = require('fs'); exports.main_handler = async () => { let w = true; try { fs.writeFileSync(__dirname + '/x', '1'); } catch { w = false; } fs.writeFileSync(process.env.TMPDIR + '/t', '1'); return { root: process.getuid() === 0, codeWritable: w, cwd: process.cwd() === __dirname }; };" });
    assert.deepEqual(succeeded(await engine.invoke(request({ sha }))), { root: false, codeWritable: false, cwd: true });
  });
});

void describe("prewarmed stem cells", () => {
  void it("serve the first invoke of a version without a process start", async () => {
    const f = await fixture();
    const engine = f.engine({ prewarm: { nodejs: 1, python: 0 } });
    try {
      await engine.ready();
      await eventually(() => engine.stats().stems.nodejs >= 1, { what: "a Node.js stem cell is ready" });
      // Part of what is tested, not an ordering wait: the stem cell must be measurably older
      // than a process started for the invoke would be.
      await new Promise((r) => setTimeout(r, 400));
      const sha = await f.zip({ "index.js": "exports.main_handler = async () => process.uptime() * 1000;" });
      const uptimeMs = succeeded(await engine.invoke(request({ sha }))) as number;
      // A fresh process would be a few tens of ms old; the stem cell was started before the wait.
      assert.ok(uptimeMs >= 400, `uptime ${uptimeMs} ms`);
      // The pool refills in the background.
      await eventually(() => engine.stats().stems.nodejs >= 1, { what: "the stem pool refills" });
    } finally {
      await engine.close();
    }
  });
});
