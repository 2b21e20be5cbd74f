/**
 * Invocation records on a real server: every path leaves one (sync invoke through both SDKs,
 * async, an HTTP trigger for an event function and for a web function, a timer fire), with the
 * result code of what happened (success, thrown error, timeout, memory kill, start failure,
 * throttle), the qualifier asked and the version that ran, the log and result within their caps;
 * the vendors' tails stay 4 KB while the record keeps the whole log; records survive a restart;
 * retention removes old ones in the background; `records.enabled: false` keeps none.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { eventually } from "../helpers/eventually.js";
import { fgClient, invoke as fgInvoke, urnOf } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createFunction, invoke, REGION, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { createHttpTrigger, scfTriggerUrl } from "../helpers/triggers.js";
import { TRUNCATION_MARKER, type InvocationRecord, type RecordQuery } from "../../src/core/invocation-records.js";
import type { Scope } from "../../src/core/model.js";
import { createTestSchema, PG_OFF, PG_URL } from "../store/pg-schema.js";
import { zipBase64 } from "../helpers/zip.js";

const SCOPE: Scope = { accountId: ALICE.name, region: REGION };
const FG_SCOPE: Scope = { accountId: ALICE.name, region: ALICE.huawei.region };

const CODE = `
exports.main_handler = async (event) => {
  console.log("start of " + (event.mode ?? "ok"));
  switch (event.mode) {
    case "throw": throw new Error("boom from user code");
    case "timeout": await new Promise(() => setInterval(() => {}, 1000)); return 1;
    case "memory": { const keep = []; for (;;) keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); }
    case "hold": await new Promise((r) => setTimeout(r, event.ms)); return "held";
    case "big-log": { const line = "0123456789".repeat(10) + "\\n"; for (let i = 0; i < 2000; i += 1) console.log(i + " " + line); console.log("the very end"); return "logged"; }
    case "big-result": return "r".repeat(5000);
    default: return { answer: 42 };
  }
};
`;


/** The scope's record of a request, once it is written (async ones are written when they finish). */
async function recordOf(server: TestQuiver, requestId: string, scope = SCOPE): Promise<InvocationRecord> {
  return eventually(
    async () => {
      await server.quiver.recorder.flush();
      return (await server.quiver.store.queryInvocationRecords(scope, { requestId, offset: 0, limit: 1, order: "DESC", orderBy: "startedAt" })).items[0];
    },
    { what: `the record of ${requestId}`, timeoutMs: 30_000 },
  );
}

async function records(server: TestQuiver, query: Partial<RecordQuery>, scope = SCOPE): Promise<InvocationRecord[]> {
  await server.quiver.recorder.flush();
  return [...(await server.quiver.store.queryInvocationRecords(scope, { offset: 0, limit: 100, order: "ASC", orderBy: "startedAt", ...query })).items];
}

describe("invocation records", () => {
  let server: TestQuiver;
  let scf: ScfClient;

  before(async () => {
    server = await startQuiver({
      rateLimits: { enabled: false, overrides: {} },
      // One instance per function and no queue: a second call while one runs is a throttle.
      engine: { maxInstancesPerFunction: 1, queueLimit: 0 },
      timers: { clock: "virtual", clockStart: "2030-01-01T00:00:00Z" },
      records: { maxLogBytes: 64 * 1024, maxResultBytes: 1024 },
    });
    scf = scfClient(server);
    await createFunction(scf, { name: "rec", files: { "index.js": CODE }, timeout: 1 });
    await createFunction(scf, { name: "mem", files: { "index.js": CODE }, timeout: 20, memory: 128 });
    await createFunction(scf, { name: "hold", files: { "index.js": CODE }, timeout: 10 });
  });
  after(async () => {
    await server.stop();
  });

  it("a sync invoke: success, with the function, qualifier, version, source, figures, log and result", async () => {
    const r = await invoke(scf, "rec", {});
    const record = await recordOf(server, r.FunctionRequestId);
    const fn = await server.quiver.store.getFunction(SCOPE, "default", "rec");
    assert.deepEqual(
      { ...record, startedAt: 0, durationMs: 0, billedMs: 0, memoryUsedBytes: 0 },
      {
        requestId: r.FunctionRequestId, scope: SCOPE, functionId: fn?.id, namespace: "default", functionName: "rec",
        qualifier: "$LATEST", versionName: "$LATEST", alias: null, source: "invoke",
        startedAt: 0, durationMs: 0, billedMs: 0, memoryUsedBytes: 0, memoryMb: 128,
        resultCode: "success", errorMessage: "", log: "start of ok\n", logTruncated: false, result: '{"answer":42}', resultTruncated: false,
      },
    );
    assert.equal(record.startedAt, Date.parse("2030-01-01T00:00:00Z"), "Quiver's clock (here the virtual one)");
    assert.ok(record.durationMs > 0 && record.billedMs >= record.durationMs && record.memoryUsedBytes > 0);
  });

  it("a version and an alias: the qualifier asked and the version that ran", async () => {
    await scf.PublishVersion({ FunctionName: "rec" });
    await scf.CreateAlias({ FunctionName: "rec", Name: "prod", FunctionVersion: "1" });
    const byVersion = await recordOf(server, (await invoke(scf, "rec", {}, { Qualifier: "1" })).FunctionRequestId);
    assert.deepEqual([byVersion.qualifier, byVersion.versionName, byVersion.alias], ["1", "1", null]);
    const byAlias = await recordOf(server, (await invoke(scf, "rec", {}, { Qualifier: "prod" })).FunctionRequestId);
    assert.deepEqual([byAlias.qualifier, byAlias.versionName, byAlias.alias], ["prod", "1", "prod"]);
    const asyncId = (await scf.Invoke({ FunctionName: "rec", Qualifier: "prod", InvocationType: "Event", ClientContext: "{}" })).Result?.FunctionRequestId ?? "";
    const byAliasAsync = await recordOf(server, asyncId);
    assert.deepEqual([byAliasAsync.source, byAliasAsync.qualifier, byAliasAsync.versionName, byAliasAsync.alias], ["async", "prod", "1", "prod"]);
    const ranVersion1 = await records(server, { functionName: "rec", qualifier: "1" });
    // The virtual clock stands still: all started at the same time, so compare without order.
    assert.deepEqual(ranVersion1.map((x) => x.requestId).sort(), [byVersion.requestId, byAlias.requestId, asyncId].sort());
  });

  it("a thrown error, a timeout and a memory kill each leave their result code and message", async () => {
    const thrown = await recordOf(server, (await invoke(scf, "rec", { mode: "throw" })).FunctionRequestId);
    assert.equal(thrown.resultCode, "function-error");
    assert.match(thrown.errorMessage, /boom from user code/);
    assert.match(thrown.log, /start of throw/);
    const timedOut = await recordOf(server, (await invoke(scf, "rec", { mode: "timeout" })).FunctionRequestId);
    assert.equal(timedOut.resultCode, "timeout");
    assert.match(timedOut.errorMessage, /timed out after 1 seconds/);
    assert.match(timedOut.log, /start of timeout/);
    const killed = await recordOf(server, (await invoke(scf, "mem", { mode: "memory" })).FunctionRequestId);
    assert.equal(killed.resultCode, "memory");
    assert.match(killed.errorMessage, /memory exceeded 128 MB/);
  });

  it("a call that finds the function's only instance busy is recorded as throttled", async () => {
    const held = invoke(scf, "hold", { mode: "hold", ms: 1500 });
    // The first call holds the instance; a second one now finds it busy and no queue.
    await eventually(() => (server.quiver.engine.stats().states["busy"] ?? 0) >= 1, { what: "the first call running" });
    const refused = await invoke(scf, "hold", {});
    assert.equal(refused.InvokeResult, 432, refused.ErrMsg);
    const throttled = await recordOf(server, refused.FunctionRequestId);
    assert.equal(throttled.resultCode, "throttled");
    assert.equal((await recordOf(server, (await held).FunctionRequestId)).resultCode, "success");
  });

  it("an async invoke is recorded when it finishes, not before", async () => {
    const accepted = await scf.Invoke({ FunctionName: "hold", InvocationType: "Event", ClientContext: JSON.stringify({ mode: "hold", ms: 300 }) });
    const id = accepted.Result?.FunctionRequestId ?? "";
    assert.deepEqual(await records(server, { requestId: id }), [], "no record while it runs");
    const record = await recordOf(server, id);
    assert.deepEqual([record.source, record.resultCode, record.result, record.versionName], ["async", "success", '"held"', "$LATEST"]);
  });

  it("a timer fire is an async invocation with source timer", async () => {
    const cron = "0 0 * * * * *";
    const ref = { scope: SCOPE, namespace: "default", name: "rec" };
    const timer = await server.quiver.service.triggers.create(ref, {
      name: "hourly", qualifier: "$LATEST", enabled: true, description: "",
      settings: { kind: "timer", origin: "scf", scheduleKind: "cron", expression: cron, schedule: { kind: "cron", cron, timezone: "UTC" }, payload: "tick" },
      extras: {},
    });
    const fired = await server.quiver.timers.fireNow(ref, timer.id);
    const record = await recordOf(server, fired.id);
    assert.deepEqual([record.source, record.resultCode, record.qualifier, record.versionName], ["timer", "success", "$LATEST", "$LATEST"]);
    await server.quiver.service.triggers.delete(ref, timer.id);
  });

  it("an HTTP trigger of an event function is recorded with source http and the trigger's request id", async () => {
    await createHttpTrigger(server, { account: ALICE, functionName: "rec", name: "url" });
    const response = await fetch(scfTriggerUrl(server, ALICE, "rec", "url"));
    assert.equal(response.status, 200);
    const record = await recordOf(server, response.headers.get("x-scf-request-id") ?? "");
    assert.deepEqual([record.source, record.resultCode, record.qualifier], ["http", "success", "$LATEST"]);
  });

  it("a web function behind a trigger: served, and a server that cannot start is a start failure", async () => {
    const server200 = "require('node:http').createServer((req, res) => { console.log('serving ' + req.url); res.end('hello web'); }).listen(9000, '0.0.0.0');\n";
    await scf.CreateFunction({
      FunctionName: "site", Type: "HTTP", Runtime: "Nodejs18.15", Timeout: 3,
      Code: { ZipFile: await zipBase64({ scf_bootstrap: { content: "#!/bin/bash\nexec /var/lang/node18/bin/node server.js\n", mode: 0o100755 }, "server.js": { content: server200 } }) },
    });
    await scf.CreateFunction({
      FunctionName: "broken-site", Type: "HTTP", Runtime: "Nodejs18.15", Timeout: 3,
      Code: { ZipFile: await zipBase64({ scf_bootstrap: { content: "#!/bin/sh\necho 'cannot find config' >&2\nexit 3\n", mode: 0o100755 } }) },
    });
    await eventually(async () => (await scf.GetFunction({ FunctionName: "broken-site" })).Status === "Active", { what: "broken-site active" });
    await createHttpTrigger(server, { account: ALICE, functionName: "site", name: "url" });
    await createHttpTrigger(server, { account: ALICE, functionName: "broken-site", name: "url" });
    const ok = await fetch(`${scfTriggerUrl(server, ALICE, "site", "url")}/page`);
    assert.equal(await ok.text(), "hello web");
    const served = await recordOf(server, ok.headers.get("x-scf-request-id") ?? "");
    assert.deepEqual([served.source, served.resultCode, served.result], ["http", "success", "hello web"]);
    assert.match(served.log, /serving \/page/);
    const failed = await fetch(scfTriggerUrl(server, ALICE, "broken-site", "url"));
    assert.notEqual(failed.status, 200);
    const record = await recordOf(server, failed.headers.get("x-scf-request-id") ?? "");
    assert.equal(record.resultCode, "start-failure");
    assert.match(record.errorMessage, /exited with code 3/);
    assert.match(record.log, /cannot find config/);
  });

  it("the record keeps the log up to its cap (the end, after a marker); SCF's Tail still answers at most 4 KB", async () => {
    const r = await invoke(scf, "rec", { mode: "big-log" }, { LogType: "Tail" });
    assert.ok(Buffer.byteLength(r.Log) <= 4096, `Tail is ${Buffer.byteLength(r.Log)} bytes`);
    assert.match(r.Log, /the very end/);
    const record = await recordOf(server, r.FunctionRequestId);
    assert.equal(record.logTruncated, true, "about 220 KB of output, over the 64 KB cap");
    assert.ok(record.log.startsWith(TRUNCATION_MARKER));
    assert.match(record.log, /the very end\n$/);
    const bytes = Buffer.byteLength(record.log);
    assert.ok(bytes <= 64 * 1024 && bytes > 63 * 1024, `${bytes} bytes kept`);
    const result = await recordOf(server, (await invoke(scf, "rec", { mode: "big-result" })).FunctionRequestId);
    assert.deepEqual([result.result.length, result.resultTruncated], [1024, true]);
  });

  it("FunctionGraph: the invoke is recorded in its region, and the tail it answers is at most 4 KB", async () => {
    const fg = fgClient(server.url);
    await createFunction(scfClient(server, ALICE, { region: ALICE.huawei.region }), { name: "fgrec", files: { "index.js": CODE }, timeout: 3 });
    const answer = await fgInvoke(fg, urnOf("fgrec", "latest"), { mode: "big-log" }, { tail: true });
    const log = String(answer["log"]);
    assert.ok(Buffer.byteLength(log) <= 4096, `log is ${Buffer.byteLength(log)} bytes`);
    assert.match(log, /the very end/);
    const record = await recordOf(server, String(answer["request_id"]), FG_SCOPE);
    assert.deepEqual([record.functionName, record.resultCode, record.logTruncated], ["fgrec", "success", true]);
    assert.deepEqual(await records(server, { requestId: record.requestId }), [], "not in the SCF region");
  });

  it("records survive a restart", async () => {
    const before = await records(server, { functionName: "rec" });
    assert.ok(before.length >= 8);
    await server.restart();
    scf = scfClient(server);
    assert.deepEqual(await records(server, { functionName: "rec" }), before);
  });
});

describe("invocation records: retention and off", () => {
  it("retention removes records past their age in the background", async () => {
    const server = await startQuiver({
      rateLimits: { enabled: false, overrides: {} },
      timers: { clock: "virtual", clockStart: "2030-01-01T00:00:00Z" },
      records: { retentionDays: 1, retentionEveryMs: 100 },
    });
    try {
      const scf = scfClient(server);
      await createFunction(scf, { name: "old", files: { "index.js": CODE } });
      const id = (await invoke(scf, "old", {})).FunctionRequestId;
      await recordOf(server, id);
      const response = await fetch(`${server.url}/quiver/v1/clock/advance`, { method: "POST", body: JSON.stringify({ ms: 2 * 86_400_000 }) });
      assert.equal(response.status, 200);
      // The first pass runs a few seconds after start, then every 100 ms.
      await eventually(async () => (await records(server, { requestId: id })).length === 0, { what: "the two-day-old record removed", timeoutMs: 20_000 });
      const fresh = (await invoke(scf, "old", {})).FunctionRequestId;
      assert.equal((await recordOf(server, fresh)).resultCode, "success", "new records are kept");
    } finally {
      await server.stop();
    }
  });

  it("with records off, invocations run and nothing is recorded", async () => {
    const server = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, records: { enabled: false } });
    try {
      const scf = scfClient(server);
      await createFunction(scf, { name: "quiet", files: { "index.js": CODE } });
      const heard: string[] = [];
      server.quiver.recorder.subscribe((r) => heard.push(r.requestId));
      const r = await invoke(scf, "quiet", {}, { LogType: "Tail" });
      assert.equal(r.InvokeResult, 0);
      assert.match(r.Log, /start of ok/);
      assert.deepEqual(heard, [r.FunctionRequestId], "listeners still hear it");
      assert.deepEqual(await records(server, {}), []);
    } finally {
      await server.stop();
    }
  });
});

describe("invocation records on PostgreSQL", { skip: PG_OFF ? "QUIVER_TEST_PG=off" : false }, () => {
  it("the PostgreSQL store keeps the records, across a restart", async () => {
    const schema = await createTestSchema();
    const url = new URL(PG_URL);
    url.searchParams.set("options", `-c search_path=${schema.name}`);
    const server = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, store: "postgres", databaseUrl: url.toString() });
    try {
      const scf = scfClient(server);
      await createFunction(scf, { name: "pg", files: { "index.js": CODE }, timeout: 1 });
      const ok = (await invoke(scf, "pg", {})).FunctionRequestId;
      const thrown = (await invoke(scf, "pg", { mode: "throw" })).FunctionRequestId;
      assert.equal((await recordOf(server, thrown)).resultCode, "function-error");
      await server.restart();
      const kept = await records(server, { functionName: "pg" });
      assert.deepEqual(kept.map((r) => r.requestId).sort(), [ok, thrown].sort());
      assert.equal(kept.find((r) => r.requestId === ok)?.result, '{"answer":42}');
    } finally {
      await server.stop();
      await schema.drop();
    }
  });
});
