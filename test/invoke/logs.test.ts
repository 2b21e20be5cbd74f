/**
 * `LogType: "Tail"` returns the function's stdout/stderr for that invocation and names the
 * version that ran; without it `Log` is empty; the log is at most 4 KB. Node callback handlers
 * wait for the work they started (callbackWaitsForEmptyEventLoop) unless told not to.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { call, createFunction, invoke, scfClient } from "../helpers/scf-client.js";
import { zipBase64 } from "../helpers/zip.js";

const NODE = (rev: number): string => `
exports.main_handler = async (event) => {
  console.log("stdout line rev ${rev}");
  console.error("stderr line rev ${rev}");
  process.stdout.write("raw write " + (event.tag ?? "") + "\\n");
  if (event.lots) {
    console.log("FIRST-MARKER");
    for (let i = 0; i < 500; i++) console.log("filler line number " + i + " " + "z".repeat(40));
    console.log("LAST-MARKER é✓");
  }
  if (event.exit) { console.log("about to exit"); process.exit(2); }
  if (event.fail) { console.log("about to throw"); throw new Error("thrown"); }
  return ${rev};
};
`;

const PY = `
import sys
def main_handler(event, context):
    if event.get("flood"):
        line = "x" * 1023
        for _ in range(200 * 1024):
            print(line)
        print("LAST-MARKER")
        return 2
    print("python stdout")
    print("python stderr", file=sys.stderr)
    return 1
`;

const CALLBACK = `
exports.main_handler = (event, context, callback) => {
  if (event.noWait) context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => { console.log("timer fired after the callback " + event.tag); }, 300);
  callback(null, "returned " + event.tag);
};
`;

describe("invocation logs", () => {
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    await createFunction(scfClient(server), { name: "logs", files: { "index.js": NODE(1) } });
    await scfClient(server).PublishVersion({ FunctionName: "logs" });
    await scfClient(server).UpdateFunctionCode({ FunctionName: "logs", Handler: "index.main_handler", ZipFile: await zipBase64({ "index.js": NODE(2) }) });
  });
  after(async () => {
    await server.stop();
  });

  it("Tail returns stdout and stderr and names the version that ran; None returns nothing", async () => {
    const scf = scfClient(server);
    const latest = await invoke(scf, "logs", { tag: "A" }, { LogType: "Tail" });
    assert.equal(latest.RetMsg, "2");
    assert.match(latest.Log, /stdout line rev 2/);
    assert.match(latest.Log, /stderr line rev 2/);
    assert.match(latest.Log, /raw write A/);
    assert.match(latest.Log, /Version: \$LATEST/);
    assert.ok(latest.Log.includes(latest.FunctionRequestId));

    const v1 = await invoke(scf, "logs", { tag: "B" }, { Qualifier: "1", LogType: "Tail" });
    assert.equal(v1.RetMsg, "1");
    assert.match(v1.Log, /stdout line rev 1/);
    assert.match(v1.Log, /Version: 1\b/);
    assert.doesNotMatch(v1.Log, /raw write A/, "one invocation's log never holds another's output");

    assert.equal((await invoke(scf, "logs", { tag: "C" })).Log, "");
    assert.equal((await invoke(scf, "logs", { tag: "C" }, { LogType: "None" })).Log, "");
    const viaInvokeFunction = await scf.InvokeFunction({ FunctionName: "logs", Event: '{"tag":"D"}', LogType: "Tail" });
    assert.match(viaInvokeFunction.Result?.Log ?? "", /raw write D/);
    assert.equal((await scf.InvokeFunction({ FunctionName: "logs", Event: "{}" })).Result?.Log, "");
  });

  it("the log is limited to 4 KB and keeps the tail", async () => {
    const r = await invoke(scfClient(server), "logs", { lots: true }, { LogType: "Tail" });
    assert.equal(r.InvokeResult, 0);
    assert.ok(Buffer.byteLength(r.Log) <= 4096, `log is ${Buffer.byteLength(r.Log)} bytes`);
    assert.match(r.Log, /LAST-MARKER é✓/);
    assert.doesNotMatch(r.Log, /FIRST-MARKER/);
    assert.doesNotMatch(r.Log, /\uFFFD/, "no broken characters at the cut");
  });

  it("failed invocations carry their log too, including output before a crash", async () => {
    const thrown = await invoke(scfClient(server), "logs", { fail: true }, { LogType: "Tail" });
    assert.equal(thrown.InvokeResult, 430);
    assert.match(thrown.Log, /about to throw/);
    const exited = await invoke(scfClient(server), "logs", { exit: true }, { LogType: "Tail" });
    assert.equal(exited.InvokeResult, 439);
    assert.match(exited.Log, /about to exit/);
    assert.equal(await call(scfClient(server), "logs"), 2);
  });

  it("python: Tail returns print output from stdout and stderr", async () => {
    // Printing 200 MB takes seconds on a loaded machine; the test is about the log bound, not speed.
    await createFunction(scfClient(server), { name: "logs-py", runtime: "Python3.9", timeout: 60, files: { "index.py": PY } });
    const r = await invoke(scfClient(server), "logs-py", {}, { LogType: "Tail" });
    assert.match(r.Log, /python stdout/);
    assert.match(r.Log, /python stderr/);
  });

  it("python: a function that prints 200 MB keeps a bounded log (not an out-of-memory kill at 128 MB)", async () => {
    const r = await invoke(scfClient(server), "logs-py", { flood: true }, { LogType: "Tail" });
    assert.equal(r.InvokeResult, 0, r.ErrMsg);
    assert.match(r.Log, /LAST-MARKER/);
  });

  it("a callback handler waits for the work it started unless callbackWaitsForEmptyEventLoop is false", async () => {
    await createFunction(scfClient(server), { name: "logs-cb", files: { "index.js": CALLBACK } });
    const waited = await invoke(scfClient(server), "logs-cb", { tag: "one" }, { LogType: "Tail" });
    assert.equal(waited.RetMsg, "returned one");
    assert.match(waited.Log, /timer fired after the callback one/);
    const early = await invoke(scfClient(server), "logs-cb", { tag: "two", noWait: true }, { LogType: "Tail" });
    assert.equal(early.RetMsg, "returned two");
    assert.doesNotMatch(early.Log, /timer fired/);
  });
});
