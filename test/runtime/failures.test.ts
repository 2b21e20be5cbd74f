import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import type { InvocationErrorKind } from "../../src/core/invoke.js";
import type { Engine } from "../../src/runtime/index.js";
import { fixture, request, type Fixture, type RequestSpec } from "./helpers.js";

const NODE = `
exports.main_handler = async (e) => {
  switch (e.mode) {
    case 'throw': console.log('about to throw'); throw new Error('boom');
    case 'reject': return Promise.reject(new TypeError('nope'));
    case 'spin': console.log('spinning'); for (;;) {}
    case 'exit': console.log('bye'); process.exit(3);
    case 'huge': return 'x'.repeat(2 * 1024 * 1024);
    case 'memory': { const a = []; for (;;) a.push(Buffer.alloc(16 << 20, 1)); }
    case 'async-crash': setTimeout(() => { throw new Error('late'); }, 1); return new Promise(() => {});
    default: return 'fine';
  }
};
exports.cb_error = (e, ctx, cb) => cb(new Error('cb failed'));
`;

const PY = `
import os, time
def main_handler(event, context):
    mode = event.get('mode')
    if mode == 'throw':
        raise ValueError('py boom')
    if mode == 'spin':
        while True:
            pass
    if mode == 'exit':
        os._exit(4)
    if mode == 'huge':
        return 'x' * (2 * 1024 * 1024)
    return 'fine'
`;

void describe("failure modes leave the engine serving", () => {
  let f: Fixture;
  let engine: Engine;
  let node: string;
  let py: string;
  before(async () => {
    f = await fixture();
    engine = f.engine({ maxResultBytes: 1024 * 1024, prewarm: { nodejs: 1, python: 1 } });
    node = await f.zip({ "index.js": NODE });
    py = await f.zip({ "index.py": PY });
  });
  after(() => engine.close());

  async function expectError(spec: RequestSpec, kind: InvocationErrorKind, message: RegExp): Promise<string> {
    const o = await engine.invoke(request(spec));
    assert.equal(o.error?.kind, kind, JSON.stringify(o));
    assert.match(o.error.message, message);
    assert.equal(o.result, "");
    // The same function (and so every other) keeps serving afterwards.
    const again = await engine.invoke(request({ ...spec, event: { mode: "ok" } }));
    if (spec.handler === undefined) assert.equal(again.result, '"fine"', JSON.stringify(again));
    return o.log;
  }

  void it("thrown error → user-error with stack and log", async () => {
    const o = await engine.invoke(request({ sha: node, event: { mode: "throw" } }));
    assert.equal(o.error?.kind, "user-error");
    assert.equal(o.error.message, "boom");
    assert.match(o.error.stack, /index\.js/);
    assert.equal(o.log, "about to throw\n");
    assert.equal((await engine.invoke(request({ sha: node }))).result, '"fine"');
  });

  void it("rejected promise → user-error", async () => void (await expectError({ sha: node, event: { mode: "reject" } }, "user-error", /nope/)));
  void it("callback error → user-error", async () => {
    const o = await engine.invoke(request({ sha: node, handler: "index.cb_error" }));
    assert.equal(o.error?.kind, "user-error");
    assert.equal(o.error.message, "cb failed");
  });
  void it("uncaught async error during an invoke → user-error", async () => void (await expectError({ sha: node, event: { mode: "async-crash" } }, "user-error", /late/)));

  void it("timeout → killed, SCF message, log kept", async () => {
    const log = await expectError({ sha: node, event: { mode: "spin" }, timeoutSec: 1 }, "timeout", /^Invoking task timed out after 1 seconds$/);
    assert.match(log, /spinning/);
  });

  void it("memory → killed with memory kind", async () => void (await expectError({ sha: node, event: { mode: "memory" }, memoryMb: 64, timeoutSec: 30 }, "memory", /^Task memory exceeded 64 MB$/)));

  void it("process.exit mid-invoke → exit, log kept", async () => {
    const log = await expectError({ sha: node, event: { mode: "exit" } }, "exit", /exit code 3/);
    assert.match(log, /bye/);
  });

  void it("result over maxResultBytes → result-too-large", async () => void (await expectError({ sha: node, event: { mode: "huge" } }, "result-too-large", /limit/)));

  void it("missing file → handler-not-found", async () => {
    const o = await engine.invoke(request({ sha: node, handler: "nothere.main_handler" }));
    assert.equal(o.error?.kind, "handler-not-found");
    assert.match(o.error.message, /nothere/);
  });

  void it("missing function → handler-not-found", async () => {
    const o = await engine.invoke(request({ sha: node, handler: "index.absent", key: "absent" }));
    assert.equal(o.error?.kind, "handler-not-found");
    assert.match(o.error.message, /absent/);
    assert.equal((await engine.invoke(request({ sha: node }))).result, '"fine"');
  });

  void it("module that throws at load → user-error", async () => {
    const sha = await f.zip({ "index.js": "throw new Error('init failed');" });
    const o = await engine.invoke(request({ sha }));
    assert.equal(o.error?.kind, "user-error");
    assert.match(o.error.message, /init failed/);
  });

  void it("Python: raise → user-error with traceback", async () => {
    const o = await engine.invoke(request({ sha: py, family: "python", event: { mode: "throw" } }));
    assert.equal(o.error?.kind, "user-error");
    assert.match(o.error.message, /ValueError: py boom/);
    assert.match(o.error.stack, /Traceback/);
  });
  void it("Python: timeout", async () => void (await expectError({ sha: py, family: "python", event: { mode: "spin" }, timeoutSec: 1 }, "timeout", /timed out after 1 seconds/)));
  void it("Python: exit", async () => void (await expectError({ sha: py, family: "python", event: { mode: "exit" } }, "exit", /exit code 4/)));
  void it("Python: huge result", async () => void (await expectError({ sha: py, family: "python", event: { mode: "huge" } }, "result-too-large", /limit/)));
  void it("Python: missing function", async () => {
    const o = await engine.invoke(request({ sha: py, family: "python", handler: "index.nope" }));
    assert.equal(o.error?.kind, "handler-not-found");
  });
});
