/**
 * GetFunctionLogs and GetRequestStatus through the official SCF SDK: what a user finds about
 * the invocations made, by request id, qualifier, time window and result code, paged and
 * ordered; failures of every kind; asynchronous invocations while they run and after; and
 * nothing of another account.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { BOB } from "../helpers/accounts.js";
import { eventually } from "../helpers/eventually.js";
import { expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { zipBase64 } from "../helpers/zip.js";

const HANDLER = `
exports.main_handler = async (event) => {
  switch (event.mode) {
    case "throw": throw new Error("boom " + event.marker);
    case "timeout": await new Promise(() => setInterval(() => {}, 1000)); return 1;
    case "memory": { const keep = []; for (;;) keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); }
    case "wait": console.log("waiting " + event.marker); await new Promise((r) => setTimeout(r, event.ms)); return "waited";
    default: console.log("printed " + event.marker); console.log("second line"); return { marker: event.marker, n: event.n };
  }
};
`;

type Log = Record<string, unknown>;
interface LogsAnswer {
  readonly TotalCount?: number;
  readonly Data?: Log[];
  readonly SearchContext?: Record<string, unknown>;
}

/** `YYYY-MM-DD hh:mm:ss` in local time, as SCF writes and reads its times. */
function scfDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

let server: TestQuiver;
let scf: ScfClient;

async function create(client: ScfClient, name: string, timeout: number): Promise<void> {
  await client.CreateFunction({ FunctionName: name, Runtime: "Nodejs18.15", Handler: "index.main_handler", Timeout: timeout, MemorySize: 128, Code: { ZipFile: await zipBase64({ "index.js": HANDLER }) } });
}

async function invoke(name: string, event: Record<string, unknown>, qualifier?: string): Promise<string> {
  const answer = await scf.Invoke({ FunctionName: name, ClientContext: JSON.stringify(event), ...(qualifier === undefined ? {} : { Qualifier: qualifier }) });
  return String(answer.Result?.FunctionRequestId);
}

const logs = (params: Record<string, unknown>, client: ScfClient = scf): Promise<LogsAnswer> => client.GetFunctionLogs(params) as Promise<LogsAnswer>;

/** The log of one request, once its record is written (records are written in batches, off the invoke path). */
async function logOf(name: string, requestId: string): Promise<Log> {
  return eventually(async () => (await logs({ FunctionName: name, FunctionRequestId: requestId })).Data?.[0], { what: `the record of ${requestId}` });
}

const ids = (answer: LogsAnswer): string[] => (answer.Data ?? []).map((log) => String(log["RequestId"]));

describe("SCF GetFunctionLogs and GetRequestStatus", () => {
  before(async () => {
    // Waiting for records polls GetFunctionLogs faster than its documented 5 requests per second.
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    scf = scfClient(server);
    await create(scf, "logs-fn", 2);
    await create(scf, "mem-fn", 20);
    await scf.PublishVersion({ FunctionName: "logs-fn" });
    await scf.CreateAlias({ FunctionName: "logs-fn", Name: "live", FunctionVersion: "1" });
  });
  after(async () => server.stop());

  it("finds the logs of $LATEST, a version and an alias by request id, with every documented field", async () => {
    const latest = await invoke("logs-fn", { marker: "m-latest" });
    const version = await invoke("logs-fn", { marker: "m-version" }, "1");
    const alias = await invoke("logs-fn", { marker: "m-alias" }, "live");
    for (const [id, marker] of [[latest, "m-latest"], [version, "m-version"], [alias, "m-alias"]] as const) {
      const log = await logOf("logs-fn", id);
      assert.equal(log["RequestId"], id);
      assert.equal(log["FunctionName"], "logs-fn");
      assert.equal(log["RetCode"], 0);
      assert.equal(log["InvokeFinished"], 1);
      assert.match(String(log["Log"]), new RegExp(`printed ${marker}\\nsecond line\\n`));
      assert.match(String(log["Log"]), new RegExp(`^START RequestId: ${id}`));
      assert.deepEqual(JSON.parse(String(log["RetMsg"])), { marker });
      assert.match(String(log["StartTime"]), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      const duration = Number(log["Duration"]);
      const billed = Number(log["BillDuration"]);
      assert.ok(billed % 100 === 0 && billed >= duration && billed - duration < 100, `billed ${billed} for ${duration} ms`);
      assert.ok(Number.isInteger(log["MemUsage"]) && Number(log["MemUsage"]) > 0, "MemUsage is bytes");
    }
    // A qualifier finds what was asked for it and what ran as it: version 1 ran for both the version and the alias.
    const byVersion = await logs({ FunctionName: "logs-fn", Qualifier: "1" });
    assert.deepEqual(new Set(ids(byVersion).filter((id) => [latest, version, alias].includes(id))), new Set([version, alias]));
    const byAlias = await logs({ FunctionName: "logs-fn", Qualifier: "live" });
    assert.deepEqual(ids(byAlias).filter((id) => [latest, version, alias].includes(id)), [alias]);
    const byLatest = await logs({ FunctionName: "logs-fn", Qualifier: "$LATEST" });
    assert.deepEqual(ids(byLatest).filter((id) => [latest, version, alias].includes(id)), [latest]);
  });

  it("finds logs by time window, and refuses windows SCF refuses", async () => {
    const id = await invoke("logs-fn", { marker: "m-window" });
    await logOf("logs-fn", id);
    const now = Date.now();
    const around = await logs({ FunctionName: "logs-fn", StartTime: scfDate(now - 3600_000), EndTime: scfDate(now + 60_000) });
    assert.ok(ids(around).includes(id));
    const yesterday = await logs({ FunctionName: "logs-fn", StartTime: scfDate(now - 2 * 86_400_000), EndTime: scfDate(now - 86_400_000 - 1000) });
    assert.equal(yesterday.TotalCount, 0);
    assert.deepEqual(yesterday.Data, []);
    await expectScfError(logs({ FunctionName: "logs-fn", StartTime: scfDate(now - 2 * 86_400_000), EndTime: scfDate(now) }), "InvalidParameterValue.StartTimeOrEndTime");
    await expectScfError(logs({ FunctionName: "logs-fn", StartTime: scfDate(now) }), "InvalidParameterValue.StartTimeOrEndTime");
    await expectScfError(logs({ FunctionName: "logs-fn", StartTime: "yesterday", EndTime: scfDate(now) }), "InvalidParameterValue.DateTime");
  });

  it("records a thrown error, a timeout and a memory kill, and Filter.RetCode finds each", { timeout: 180_000 }, async () => {
    const thrown = await invoke("logs-fn", { mode: "throw", marker: "m-throw" });
    const timedOut = await invoke("logs-fn", { mode: "timeout" });
    const killed = await invoke("mem-fn", { mode: "memory" });
    const ok = await invoke("logs-fn", { marker: "m-ok" });
    const thrownLog = await logOf("logs-fn", thrown);
    assert.equal(thrownLog["RetCode"], 430);
    assert.match(String(thrownLog["RetMsg"]), /boom m-throw/);
    const timeoutLog = await logOf("logs-fn", timedOut);
    assert.equal(timeoutLog["RetCode"], 433);
    assert.match(String(timeoutLog["RetMsg"]), /timed out after 2 seconds/);
    const memoryLog = await logOf("mem-fn", killed);
    assert.equal(memoryLog["RetCode"], 434);
    assert.match(String(memoryLog["RetMsg"]), /memory exceeded 128 MB/);
    await logOf("logs-fn", ok);

    const filtered = async (name: string, retCode: string): Promise<string[]> => ids(await logs({ FunctionName: name, Limit: 100, Filter: { RetCode: retCode } }));
    const ours = (list: string[]): string[] => list.filter((id) => [thrown, timedOut, ok].includes(id)).sort();
    assert.deepEqual(ours(await filtered("logs-fn", "UserCodeException")), [thrown]);
    assert.deepEqual(ours(await filtered("logs-fn", "TimeLimitExceeded")), [timedOut]);
    assert.deepEqual(ours(await filtered("logs-fn", "not0")), [thrown, timedOut].sort());
    assert.deepEqual(ours(await filtered("logs-fn", "is0")), [ok]);
    assert.deepEqual(await filtered("mem-fn", "ResourceLimitExceeded"), [killed]);
    assert.deepEqual(await filtered("mem-fn", "is0"), []);
    await expectScfError(logs({ FunctionName: "logs-fn", Filter: { RetCode: "is1" } }), "InvalidParameterValue.RetCode");
  });

  it("pages and orders: Offset/Limit, Order, OrderBy, TotalCount; SearchContext comes back", async () => {
    await create(scf, "pager", 3);
    const made: string[] = [];
    for (let n = 0; n < 5; n += 1) made.push(await invoke("pager", { marker: `p${n}`, n }));
    await eventually(async () => (await logs({ FunctionName: "pager" })).TotalCount === 5, { what: "five records of pager" });
    const newest = await logs({ FunctionName: "pager", Limit: 2 });
    assert.equal(newest.TotalCount, 5);
    assert.deepEqual(ids(newest), [made[4], made[3]], "newest first by default");
    const firstPage = await logs({ FunctionName: "pager", Order: "asc", OrderBy: "start_time", Offset: 0, Limit: 2 });
    const secondPage = await logs({ FunctionName: "pager", Order: "asc", OrderBy: "start_time", Offset: 2, Limit: 2 });
    const lastPage = await logs({ FunctionName: "pager", Order: "asc", OrderBy: "start_time", Offset: 4, Limit: 2 });
    assert.deepEqual([...ids(firstPage), ...ids(secondPage), ...ids(lastPage)], made);
    const byMemory = await logs({ FunctionName: "pager", OrderBy: "mem_usage", Order: "desc", Limit: 5 });
    const memory = (byMemory.Data ?? []).map((log) => Number(log["MemUsage"]));
    assert.deepEqual(memory, [...memory].sort((a, b) => b - a));
    assert.deepEqual(newest.SearchContext, { Offset: "", Limit: 0, Keyword: "", Type: "" });
    const echoed = await logs({ FunctionName: "pager", SearchContext: { Offset: "7", Limit: 3, Keyword: "k", Type: "t" } });
    assert.deepEqual(echoed.SearchContext, { Offset: "7", Limit: 3, Keyword: "k", Type: "t" });
    await expectScfError(logs({ FunctionName: "pager", Offset: 9_999, Limit: 2 }), "LimitExceeded.Offset");
    await expectScfError(logs({ FunctionName: "pager", OrderBy: "memUsage" }), "InvalidParameterValue.OrderBy");
    // Without FunctionName the namespace's invocations are listed.
    const namespace = await logs({ Namespace: "default", FunctionRequestId: made[2] });
    assert.deepEqual(ids(namespace), [made[2]]);
  });

  it("one account never reads another's logs or request status", async () => {
    const id = await invoke("logs-fn", { marker: "m-private" });
    await logOf("logs-fn", id);
    const bob = scfClient(server, BOB);
    await expectScfError(logs({ FunctionName: "logs-fn" }, bob), "ResourceNotFound.Function");
    await expectScfError(bob.GetRequestStatus({ FunctionName: "logs-fn", FunctionRequestId: id }), "ResourceNotFound.Function");
    await create(bob, "logs-fn", 2);
    assert.equal((await logs({ FunctionName: "logs-fn", FunctionRequestId: id }, bob)).TotalCount, 0);
    assert.equal((await logs({ FunctionRequestId: id }, bob)).TotalCount, 0);
    assert.equal((await bob.GetRequestStatus({ FunctionName: "logs-fn", FunctionRequestId: id })).TotalCount, 0);
  });

  it("GetRequestStatus: RetCode 1 while an asynchronous invocation runs, then 0; -1 for a failure; MemUsage in MB", async () => {
    const answer = await scf.Invoke({ FunctionName: "mem-fn", InvocationType: "Event", ClientContext: JSON.stringify({ mode: "wait", marker: "m-async", ms: 8000 }) });
    const asyncId = String(answer.Result?.FunctionRequestId);
    const running = await scf.GetRequestStatus({ FunctionName: "mem-fn", FunctionRequestId: asyncId });
    assert.equal(running.TotalCount, 1);
    assert.equal(running.Data?.[0]?.RetCode, 1, JSON.stringify(running));
    assert.equal(running.Data?.[0]?.RequestId, asyncId);
    const done = await eventually(async () => {
      const status = await scf.GetRequestStatus({ FunctionName: "mem-fn", FunctionRequestId: asyncId });
      return status.Data?.[0]?.RetCode === 0 ? status.Data[0] : null;
    }, { timeoutMs: 30_000, what: "the async invocation finishing" });
    assert.equal(done.RetMsg, "waited");
    assert.ok(Number(done.Duration) >= 8000);

    const ok = await invoke("logs-fn", { marker: "m-status" });
    const okStatus = await eventually(async () => (await scf.GetRequestStatus({ FunctionName: "logs-fn", FunctionRequestId: ok })).Data?.[0]);
    assert.equal(okStatus.RetCode, 0);
    assert.deepEqual(JSON.parse(String(okStatus.RetMsg)), { marker: "m-status" });
    assert.ok(Number(okStatus.MemUsage) > 0 && Number(okStatus.MemUsage) < 1024, `MemUsage ${okStatus.MemUsage} is MB`);
    assert.equal(okStatus.RetryNum, 0);

    const failed = await invoke("logs-fn", { mode: "throw", marker: "m-status-fail" });
    const failedStatus = await eventually(async () => (await scf.GetRequestStatus({ FunctionName: "logs-fn", FunctionRequestId: failed })).Data?.[0]);
    assert.equal(failedStatus.RetCode, -1);
    assert.match(String(failedStatus.RetMsg), /boom m-status-fail/);

    const unknown = await scf.GetRequestStatus({ FunctionName: "logs-fn", FunctionRequestId: "00000000-0000-0000-0000-000000000000" });
    assert.deepEqual({ total: unknown.TotalCount, data: unknown.Data }, { total: 0, data: [] });
    const past = await scf.GetRequestStatus({ FunctionName: "logs-fn", FunctionRequestId: ok, StartTime: scfDate(Date.now() - 3 * 3600_000), EndTime: scfDate(Date.now() - 2 * 3600_000) });
    assert.equal(past.TotalCount, 0, "outside the window");
    await expectScfError(scf.GetRequestStatus({ FunctionName: "logs-fn", FunctionRequestId: ok, StartTime: scfDate(Date.now()) }), "InvalidParameterValue.StartTimeOrEndTime");
    await expectScfError(scf.GetRequestStatus({ FunctionName: "logs-fn", FunctionRequestId: "x".repeat(200) }), "InvalidParameterValue.FunctionRequestId");
  });
});

describe("SCF log windows on a virtual clock", () => {
  let virtual: TestQuiver;
  before(async () => {
    virtual = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, timers: { clock: "virtual", clockStart: "2030-01-01T00:00:00Z" } });
  });
  after(async () => virtual.stop());

  it("the default windows end at Quiver's now, the clock the records are taken on", async () => {
    const client = scfClient(virtual);
    await create(client, "clocked", 3);
    const answer = await client.Invoke({ FunctionName: "clocked", ClientContext: JSON.stringify({ marker: "m-clock" }) });
    const id = String(answer.Result?.FunctionRequestId);
    const log = await eventually(async () => (await logs({ FunctionName: "clocked" }, client)).Data?.[0], { what: "the record in the default window" });
    assert.equal(log["RequestId"], id);
    assert.equal(log["StartTime"], scfDate(Date.parse("2030-01-01T00:00:00Z")));
    const status = await client.GetRequestStatus({ FunctionName: "clocked", FunctionRequestId: id });
    assert.equal(status.Data?.[0]?.RetCode, 0);
  });
});
