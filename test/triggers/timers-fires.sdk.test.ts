/**
 * Timer triggers made through the official SDKs fire at the times their vendor text says, on a
 * virtual clock moved through `POST /quiver/v1/clock/advance`: an SCF 7-field cron with a year
 * and the legacy 5-field form, a FunctionGraph Rate on a version, a CRON_TZ cron, `@every 1s`
 * over an hour (each second once); a Python function fired by a timer; the fires in both async
 * lists with their status and result; a version or alias cannot be deleted while a timer is
 * bound to it. Then, on the system clock, a machine too busy to wake on time fires no time twice.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { eventually } from "../helpers/eventually.js";
import { createAlias, createFunction as createFgsFunction, deleteAlias, fg, fgClient, publishVersion, sdkFailure, updateCode, urnOf, type Wire } from "../helpers/fgs-sdk.js";
import { createTrigger, deleteTrigger, updateTrigger } from "../helpers/fgs-triggers.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createFunction, expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { buildZip } from "../helpers/zip.js";

const START = "2030-01-01T00:00:00Z";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const { region } = ALICE.huawei;

/** SCF code that returns what it got and the TRIGGER_SRC it saw. */
const SCF_NODE = { "index.js": "exports.main_handler = async (event) => ({ event, src: process.env.TRIGGER_SRC ?? null });\n" };
/** FunctionGraph code that says which code it is and the event it got. */
const fgsReporter = (marker: string): Promise<Buffer> =>
  buildZip({ "index.js": `exports.handler = async (event) => ({ marker: ${JSON.stringify(marker)}, event });\n` });

const timerData = (name: string, type: "Rate" | "Cron", schedule: string): fg.TriggerEventDataRequestBody =>
  new fg.TriggerEventDataRequestBody().withName(name).withScheduleType(type).withSchedule(schedule).withUserEvent(name);

/** Moves the server's virtual clock; returns how many fires were recorded on the way. */
async function advance(server: TestQuiver, ms: number): Promise<number> {
  const response = await fetch(`${server.url}/quiver/v1/clock/advance`, { method: "POST", body: JSON.stringify({ ms }) });
  const body = (await response.json()) as { fired: number; error?: string };
  assert.equal(response.status, 200, body.error);
  return body.fired;
}

async function clockNow(server: TestQuiver): Promise<string> {
  return ((await (await fetch(`${server.url}/quiver/v1/clock`)).json()) as { now: string }).now;
}

/** FunctionGraph's asynchronous invocations of a function, oldest first, once none is running. */
async function fgsInvocations(client: fg.FunctionGraphClient, urn: string, count: number): Promise<Wire[]> {
  return eventually(async () => {
    const list = (await client.listAsyncInvocations(new fg.ListAsyncInvocationsRequest().withFunctionUrn(urn).withLimit("100"))) as unknown as Wire;
    const items = list["invocations"] as Wire[];
    return items.length === count && items.every((i) => i["status"] !== "RUNNING") ? items.toReversed() : null;
  }, { what: `${count} finished invocations of ${urn}` });
}

/** SCF's asynchronous events of a function, oldest first, once `count` have finished. */
async function scfEvents(scf: ScfClient, name: string, count: number): Promise<{ InvokeRequestId?: string; InvokeType?: string; Status?: string }[]> {
  return eventually(async () => {
    const { EventList } = await scf.ListAsyncEvents({ FunctionName: name, Limit: 100 });
    const list = EventList ?? [];
    return list.length === count && list.every((e) => e.Status !== "RUNNING") ? list.toReversed() : null;
  }, { what: `${count} finished events of ${name}` });
}

/** The SCF timer events a function's fires got, oldest first (read from the store's records). */
async function scfFires(server: TestQuiver, name: string, count: number): Promise<{ Time: string; Message: string; TriggerName: string; src: string | null }[]> {
  const scope = { accountId: ALICE.name, region };
  const { id } = await server.quiver.service.functions.get({ scope, namespace: "default", name });
  const records = await eventually(async () => {
    const all = await server.quiver.store.listAsyncInvocations(scope, id, 5000);
    return all.length === count && all.every((r) => r.status !== "RUNNING") ? all.toReversed() : null;
  }, { what: `${count} finished fires of ${name}`, timeoutMs: 120_000 });
  return records.map((r) => {
    assert.equal(r.status, "FINISHED", r.error?.message);
    const { event, src } = JSON.parse(r.result) as { event: { Time: string; Message: string; TriggerName: string }; src: string | null };
    return { ...event, src };
  });
}

void describe("timers made through the SDKs fire at their vendor's times on a virtual clock", () => {
  let server: TestQuiver;
  let scf: ScfClient;
  let client: fg.FunctionGraphClient;
  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, timers: { clock: "virtual", clockStart: START } });
    // SCF in the Huawei project's region: both APIs see the same functions.
    scf = scfClient(server, ALICE, { region });
    client = fgClient(server.url);
  });
  after(async () => server.stop());

  test("SCF: a 7-field cron with a year and the legacy 5-field form fire at 09:30 UTC each day; a Python function gets the timer event and TRIGGER_SRC=timer", async () => {
    await createFunction(scf, { name: "daily", files: SCF_NODE });
    await scf.CreateTrigger({ FunctionName: "daily", TriggerName: "seven", Type: "timer", TriggerDesc: "0 30 9 * * * 2030", CustomArgument: "seven" });
    await scf.CreateTrigger({ FunctionName: "daily", TriggerName: "five", Type: "timer", TriggerDesc: "30 9 * * *", CustomArgument: "five" });
    const python = ["import os", "def main_handler(event, context):", "    return {'event': event, 'src': os.environ.get('TRIGGER_SRC')}"].join("\n");
    await createFunction(scf, { name: "py-daily", files: { "index.py": python }, runtime: "Python3.9" });
    await scf.CreateTrigger({ FunctionName: "py-daily", TriggerName: "py", Type: "timer", TriggerDesc: "0 30 9 * * * *", CustomArgument: "from python" });

    assert.equal(await advance(server, 9 * HOUR + 29 * MINUTE + 59_000), 0, "nothing before 09:30:00");
    assert.equal(await advance(server, 2 * 24 * HOUR), 6, "three timers, two days");
    const fires = await scfFires(server, "daily", 4);
    const of = (name: string): string[] => fires.filter((f) => f.TriggerName === name).map((f) => f.Time);
    assert.deepEqual(of("seven"), ["2030-01-01T09:30:00Z", "2030-01-02T09:30:00Z"]);
    assert.deepEqual(of("five"), ["2030-01-01T09:30:00Z", "2030-01-02T09:30:00Z"]);
    assert.ok(fires.every((f) => f.Message === f.TriggerName && f.src === "timer"));

    const [py] = await scfFires(server, "py-daily", 2);
    assert.deepEqual(py, { Type: "Timer", TriggerName: "py", Time: "2030-01-01T09:30:00Z", Message: "from python", src: "timer" });

    const events = await scfEvents(scf, "daily", 4);
    assert.deepEqual(events.map((e) => [e.InvokeType, e.Status]), Array(4).fill(["timer", "FINISHED"]), "ListAsyncEvents: timer fires, finished");
    for (const name of ["daily", "py-daily"]) await scf.DeleteFunction({ FunctionName: name });
  });

  test("FunctionGraph: a Rate 3m timer on a version runs that version at :00, :03, :06; listAsyncInvocations shows each with SUCCESS and its result; SCF lists them as timer fires", async () => {
    await createFgsFunction(client, await fgsReporter("one"), "rated");
    await publishVersion(client, urnOf("rated"), { version: "v1" });
    await updateCode(client, urnOf("rated"), await fgsReporter("two"));
    const made = await createTrigger(client, urnOf("rated", "v1"), "TIMER", timerData("every3", "Rate", "3m"));

    const base = Date.parse(await clockNow(server));
    const next = Math.ceil((base + 1) / (3 * MINUTE)) * 3 * MINUTE;
    assert.equal(await advance(server, next - base + 6 * MINUTE), 3);
    const items = await fgsInvocations(client, urnOf("rated"), 3);
    assert.deepEqual(items.map((i) => i["status"]), ["SUCCESS", "SUCCESS", "SUCCESS"]);
    const results = items.map((i) => JSON.parse(String(i["result"])) as { marker: string; event: { time: string; trigger_type: string; trigger_name: string; user_event: string } });
    assert.deepEqual(results.map((r) => Date.parse(r.event.time)), [next, next + 3 * MINUTE, next + 6 * MINUTE], "every three minutes from the epoch");
    assert.ok(results.every((r) => r.marker === "one"), "v1 ran, not the head");
    assert.deepEqual({ ...results[0]?.event, time: undefined }, { version: "v1.0", time: undefined, trigger_type: "TIMER", trigger_name: "every3", user_event: "every3" });
    assert.deepEqual(items.map((i) => Date.parse(String(i["start_time"]))), [next, next + 3 * MINUTE, next + 6 * MINUTE], "recorded at its time on the virtual clock");

    const events = await scfEvents(scf, "rated", 3);
    assert.deepEqual(events.map((e) => [e.InvokeRequestId, e.InvokeType, e.Status]), items.map((i) => [i["request_id"], "timer", "FINISHED"]));
    await deleteTrigger(client, urnOf("rated", "v1"), "TIMER", String(made["trigger_id"]));
  });

  test("FunctionGraph: CRON_TZ=Asia/Shanghai 0 0 9 * * * fires at 01:00 UTC", async () => {
    await createFgsFunction(client, await fgsReporter("tz"), "zoned");
    await createTrigger(client, urnOf("zoned"), "TIMER", timerData("morning", "Cron", "CRON_TZ=Asia/Shanghai 0 0 9 * * *"));
    const base = Date.parse(await clockNow(server));
    await advance(server, 2 * 24 * HOUR);
    const fired = (await fgsInvocations(client, urnOf("zoned"), 2)).map((i) => Date.parse(String((JSON.parse(String(i["result"])) as { event: { time: string } }).event.time)));
    const day = Math.floor(base / (24 * HOUR)) * 24 * HOUR;
    const expected = [day + HOUR, day + 25 * HOUR, day + 49 * HOUR].filter((t) => t > base && t <= base + 2 * 24 * HOUR);
    assert.deepEqual(fired, expected, "09:00 in Shanghai is 01:00 UTC");
    assert.ok(fired.every((t) => new Date(t).getUTCHours() === 1));
    await client.deleteFunction(new fg.DeleteFunctionRequest().withFunctionUrn(urnOf("zoned")));
  });

  test("a version or alias a timer is bound to cannot be deleted (SCF and FunctionGraph codes) until the timer is gone", async () => {
    await createFgsFunction(client, await fgsReporter("p"), "pinned");
    await publishVersion(client, urnOf("pinned"), { version: "v1" });
    await createAlias(client, urnOf("pinned"), { name: "prod", version: "v1" });
    const onAlias = await createTrigger(client, urnOf("pinned", "!prod"), "TIMER", timerData("on_alias", "Rate", "1d"));
    await scf.CreateTrigger({ FunctionName: "pinned", TriggerName: "on_version", Type: "timer", TriggerDesc: "0 0 3 * * * *", Qualifier: "v1" });

    const refused = await sdkFailure(deleteAlias(client, urnOf("pinned"), "prod"));
    assert.deepEqual([refused.httpStatusCode, refused.errorCode], [403, "FSS.1154"]);
    assert.match((await expectScfError(scf.DeleteAlias({ FunctionName: "pinned", Name: "prod" }), "FailedOperation.DeleteAlias")).message, /on_alias/);
    await deleteTrigger(client, urnOf("pinned", "!prod"), "TIMER", String(onAlias["trigger_id"]));
    await scf.DeleteAlias({ FunctionName: "pinned", Name: "prod" });

    const version = await sdkFailure(client.deleteFunction(new fg.DeleteFunctionRequest().withFunctionUrn(urnOf("pinned", "v1"))));
    assert.deepEqual([version.httpStatusCode, version.errorCode], [403, "FSS.1154"]);
    assert.match((await expectScfError(scf.DeleteFunction({ FunctionName: "pinned", Qualifier: "v1" }), "UnsupportedOperation")).message, /on_version/);
    await scf.DeleteTrigger({ FunctionName: "pinned", TriggerName: "on_version", Type: "timer", Qualifier: "v1" });
    await scf.DeleteFunction({ FunctionName: "pinned", Qualifier: "v1" });
    assert.equal(await advance(server, 2 * 24 * HOUR), 0, "nothing left to fire");
  });

  test("changes through the SDKs take effect before the next fire: SCF UpdateTrigger's new cron and CustomArgument, FunctionGraph's DISABLED", async () => {
    await createFunction(scf, { name: "changed", files: SCF_NODE });
    await scf.CreateTrigger({ FunctionName: "changed", TriggerName: "minutely", Type: "timer", TriggerDesc: "0 * * * * * *", CustomArgument: "old" });
    assert.equal(await advance(server, MINUTE), 1);
    await scf.UpdateTrigger({ FunctionName: "changed", TriggerName: "minutely", Type: "timer", TriggerDesc: "0 0 * * * * *", CustomArgument: "new" });
    const now = Date.parse(await clockNow(server));
    const nextHour = Math.ceil((now + 1) / HOUR) * HOUR;
    assert.equal(await advance(server, nextHour - now), 1, "the hourly cron's first time only");
    const fires = await scfFires(server, "changed", 2);
    assert.deepEqual(fires.map((f) => f.Message), ["old", "new"]);
    assert.equal(Date.parse(fires[1]?.Time ?? ""), nextHour);

    await createFgsFunction(client, await fgsReporter("off"), "switched");
    const made = await createTrigger(client, urnOf("switched"), "TIMER", timerData("often", "Rate", "1m"));
    await updateTrigger(client, urnOf("switched"), "TIMER", String(made["trigger_id"]), new fg.UpdateTriggerRequestBody().withTriggerStatus("DISABLED"));
    await scf.DeleteFunction({ FunctionName: "changed" });
    assert.equal(await advance(server, 5 * MINUTE), 0, "nothing fires: the Rate timer is disabled");
    const list = (await client.listAsyncInvocations(new fg.ListAsyncInvocationsRequest().withFunctionUrn(urnOf("switched")))) as unknown as Wire;
    assert.deepEqual(list["invocations"], []);
  });

  test("@every 1s over an hour fires 3600 times, each second once; an advance over more than 10,000 fire times is refused and moves nothing", async () => {
    await createFgsFunction(client, await fgsReporter("s"), "seconds");
    const made = await createTrigger(client, urnOf("seconds"), "TIMER", timerData("tick", "Cron", "@every 1s"));
    const base = Date.parse(await clockNow(server));

    const response = await fetch(`${server.url}/quiver/v1/clock/advance`, { method: "POST", body: JSON.stringify({ ms: 3 * HOUR }) });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: string }).error, /10000 fire times/);
    assert.equal(Date.parse(await clockNow(server)), base, "the refused advance did not move the clock");

    assert.equal(await advance(server, HOUR), 3600);
    const scope = { accountId: ALICE.name, region };
    const { id } = await server.quiver.service.functions.get({ scope, namespace: "default", name: "seconds" });
    const records = await eventually(async () => {
      const all = await server.quiver.store.listAsyncInvocations(scope, id, 5000);
      return all.length === 3600 && all.every((r) => r.status !== "RUNNING") ? all : null;
    }, { what: "3600 finished fires", timeoutMs: 240_000 });
    const times = new Set(records.map((r) => Date.parse((JSON.parse(r.event) as { time: string }).time)));
    assert.equal(times.size, 3600, "no second twice");
    assert.deepEqual([Math.min(...times), Math.max(...times)], [Math.floor(base / 1000) * 1000 + 1000, Math.floor(base / 1000) * 1000 + HOUR], "every second of the hour");
    await deleteTrigger(client, urnOf("seconds"), "TIMER", String(made["trigger_id"]));
  });
});

void describe("timers on a busy machine", () => {
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false } });
  });
  after(async () => server.stop());

  test("a node blocked past several fire times fires once for the latest, never a time twice", { timeout: 60_000 }, async () => {
    const scf = scfClient(server, ALICE, { region });
    await createFunction(scf, { name: "stalled", files: SCF_NODE });
    await scf.CreateTrigger({ FunctionName: "stalled", TriggerName: "tick", Type: "timer", TriggerDesc: "* * * * * * *" });
    const scope = { accountId: ALICE.name, region };
    const { id } = await server.quiver.service.functions.get({ scope, namespace: "default", name: "stalled" });
    const count = async (): Promise<number> => (await server.quiver.store.listAsyncInvocations(scope, id, 1000)).length;
    await eventually(async () => ((await count()) >= 2 ? true : null), { what: "two fires", timeoutMs: 20_000 });

    // The whole process (the server with it) cannot run for 3.5 s: the scheduler wakes late.
    const blockedFrom = Date.now();
    let spins = 0;
    while (Date.now() - blockedFrom < 3_500) spins += 1;
    assert.ok(spins > 0);
    const afterBlock = await count();
    await eventually(async () => ((await count()) >= afterBlock + 2 ? true : null), { what: "two fires after the stall", timeoutMs: 20_000 });
    await scf.DeleteTrigger({ FunctionName: "stalled", TriggerName: "tick", Type: "timer" });

    const times = (await server.quiver.store.listAsyncInvocations(scope, id, 1000)).map((r) => Date.parse((JSON.parse(r.event) as { Time: string }).Time));
    assert.equal(new Set(times).size, times.length, `no time fired twice: ${times.join(", ")}`);
    const skipped = times.toSorted((a, b) => a - b).filter((t, i, all) => i > 0 && t - (all[i - 1] ?? 0) > 1_000);
    assert.ok(skipped.length >= 1, "the stall's times were not fired one by one afterwards (one fire, the latest)");
  });
});
