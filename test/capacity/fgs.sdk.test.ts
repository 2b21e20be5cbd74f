/**
 * FunctionGraph reserved instances and maximum instances through the official Node SDK: every
 * operation, its fields and errors, and what they do to the engine.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { eventually } from "../helpers/eventually.js";
import { createFunction, createAlias, fg, fgClient, invoke, publishVersion, sdkFailure, urnOf, wire, type Wire } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { buildZip } from "../helpers/zip.js";

const SCOPE = { accountId: ALICE.name, region: ALICE.huawei.region };
const SLEEPER = "exports.handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms ?? 0)); return { ok: true }; };\n";

function instancesOf(server: TestQuiver, functionId: string, seq: number): number {
  let n = 0;
  for (const [key, s] of Object.entries(server.quiver.engine.stats().perKey)) if (key.startsWith(`${functionId}/v${seq}/`)) n += s.instances;
  return n;
}

async function functionId(server: TestQuiver, name: string): Promise<string> {
  const fn = await server.quiver.store.getFunction(SCOPE, "default", name);
  assert.ok(fn);
  return fn.id;
}

function reserve(client: fg.FunctionGraphClient, urn: string, count: number, crons: fg.CronConfig[] = [], idleMode?: boolean): Promise<Wire> {
  const body = new fg.UpdateFunctionReservedInstancesCountRequestBody().withCount(count).withTacticsConfig(new fg.TacticsConfig().withCronConfigs(crons));
  if (idleMode !== undefined) body.withIdleMode(idleMode);
  return client.updateFunctionReservedInstancesCount(new fg.UpdateFunctionReservedInstancesCountRequest().withFunctionUrn(urn).withBody(body)).then(wire);
}

async function configs(client: fg.FunctionGraphClient, functionUrn?: string): Promise<Wire> {
  const request = new fg.ListReservedInstanceConfigsRequest();
  if (functionUrn !== undefined) request.withFunctionUrn(functionUrn);
  return wire(await client.listReservedInstanceConfigs(request));
}

async function reserved(client: fg.FunctionGraphClient, urn?: string): Promise<Wire> {
  const request = new fg.ListFunctionReservedInstancesRequest();
  if (urn !== undefined) request.withUrn(urn);
  return wire(await client.listFunctionReservedInstances(request));
}

void describe("FunctionGraph reserved instances", () => {
  let server: TestQuiver;
  let client: fg.FunctionGraphClient;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false }, engine: { maxInstancesTotal: 5 } });
    client = fgClient(server.url);
  });
  after(async () => server.stop());

  test("a version's reserved instances start and serve the first call warm; both lists show them", async () => {
    await createFunction(client, await buildZip({ "index.js": SLEEPER }), "kept");
    await publishVersion(client, urnOf("kept"), { version: "v1" });
    const id = await functionId(server, "kept");
    const { httpStatusCode, ...answer } = await reserve(client, urnOf("kept", "v1"), 2, [], true);
    assert.equal(httpStatusCode, 200);
    assert.deepEqual(answer, { count: 2, idle_mode: true, tactics_config: { cron_configs: [], metric_configs: [] } });
    await eventually(() => instancesOf(server, id, 1) === 2, { timeoutMs: 30_000, what: "two instances" });
    await eventually(async () => ((await reserved(client, urnOf("kept", "v1")))["reservedinstances"] as Wire[])[0]?.["count"] === 2, { timeoutMs: 30_000, what: "both running" });
    const list = await configs(client, urnOf("kept"));
    assert.deepEqual(list["reserved_instances"], [{ function_urn: urnOf("kept"), qualifier_type: "version", qualifier_name: "v1", min_count: 2, idle_mode: true, tactics_config: { cron_configs: [], metric_configs: [] } }]);
    assert.equal(list["count"], 1);
    assert.deepEqual((list["page_info"] as Wire)["current_count"], 1);
    const counts = await reserved(client);
    assert.deepEqual(counts["reservedinstances"], [{ func_urn: urnOf("kept", "v1"), count: 2 }]);

    const coldStarts: string[] = [];
    const stop = server.quiver.engine.watchColdStarts((target) => coldStarts.push(target.version));
    try {
      const envelope = await invoke(client, urnOf("kept", "v1"));
      assert.deepEqual(JSON.parse(String(envelope["result"])), { ok: true });
    } finally {
      stop();
    }
    assert.deepEqual(coldStarts, [], "served by a reserved instance");
    // Another project sees none of it.
    assert.deepEqual((await reserved(fgClient(server.url, BOB.huawei)))["reservedinstances"], []);
  });

  test("refused: latest, a version that does not exist, more than the machine runs, a bad cron", async () => {
    const latest = await sdkFailure(reserve(client, urnOf("kept", "latest"), 1));
    assert.deepEqual([latest.httpStatusCode, latest.errorCode], [400, "FSS.0400"]);
    const missing = await sdkFailure(reserve(client, urnOf("kept", "v9"), 1));
    assert.deepEqual([missing.httpStatusCode, missing.errorCode], [404, "FSS.1052"]);
    const over = await sdkFailure(reserve(client, urnOf("kept", "v1"), 6));
    assert.deepEqual([over.httpStatusCode, over.errorCode], [400, "FSS.1076"]);
    assert.match(over.errorMsg, /--max-instances/);
    const cron = new fg.CronConfig().withName("peak").withCron("0 0 25 * * *").withCount(3);
    const badCron = await sdkFailure(reserve(client, urnOf("kept", "v1"), 1, [cron]));
    assert.deepEqual([badCron.httpStatusCode, badCron.errorCode], [400, "FSS.0400"]);
    const negative = await sdkFailure(reserve(client, urnOf("kept", "v1"), -1));
    assert.equal(negative.httpStatusCode, 400);
  });

  test("an alias keeps its version's instances; count 0 removes the reservation and releases them", async () => {
    await publishVersion(client, urnOf("kept"), { version: "v2" });
    await createAlias(client, urnOf("kept"), { name: "prod", version: "v2" });
    const id = await functionId(server, "kept");
    await reserve(client, urnOf("kept", "!prod"), 1);
    await eventually(() => instancesOf(server, id, 2) === 1, { timeoutMs: 30_000, what: "the alias's instance" });
    const list = await configs(client, urnOf("kept"));
    assert.deepEqual((list["reserved_instances"] as Wire[]).map((c) => [c["qualifier_type"], c["qualifier_name"]]), [["alias", "prod"], ["version", "v1"]]);
    await reserve(client, urnOf("kept", "!prod"), 0);
    await reserve(client, urnOf("kept", "v1"), 0);
    await eventually(() => instancesOf(server, id, 1) + instancesOf(server, id, 2) === 0, { what: "every instance released" });
    assert.deepEqual((await configs(client))["reserved_instances"], []);
  });

  test("max instances caps concurrent executions with 429 FSS.0429; -1 lifts it; the metadata shows it", async () => {
    const meta = wire(await client.updateFunctionMaxInstanceConfig(new fg.UpdateFunctionMaxInstanceConfigRequest().withFunctionUrn(urnOf("kept")).withBody(new fg.UpdateFunctionMaxInstanceConfigRequestBody().withMaxInstanceNum(1))));
    assert.deepEqual(meta["strategy_config"], { concurrency: 1, concurrent_num: 1 });
    assert.equal(meta["func_urn"], urnOf("kept", "latest"));
    const held = invoke(client, urnOf("kept"), { ms: 5_000 });
    await eventually(() => (server.quiver.engine.stats().states["busy"] ?? 0) === 1, { timeoutMs: 5_000, what: "one execution running" });
    const refused = await sdkFailure(invoke(client, urnOf("kept", "v1")));
    assert.deepEqual([refused.httpStatusCode, refused.errorCode], [429, "FSS.0429"]);
    assert.match(refused.errorMsg, /reserved concurrency \(1 concurrent executions\)/);
    assert.deepEqual(JSON.parse(String((await held)["result"])), { ok: true });
    await client.updateFunctionMaxInstanceConfig(new fg.UpdateFunctionMaxInstanceConfigRequest().withFunctionUrn(urnOf("kept")).withBody(new fg.UpdateFunctionMaxInstanceConfigRequestBody().withMaxInstanceNum(0)));
    assert.equal((await sdkFailure(invoke(client, urnOf("kept")))).errorCode, "FSS.0429", "0 refuses every call");
    await client.updateFunctionMaxInstanceConfig(new fg.UpdateFunctionMaxInstanceConfigRequest().withFunctionUrn(urnOf("kept")).withBody(new fg.UpdateFunctionMaxInstanceConfigRequestBody().withMaxInstanceNum(-1)));
    await invoke(client, urnOf("kept"));
    const missing = await sdkFailure(client.updateFunctionMaxInstanceConfig(new fg.UpdateFunctionMaxInstanceConfigRequest().withFunctionUrn(urnOf("ghost")).withBody(new fg.UpdateFunctionMaxInstanceConfigRequestBody().withMaxInstanceNum(1))));
    assert.equal(missing.httpStatusCode, 404);
  });

  test("reserved instances must fit in the maximum instances, whichever is set second: 400 FSS.1076", async () => {
    const maxInstances = (n: number): Promise<unknown> =>
      client.updateFunctionMaxInstanceConfig(new fg.UpdateFunctionMaxInstanceConfigRequest().withFunctionUrn(urnOf("kept")).withBody(new fg.UpdateFunctionMaxInstanceConfigRequestBody().withMaxInstanceNum(n)));
    await maxInstances(2);
    const over = await sdkFailure(reserve(client, urnOf("kept", "v1"), 3));
    assert.deepEqual([over.httpStatusCode, over.errorCode], [400, "FSS.1076"]);
    assert.match(over.errorMsg, /3 instances .*over its reserved concurrency of 2 instances/);
    await reserve(client, urnOf("kept", "v1"), 1);
    // The alias's reservation counts with the version's, a cron's count at its peak.
    const peak = new fg.CronConfig().withName("peak").withCron("0 0 9 * * *").withCount(2);
    assert.equal((await sdkFailure(reserve(client, urnOf("kept", "!prod"), 1, [peak]))).errorCode, "FSS.1076");
    await reserve(client, urnOf("kept", "!prod"), 1);
    const lowered = await sdkFailure(maxInstances(1));
    assert.deepEqual([lowered.httpStatusCode, lowered.errorCode], [400, "FSS.1076"]);
    assert.match(lowered.errorMsg, /1 instances is less than the 2 instances/);
    // -1 lifts the cap, and with it the check.
    await maxInstances(-1);
    await reserve(client, urnOf("kept", "v1"), 3);
    await reserve(client, urnOf("kept", "v1"), 0);
    await reserve(client, urnOf("kept", "!prod"), 0);
  });
});

void describe("FunctionGraph scheduled reserved instances (virtual clock)", () => {
  let server: TestQuiver;
  let client: fg.FunctionGraphClient;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false }, timers: { clock: "virtual", clockStart: "2030-01-01T00:00:00Z" } });
    client = fgClient(server.url);
  });
  after(async () => server.stop());

  const advance = async (ms: number): Promise<void> => {
    const r = await fetch(`${server.url}/quiver/v1/clock/advance`, { method: "POST", body: JSON.stringify({ ms }) });
    assert.equal(r.status, 200);
  };

  test("cron_configs scale up at their time, and stop counting after expired_time", async () => {
    await createFunction(client, await buildZip({ "index.js": SLEEPER }), "shift");
    await publishVersion(client, urnOf("shift"), { version: "v1" });
    const id = await functionId(server, "shift");
    const start = Date.parse("2030-01-01T00:00:00Z") / 1000;
    const peak = new fg.CronConfig().withName("peak").withCron("0 0 9 * * *").withCount(2).withStartTime(start).withExpiredTime(start + 12 * 3600);
    await reserve(client, urnOf("shift", "v1"), 0, [peak]);
    assert.equal(instancesOf(server, id, 1), 0);
    await advance(9 * 3_600_000);
    await eventually(() => instancesOf(server, id, 1) === 2, { timeoutMs: 30_000, what: "two instances at 09:00" });
    const listed = (await configs(client, urnOf("shift")))["reserved_instances"] as Wire[];
    assert.deepEqual((listed[0]?.["tactics_config"] as Wire)["cron_configs"], [{ name: "peak", cron: "0 0 9 * * *", count: 2, start_time: start, expired_time: start + 12 * 3600 }]);
    await advance(4 * 3_600_000);
    await eventually(() => instancesOf(server, id, 1) === 0, { what: "released after expired_time" });
  });
});
