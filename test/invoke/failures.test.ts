/**
 * Every failure mode of a function, through the official SDK: the failure is reported inside
 * `Result` (InvokeResult = SCF status, ErrMsg = the JSON error document), and the platform
 * keeps serving (a successful invoke right after). API-level failures use `Response.Error`.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "../helpers/node-test.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { call, createFunction, errorCode, errorDoc, invoke, scfClient } from "../helpers/scf-client.js";
import { zipBase64 } from "../helpers/zip.js";

const NODE = `
exports.main_handler = async (event) => {
  switch (event.mode) {
    case "throw": throw new Error("boom from user code");
    case "reject": return Promise.reject(new TypeError("rejected by user code"));
    case "callback-error": return undefined;
    case "timeout": console.log("going to sleep"); await new Promise(() => setInterval(() => {}, 1000)); return 1;
    case "memory": { const keep = []; for (;;) keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); }
    case "exit": console.log("exiting now"); process.exit(3);
    case "huge": return "x".repeat(7 * 1024 * 1024);
    case "uncaught": setTimeout(() => { throw new Error("async uncaught"); }, 1); await new Promise((r) => setTimeout(r, 200)); return 1;
    default: return "ok";
  }
};
`;

const PYTHON = `
import os, sys, time

def helper():
    raise ValueError("boom from python")

def main_handler(event, context):
    mode = event.get("mode")
    if mode == "throw":
        helper()
    if mode == "timeout":
        time.sleep(30)
    if mode == "memory":
        keep = []
        while True:
            keep.append(bytearray(16 * 1024 * 1024))
    if mode == "exit":
        os._exit(4)
    if mode == "sysexit":
        sys.exit(2)
    if mode == "huge":
        return "x" * (7 * 1024 * 1024)
    if mode == "unserialisable":
        return {"s": {1, 2}}
    return "ok"
`;

describe("function failures are reported in Result and the platform keeps serving", () => {
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    await createFunction(scfClient(server), { name: "fail-node", files: { "index.js": NODE }, timeout: 1, memory: 128 });
    await createFunction(scfClient(server), { name: "fail-py", runtime: "Python3.9", files: { "index.py": PYTHON }, timeout: 1, memory: 128 });
    // Filling memory takes seconds on a slow box: give the memory cases time to hit the limit.
    await createFunction(scfClient(server), { name: "mem-node", files: { "index.js": NODE }, timeout: 20, memory: 128 });
    await createFunction(scfClient(server), { name: "mem-py", runtime: "Python3.9", files: { "index.py": PYTHON }, timeout: 20, memory: 128 });
  });
  after(async () => {
    await server.stop();
  });

  async function expectFailure(name: string, mode: string, status: number, message: RegExp): Promise<string> {
    const r = await invoke(scfClient(server), name, { mode });
    assert.equal(r.InvokeResult, status, `${name}/${mode}: ${r.ErrMsg}`);
    assert.equal(r.RetMsg, "");
    const doc = errorDoc(r);
    assert.equal(doc.errorCode, -1);
    assert.equal(doc.statusCode, status);
    assert.equal(doc.requestId, r.FunctionRequestId);
    assert.match(doc.errorMessage, message);
    assert.equal(typeof doc.stackTrace, "string");
    // The platform still serves this function.
    assert.equal(await call(scfClient(server), name, { mode: "ok" }), "ok");
    return doc.stackTrace;
  }

  it("node: throw → 430 with the user's stack", async () => {
    const stack = await expectFailure("fail-node", "throw", 430, /boom from user code/);
    assert.match(stack, /index\.js/);
    assert.doesNotMatch(stack, /bootstrap/, "Quiver's own frames are trimmed");
  });
  it("node: rejected promise → 430", async () => {
    await expectFailure("fail-node", "reject", 430, /rejected by user code/);
  });
  it("node: uncaught error during the invocation → 430", async () => {
    await expectFailure("fail-node", "uncaught", 430, /async uncaught/);
  });
  it("node: timeout → 433", async () => {
    await expectFailure("fail-node", "timeout", 433, /^Invoking task timed out after 1 seconds$/);
  });
  it("node: memory well beyond MemorySize 128 → 434", async () => {
    await expectFailure("mem-node", "memory", 434, /^Task memory exceeded 128 MB$/);
  });
  it("node: process.exit → 439", async () => {
    await expectFailure("fail-node", "exit", 439, /User process exit when running/);
  });
  it("node: result larger than 6 MB → 407", async () => {
    await expectFailure("fail-node", "huge", 407, /exceeds/);
  });

  it("python: raise → 430 with the user's traceback", async () => {
    const stack = await expectFailure("fail-py", "throw", 430, /ValueError: boom from python/);
    assert.match(stack, /index\.py.*helper/s);
    assert.doesNotMatch(stack, /bootstrap\.py/, "Quiver's own frames are trimmed");
  });
  it("python: timeout → 433", async () => {
    await expectFailure("fail-py", "timeout", 433, /^Invoking task timed out after 1 seconds$/);
  });
  it("python: memory → 434", async () => {
    await expectFailure("mem-py", "memory", 434, /^Task memory exceeded 128 MB$/);
  });
  it("python: os._exit and sys.exit → 439", async () => {
    await expectFailure("fail-py", "exit", 439, /User process exit when running/);
    await expectFailure("fail-py", "sysexit", 439, /User process exit when running/);
  });
  it("python: result larger than 6 MB → 407; unserialisable result → 430", async () => {
    await expectFailure("fail-py", "huge", 407, /exceeds/);
    await expectFailure("fail-py", "unserialisable", 430, /JSON/);
  });

  it("missing handler file or function → 437, and a fixed handler runs", async () => {
    const scf = scfClient(server);
    await createFunction(scf, { name: "nohandler", files: { "index.js": "exports.main_handler = async () => 'ok';" }, handler: "missing.main_handler" });
    let r = await invoke(scf, "nohandler");
    assert.equal(r.InvokeResult, 437, r.ErrMsg);
    assert.equal(errorDoc(r).statusCode, 437);
    const good = await zipBase64({ "index.js": "exports.main_handler = async () => 'ok';" });
    await scf.UpdateFunctionCode({ FunctionName: "nohandler", Handler: "index.nope", ZipFile: good });
    r = await invoke(scf, "nohandler");
    assert.equal(r.InvokeResult, 437, r.ErrMsg);
    await scf.UpdateFunctionCode({ FunctionName: "nohandler", Handler: "index.main_handler", ZipFile: good });
    assert.equal(await call(scf, "nohandler"), "ok");

    await createFunction(scf, { name: "nohandler-py", runtime: "Python3.9", files: { "index.py": "def main_handler(e, c):\n    return 'ok'\n" }, handler: "index.nope" });
    r = await invoke(scf, "nohandler-py");
    assert.equal(r.InvokeResult, 437, r.ErrMsg);
    assert.equal(await call(scf, "fail-py", { mode: "ok" }), "ok");
  });

  it("code that fails while loading → 430 with the user's frames, and the next invoke retries", async () => {
    const scf = scfClient(server);
    await createFunction(scf, { name: "loadfail-cjs", files: { "index.js": "function init() { throw new Error('init failed'); }\ninit();\nexports.main_handler = async () => 'ok';\n" } });
    await createFunction(scf, { name: "loadfail-esm", files: { "index.mjs": "export const main_handler = async () => 'ok';\nthrow new RangeError('esm init failed');\n" } });
    await createFunction(scf, { name: "loadfail-py", runtime: "Python3.9", files: { "index.py": "import no_such_module_here\ndef main_handler(e, c):\n    return 'ok'\n" } });
    for (const [name, message, file] of [["loadfail-cjs", /init failed/, /index\.js/], ["loadfail-esm", /esm init failed/, /index\.mjs/], ["loadfail-py", /ModuleNotFoundError/, /index\.py/]] as const) {
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = await invoke(scf, name);
        assert.equal(r.InvokeResult, 430, `${name}: ${r.ErrMsg}`);
        const doc = errorDoc(r);
        assert.match(doc.errorMessage, message);
        assert.match(doc.stackTrace, file);
        assert.doesNotMatch(doc.stackTrace, /bootstrap|node:internal|<frozen/, `${name}: only user frames`);
      }
    }
    assert.equal(await call(scf, "fail-py", { mode: "ok" }), "ok");
  });

  it("a non-JSON event is InvalidParameterValue.Param in Response.Error", async () => {
    const scf = scfClient(server);
    assert.equal(await errorCode(scf.Invoke({ FunctionName: "fail-node", ClientContext: "not json" })), "InvalidParameterValue.Param");
    assert.equal(await errorCode(scf.InvokeFunction({ FunctionName: "fail-node", Event: "{oops" })), "InvalidParameterValue.Param");
    assert.equal(await errorCode(scf.Invoke({ FunctionName: "fail-node", ClientContext: "not json", InvocationType: "Event" })), "InvalidParameterValue.Param");
    assert.equal(await call(scf, "fail-node", { mode: "ok" }), "ok");
  });

  it("unknown function, unknown qualifier and a function without code are API errors", async () => {
    const scf = scfClient(server);
    const { quiver } = server;
    assert.equal(await errorCode(scf.Invoke({ FunctionName: "does-not-exist" })), "ResourceNotFound.Function");
    assert.equal(await errorCode(scf.InvokeFunction({ FunctionName: "does-not-exist" })), "ResourceNotFound.Function");
    assert.equal(await errorCode(scf.Invoke({ FunctionName: "does-not-exist", InvocationType: "Event" })), "ResourceNotFound.Function");
    assert.equal(await errorCode(scf.Invoke({ FunctionName: "fail-node", Qualifier: "7" })), "ResourceNotFound.Qualifier");
    assert.equal(await errorCode(scf.InvokeFunction({ FunctionName: "fail-node", Qualifier: "no-such-alias" })), "ResourceNotFound.Qualifier");
    assert.equal(await errorCode(scf.Invoke({ FunctionName: "fail-node", Qualifier: "7", InvocationType: "Event" })), "ResourceNotFound.Qualifier");

    // A function whose creation never stored code (as after a crash mid-create).
    const existing = await quiver.service.functions.get({ scope: { accountId: "alice", region: "ap-guangzhou" }, namespace: "default", name: "fail-node" });
    await quiver.store.insertFunction({ id: randomUUID(), scope: existing.scope, namespace: "default", name: "nocode", config: existing.config, now: Date.now(), maxFunctions: 50 });
    assert.equal(await errorCode(scf.Invoke({ FunctionName: "nocode" })), "FailedOperation.FunctionStatusError");
    assert.equal(await errorCode(scf.Invoke({ FunctionName: "nocode", InvocationType: "Event" })), "FailedOperation.FunctionStatusError");
    assert.equal(await errorCode(scf.InvokeFunction({ FunctionName: "nocode" })), "FailedOperation.FunctionStatusError");
    assert.equal(await call(scf, "fail-node", { mode: "ok" }), "ok");
  });

  it("bad InvocationType and LogType are parameter errors", async () => {
    const scf = scfClient(server);
    assert.match(await errorCode(scf.Invoke({ FunctionName: "fail-node", InvocationType: "Sometimes" })), /^InvalidParameter/);
    assert.match(await errorCode(scf.Invoke({ FunctionName: "fail-node", LogType: "Head" })), /^InvalidParameter/);
  });
});
