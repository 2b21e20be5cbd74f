/**
 * FunctionGraph's log and metric surface: showLtsLogDetails and the statistics through the
 * official Huawei SDK, and LTS's log query (ListLogs; the LTS SDK is not a dependency here, so
 * it is sent signed the way the SDKs sign) returning the lines a function printed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { eventually } from "../helpers/eventually.js";
import { call, type Caller } from "../helpers/fgs-http.js";
import { createFunction, fg, fgClient, invoke, sdkFailure, showConfig, urnOf, wire, type Wire } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { buildZip } from "../helpers/zip.js";

const HANDLER = `
exports.handler = async (event) => {
  if (event.fail) throw new Error("failed " + event.marker);
  console.log("line one " + event.marker);
  console.log("line two " + event.marker);
  return { marker: event.marker };
};
`;

let server: TestQuiver;
let client: fg.FunctionGraphClient;
let alice: Caller;
let bob: Caller;
const URN = urnOf("lts-fn", "latest");

interface LogLine {
  readonly content: string;
  readonly line_num: string;
  readonly labels: Record<string, string>;
}

async function ltsIds(c: fg.FunctionGraphClient = client, urn = URN): Promise<Wire> {
  return wire(await c.showLtsLogDetails(new fg.ShowLtsLogDetailsRequest().withFunctionUrn(urn)));
}

async function query(caller: Caller, ids: Wire, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const path = `/v2/${caller.projectId}/groups/${String(ids["group_id"])}/streams/${String(ids["stream_id"])}/content/query`;
  const answer = await call(caller, "POST", path, body);
  return { status: answer.status, body: answer.json() };
}

const lines = (answer: { body: Record<string, unknown> }): LogLine[] => answer.body["logs"] as LogLine[];
const window = (): { start_time: string; end_time: string } => ({ start_time: String(Date.now() - 3600_000), end_time: String(Date.now() + 60_000) });

/** Invokes and waits until the invocation is recorded (records are written in batches, off the invoke path). */
async function invokeRecorded(marker: string): Promise<string> {
  const envelope = await invoke(client, URN, { marker });
  const requestId = String(envelope["request_id"]);
  await eventually(async () => lines(await query(alice, await ltsIds(), { ...window(), labels: { requestId } })).length > 0, { what: `the record of ${marker}` });
  return requestId;
}

describe("FunctionGraph logs (LTS) and metrics", () => {
  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    client = fgClient(server.url);
    alice = { port: server.port, projectId: ALICE.huawei.projectId, ak: ALICE.huawei.accessKey, sk: ALICE.huawei.secretKey };
    bob = { port: server.port, projectId: BOB.huawei.projectId, ak: BOB.huawei.accessKey, sk: BOB.huawei.secretKey };
    await createFunction(client, await buildZip({ "index.js": HANDLER }), "lts-fn");
  });
  after(async () => server.stop());

  it("showLtsLogDetails names the function's log group and stream, as its metadata does", async () => {
    const ids = await ltsIds();
    assert.match(String(ids["group_id"]), /^[0-9a-f-]{36}$/);
    assert.match(String(ids["stream_id"]), /^[0-9a-f-]{36}$/);
    assert.equal(typeof ids["group_name"], "string");
    assert.equal(typeof ids["stream_name"], "string");
    const config = await showConfig(client, URN);
    assert.equal(config["log_group_id"], ids["group_id"]);
    assert.equal(config["log_stream_id"], ids["stream_id"]);
    const missing = await sdkFailure(ltsIds(client, urnOf("no-such-fn", "latest")));
    assert.equal(missing.httpStatusCode, 404);
  });

  it("the LTS query returns the lines the function printed, labelled with their invocation, filtered and paged", async () => {
    const first = await invokeRecorded("alpha");
    const second = await invokeRecorded("beta");
    const ids = await ltsIds();
    const all = await query(alice, ids, window());
    assert.equal(all.status, 200, JSON.stringify(all.body));
    const ours = lines(all).filter((l) => [first, second].includes(l.labels["requestId"] ?? ""));
    assert.deepEqual(ours.map((l) => l.content), ["line one alpha", "line two alpha", "line one beta", "line two beta"], "oldest first by default");
    assert.ok(ours.every((l) => /^\d{19}$/.test(l.line_num) && l.labels["functionName"] === "lts-fn"));

    const byRequest = await query(alice, ids, { ...window(), labels: { requestId: second }, is_count: true });
    assert.deepEqual(lines(byRequest).map((l) => l.content), ["line one beta", "line two beta"]);
    assert.equal(byRequest.body["count"], 2);
    const byKeyword = await query(alice, ids, { ...window(), keywords: "two alpha" });
    assert.deepEqual(lines(byKeyword).map((l) => l.content), ["line two alpha"]);

    const newest = await query(alice, ids, { ...window(), is_desc: true, limit: 1 });
    assert.deepEqual(lines(newest).map((l) => l.content), ["line two beta"]);
    const cursor = lines(newest)[0]?.line_num;
    const next = await query(alice, ids, { ...window(), is_desc: true, search_type: "forwards", line_num: cursor, limit: 2 });
    assert.deepEqual(lines(next).map((l) => l.content), ["line one beta", "line two alpha"]);
    const start = lines(all).find((l) => l.content === "line one beta")?.line_num;
    const before = await query(alice, ids, { ...window(), search_type: "backwards", line_num: start, limit: 2 });
    assert.deepEqual(lines(before).map((l) => l.content), ["line one alpha", "line two alpha"]);

    const empty = await query(alice, ids, { start_time: "1000", end_time: "2000" });
    assert.deepEqual(lines(empty), []);
    const bad = await query(alice, ids, { start_time: "1000", end_time: "2000", limit: 0 });
    assert.equal(bad.status, 400);
  });

  it("one account never reads another's logs", async () => {
    const ids = await ltsIds();
    const bobClient = fgClient(server.url, BOB.huawei);
    const foreign = await sdkFailure(ltsIds(bobClient, URN));
    assert.equal(foreign.httpStatusCode, 403);
    // Alice's group is not in Bob's project; Bob's own group holds no stream of Alice's.
    assert.equal((await query(bob, ids, window())).status, 400);
    await createFunction(bobClient, await buildZip({ "index.js": HANDLER }), "bob-fn");
    const bobIds = await ltsIds(bobClient, `urn:fss:${BOB.huawei.region}:${BOB.huawei.projectId}:function:default:bob-fn:latest`);
    const crossed = await query(bob, { group_id: bobIds["group_id"], stream_id: ids["stream_id"] }, window());
    assert.equal(crossed.status, 200);
    assert.deepEqual(lines(crossed), []);
  });

  it("listFunctionStatistics and showFunctionMetrics count the invocations made, -1 where nothing ran", async () => {
    await createFunction(client, await buildZip({ "index.js": HANDLER }), "stats-fn");
    const urn = urnOf("stats-fn", "latest");
    for (const marker of ["s1", "s2", "s3"]) await invoke(client, urn, { marker });
    await invoke(client, urn, { marker: "s4", fail: true });
    const sum = (series: unknown): number => (series as { value: number }[]).filter((p) => p.value !== -1).reduce((total, p) => total + p.value, 0);
    const statistics = await eventually(async () => {
      const s = wire(await client.listFunctionStatistics(new fg.ListFunctionStatisticsRequest().withFuncUrn(urn).withPeriod("15")));
      return sum(s["count"]) === 4 ? s : null;
    }, { what: "four invocations counted" });
    assert.equal(sum(statistics["fail_count"]), 1);
    assert.equal(sum(statistics["reject_count"]), 0);
    const count = statistics["count"] as { timestamp: number; value: number }[];
    assert.equal(count.length, 15);
    assert.ok(count.some((p) => p.value === -1), "empty minutes read -1");
    assert.ok(count.every((p, i) => i === 0 || p.timestamp - (count[i - 1]?.timestamp ?? 0) === 60_000), "one-minute buckets, ms timestamps");
    const max = (statistics["max_duration"] as { value: number }[]).map((p) => p.value);
    assert.ok(Math.max(...max) > 0);

    const metrics = wire(await client.showFunctionMetrics(new fg.ShowFunctionMetricsRequest().withFuncUrn(urn).withPeriod("5")));
    assert.equal(sum(metrics["count"]), 4);
    assert.equal((metrics["count"] as unknown[]).length, 288, "the last day in 5-minute buckets");
    assert.ok(Array.isArray(metrics["instance_num"]));
    const bad = await sdkFailure(client.showFunctionMetrics(new fg.ShowFunctionMetricsRequest().withFuncUrn(urn).withPeriod("7")));
    assert.equal(bad.httpStatusCode, 400);
    const foreign = await sdkFailure(fgClient(server.url, BOB.huawei).listFunctionStatistics(new fg.ListFunctionStatisticsRequest().withFuncUrn(urn).withPeriod("15")));
    assert.equal(foreign.httpStatusCode, 403);
  });
});
