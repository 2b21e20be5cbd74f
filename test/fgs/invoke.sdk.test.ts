import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { call, type Caller } from "../helpers/fgs-http.js";
import { asyncInvoke, awaitAsync, createFunction, fg, fgClient, invoke, publishVersion, resultOf, sdkFailure, updateCode, urnOf, type Wire } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { buildZip } from "../helpers/zip.js";

const NODE = (tag: string): string => `exports.handler = async (event, context) => {
  if (event.mode === 'throw') { console.log('about to throw'); throw new TypeError('boom ' + '${tag}'); }
  if (event.mode === 'spin') { for (;;) {} }
  if (event.mode === 'text') return 'plain ${tag}';
  console.log('hello from ${tag}');
  return { tag: '${tag}', version: context.getVersion(), project: context.getProjectID(), pkg: context.getPackage(), alias: context.getAlias(), echo: event };
};
`;

const PY = (tag: string): string => `def handler(event, context):
    if event.get('mode') == 'throw':
        raise ValueError('py boom ${tag}')
    print('hello from python ${tag}')
    return {'tag': '${tag}', 'version': context.getVersion(), 'project': context.getProjectID()}
`;

void describe("FunctionGraph invocation through the official Node SDK", () => {
  let server: TestQuiver;
  let client: fg.FunctionGraphClient;
  let raw: Caller;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    client = fgClient(server.url);
    const { projectId, accessKey: ak, secretKey: sk } = ALICE.huawei;
    raw = { port: server.port, projectId, ak, sk };
    await createFunction(client, await buildZip({ "index.js": NODE("A") }), "node-fn");
    await createFunction(client, await buildZip({ "index.py": PY("P1") }), "py-fn", { runtime: "Python3.9" });
  });
  after(async () => server.stop());

  void it("invokes latest and answers the v1 envelope with the X-Cff-Request-Id the SDK copies in", async () => {
    const answer = await invoke(client, urnOf("node-fn", "latest"), { hello: "world" });
    assert.equal(answer["status"], 200);
    assert.equal(answer["log"], "");
    assert.equal(answer["X-Cff-Request-Id"], answer["request_id"]);
    const result = resultOf(answer);
    assert.equal(result["tag"], "A");
    assert.deepEqual(result["echo"], { hello: "world" });
    assert.equal(result["project"], ALICE.huawei.projectId);
    assert.equal(result["pkg"], "default");
    // The unqualified URN and the short forms run latest too.
    assert.equal(resultOf(await invoke(client, "node-fn"))["tag"], "A");
    assert.equal(resultOf(await invoke(client, urnOf("node-fn")))["tag"], "A");
  });

  void it("runs a published version's own code after latest changed (Node and Python)", async () => {
    await publishVersion(client, urnOf("node-fn"), { version: "v1" });
    await updateCode(client, urnOf("node-fn", "latest"), await buildZip({ "index.js": NODE("B") }));
    assert.equal(resultOf(await invoke(client, urnOf("node-fn", "v1")))["tag"], "A");
    assert.equal(resultOf(await invoke(client, urnOf("node-fn", "latest")))["tag"], "B");

    await publishVersion(client, urnOf("py-fn"), { version: "p1" });
    await updateCode(client, urnOf("py-fn", "latest"), await buildZip({ "index.py": PY("P2") }));
    const old = resultOf(await invoke(client, urnOf("py-fn", "p1")));
    assert.equal(old["tag"], "P1");
    assert.equal(old["project"], ALICE.huawei.projectId);
    assert.equal(resultOf(await invoke(client, urnOf("py-fn", "latest")))["tag"], "P2");
  });

  void it("names the version that ran in X-Cff-Function-Version and the log", async () => {
    const answer = await call(raw, "POST", `/v2/${raw.projectId}/fgs/functions/${urnOf("node-fn", "v1")}/invocations`, {}, { headers: { "x-cff-log-type": "tail" } });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers["x-cff-function-version"], "v1");
    assert.equal(answer.headers["x-cff-response-version"], "v1");
    assert.equal(answer.headers["x-func-err-code"], "0");
    assert.equal(answer.headers["x-is-func-err"], "false");
    const summary = JSON.parse(String(answer.headers["x-cff-invoke-summary"])) as Wire;
    assert.equal(summary["memorySize"], 256);
    assert.equal(typeof summary["duration"], "number");
    assert.ok(answer.headers["x-cff-billing-duration"]);
    const body = answer.json();
    assert.match(String(body["log"]), /Start invoke request '[^']+', version: v1\n/);
    assert.match(String(body["log"]), /hello from A/);
    assert.match(String(body["log"]), /Finish invoke request '[^']+', duration: [\d.]+ms, billing duration: \d+ms, memory used: [\d.]+MB, billing memory: 256MB$/);
    const headerLog = Buffer.from(String(answer.headers["x-cff-function-log"]), "base64").toString("utf8");
    assert.match(headerLog, /hello from A/);
  });

  void it("returns the tail log through the SDK (Node and Python) only when asked", async () => {
    const node = await invoke(client, urnOf("node-fn", "latest"), {}, { tail: true });
    assert.match(String(node["log"]), /hello from B/);
    assert.match(String(node["log"]), /version: latest/);
    const py = await invoke(client, urnOf("py-fn", "latest"), {}, { tail: true });
    assert.match(String(py["log"]), /hello from python P2/);
    assert.equal((await invoke(client, urnOf("py-fn", "latest")))["log"], "");
  });

  void it("answers the raw result with X-CFF-Request-Version: v0", async () => {
    const path = `/v2/${raw.projectId}/fgs/functions/${urnOf("node-fn", "latest")}/invocations`;
    const json = await call(raw, "POST", path, { k: 1 }, { headers: { "x-cff-request-version": "v0" } });
    assert.equal(json.status, 200);
    assert.equal(json.headers["x-cff-response-version"], "v0");
    assert.deepEqual(json.json()["echo"], { k: 1 });
    assert.ok(json.headers["x-cff-request-id"]);
    const text = await call(raw, "POST", path, { mode: "text" }, { headers: { "x-cff-request-version": "v0" } });
    assert.equal(text.text, "plain B");
    const bad = await call(raw, "POST", path, {}, { headers: { "x-cff-request-version": "v9" } });
    assert.equal(bad.status, 400);
  });

  void it("reports function failures in the envelope (HTTP 200) and keeps serving", async () => {
    const thrown = await invoke(client, urnOf("node-fn", "latest"), { mode: "throw" }, { tail: true });
    assert.equal(thrown["status"], 500);
    const doc = resultOf(thrown);
    assert.equal(doc["errorType"], "TypeError");
    assert.match(String(doc["errorMessage"]), /boom B/);
    assert.ok(Array.isArray(doc["stackTrace"]));
    assert.match(String(thrown["log"]), /about to throw/);
    assert.match(String(thrown["log"]), /\(invoke Failed\)/);

    const py = resultOf(await invoke(client, urnOf("py-fn", "latest"), { mode: "throw" }));
    assert.equal(py["errorType"], "ValueError");
    assert.match(String(py["errorMessage"]), /py boom P2/);

    const rawThrow = await call(raw, "POST", `/v2/${raw.projectId}/fgs/functions/${urnOf("node-fn")}/invocations`, { mode: "throw" });
    assert.equal(rawThrow.headers["x-is-func-err"], "true");
    assert.equal(rawThrow.headers["x-func-err-code"], "500");

    assert.equal(resultOf(await invoke(client, urnOf("node-fn", "latest")))["tag"], "B", "the function serves after a failure");
  });

  void it("reports a missing handler and a timeout, then serves again", async () => {
    await createFunction(client, await buildZip({ "index.js": NODE("H") }), "no-handler", { handler: "index.nothere" });
    const missing = await invoke(client, urnOf("no-handler", "latest"));
    assert.equal(missing["status"], 404);
    assert.equal(resultOf(missing)["errorType"], "HandlerNotFound");
    assert.equal(resultOf(missing)["errorCode"], "FSS.0404");

    await createFunction(client, await buildZip({ "index.js": NODE("T") }), "spinner", { timeout: 3 });
    const timedOut = await invoke(client, urnOf("spinner", "latest"), { mode: "spin" });
    assert.equal(timedOut["status"], 408);
    assert.equal(resultOf(timedOut)["errorType"], "FunctionTimeout");
    assert.equal(resultOf(timedOut)["errorCode"], "FSS.0408");
    assert.equal(resultOf(await invoke(client, urnOf("spinner", "latest")))["tag"], "T");
  });

  void it("refuses an event that is not JSON (406 FSS.0406) and unknown functions and versions", async () => {
    const notJson = await call(raw, "POST", `/v2/${raw.projectId}/fgs/functions/${urnOf("node-fn")}/invocations`, Buffer.from("{nope"));
    assert.equal(notJson.status, 406);
    assert.equal(notJson.json()["error_code"], "FSS.0406");
    const noFn = await sdkFailure(invoke(client, urnOf("ghost", "latest")));
    assert.equal(noFn.httpStatusCode, 404);
    assert.equal(noFn.errorCode, "FSS.1051");
    const noVersion = await sdkFailure(invoke(client, urnOf("node-fn", "v404")));
    assert.equal(noVersion.errorCode, "FSS.1052");
    const noAlias = await sdkFailure(invoke(client, urnOf("node-fn", "!ghost")));
    assert.equal(noAlias.httpStatusCode, 404);
    assert.equal(noAlias.errorCode, "FSS.1053");
  });

  void it("accepts an async invocation (202) and reports its status and result", async () => {
    const requestId = await asyncInvoke(client, urnOf("node-fn", "v1"), { n: 7 });
    assert.match(requestId, /^[0-9a-f-]{36}$/);
    const done = await awaitAsync(client, urnOf("node-fn"), requestId);
    assert.equal(done["status"], "SUCCESS");
    assert.equal(done["error_code"], 0);
    const result = JSON.parse(String(done["result"])) as Wire;
    assert.equal(result["tag"], "A");
    assert.deepEqual(result["echo"], { n: 7 });

    const failing = await asyncInvoke(client, urnOf("node-fn"), { mode: "throw" });
    const failed = await awaitAsync(client, urnOf("node-fn"), failing);
    assert.equal(failed["status"], "FAIL");
    assert.equal(failed["error_code"], 500);
    assert.match(String(failed["error_message"]), /boom B/);

    const rawAsync = await call(raw, "POST", `/v2/${raw.projectId}/fgs/functions/${urnOf("node-fn")}/invocations-async`, {});
    assert.equal(rawAsync.status, 202);
    const listed = await client.listAsyncInvocations(new fg.ListAsyncInvocationsRequest().withFunctionUrn(urnOf("node-fn")).withLimit("10"));
    const ids = ((listed as unknown as Wire)["invocations"] as Wire[]).map((i) => i["request_id"]);
    assert.ok(ids.includes(requestId) && ids.includes(failing));
  });

  void it("serves the v1.0 /fss/ invocation endpoints (raw body, request-id)", async () => {
    const base = `/v1.0/${raw.projectId}/fss/functions/${urnOf("node-fn", "v1")}`;
    const sync = await call(raw, "POST", `${base}/invocations`, { a: 1 }, { headers: { "x-cff-log-type": "tail" } });
    assert.equal(sync.status, 200);
    assert.equal(sync.json()["tag"], "A");
    assert.match(Buffer.from(String(sync.headers["x-cff-function-log"]), "base64").toString("utf8"), /hello from A/);
    assert.ok(sync.headers["x-cff-invoke-summary"]);
    const accepted = await call(raw, "POST", `${base}/invocations-async`, {});
    assert.equal(accepted.status, 202);
    assert.match(String(accepted.json()["request-id"]), /^[0-9a-f-]{36}$/);
  });

  void it("keeps one account from invoking another's function", async () => {
    const bob = fgClient(server.url, BOB.huawei);
    const foreign = await sdkFailure(invoke(bob, urnOf("node-fn", "latest")));
    assert.equal(foreign.httpStatusCode, 403);
    const bobUrn = `urn:fss:${BOB.huawei.region}:${BOB.huawei.projectId}:function:default:node-fn:latest`;
    const missing = await sdkFailure(invoke(bob, bobUrn));
    assert.equal(missing.httpStatusCode, 404);
    assert.equal(missing.errorCode, "FSS.1051");
    const bobRaw: Caller = { port: server.port, projectId: BOB.huawei.projectId, ak: BOB.huawei.accessKey, sk: BOB.huawei.secretKey };
    const crossAsync = await call(bobRaw, "POST", `/v2/${raw.projectId}/fgs/functions/${urnOf("node-fn")}/invocations-async`, {});
    assert.equal(crossAsync.status, 403);
  });
});
