/**
 * FunctionGraph `TIMER` triggers through the official Node SDK (and the v1.0 routes over signed
 * HTTP): Rate and Cron schedules (6 fields, `@every`, `CRON_TZ=`), user_event, trigger_status,
 * show, list, delete; invalid schedules refused with 400 FSS.1109 and a message that shows the
 * schedule and what is wrong; and how SCF shows and changes the same timer.
 * Schedules here fire rarely (or the timer is off): these tests are about the wire, not firing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { call, type Caller } from "../helpers/fgs-http.js";
import { awaitAsync, createAlias, createFunction, fg, fgClient, invoke, publishVersion, resultOf, sdkFailure, updateCode, urnOf, type Wire } from "../helpers/fgs-sdk.js";
import { createTrigger, deleteTrigger, eventDataOf, listTriggers, showTrigger, updateTrigger } from "../helpers/fgs-triggers.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { scfClient } from "../helpers/scf-client.js";
import { buildZip, nodeHandlerZip } from "../helpers/zip.js";

const { projectId, region, accessKey, secretKey } = ALICE.huawei;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

/** A handler that returns its marker, the event it got, the TRIGGER_SRC it saw and its alias. */
const reporter = (marker: string): Promise<Buffer> =>
  buildZip({ "index.js": `exports.handler = async (event, context) => ({ marker: ${JSON.stringify(marker)}, event, src: process.env.TRIGGER_SRC ?? null });\n` });

/** Noon on New Year's Day: a schedule that will not fire while the tests run. */
const YEARLY = "0 0 12 1 1 ?";

const timerData = (name: string, type: string, schedule: string, userEvent?: string): fg.TriggerEventDataRequestBody => {
  const data = new fg.TriggerEventDataRequestBody().withName(name).withScheduleType(type).withSchedule(schedule);
  return userEvent === undefined ? data : data.withUserEvent(userEvent);
};
const idOf = (trigger: Wire): string => String(trigger["trigger_id"]);
const status = (value: string): fg.UpdateTriggerRequestBody => new fg.UpdateTriggerRequestBody().withTriggerStatus(value);

async function expectCode(promise: Promise<unknown>, httpStatus: number, code: string): Promise<string> {
  const failure = await sdkFailure(promise);
  assert.equal(failure.httpStatusCode, httpStatus, `${failure.errorCode}: ${failure.errorMsg}`);
  assert.equal(failure.errorCode, code, failure.errorMsg);
  return failure.errorMsg;
}

void describe("FunctionGraph timer triggers through the official SDK", () => {
  let server: TestQuiver;
  let client: fg.FunctionGraphClient;
  let raw: Caller;
  let zip: Buffer;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    client = fgClient(server.url);
    raw = { port: server.port, projectId, ak: accessKey, sk: secretKey };
    zip = await nodeHandlerZip();
    await createFunction(client, zip, "ticks");
  });
  after(async () => server.stop());

  it("creates a Rate timer (201), shows, lists, disables, enables and deletes it", async () => {
    const made = await createTrigger(client, urnOf("ticks"), "TIMER", timerData("Timer-cpg3", "Rate", "3m", "hello"));
    assert.equal(made["httpStatusCode"], 201);
    const id = idOf(made);
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.equal(made["trigger_type_code"], "TIMER");
    assert.equal(made["trigger_status"], "ACTIVE");
    assert.match(String(made["created_time"]), RFC3339);
    assert.deepEqual(eventDataOf(made), { name: "Timer-cpg3", schedule_type: "Rate", schedule: "3m", user_event: "hello" });

    const body = Object.fromEntries(Object.entries(made).filter(([key]) => key !== "httpStatusCode"));
    assert.deepEqual({ ...(await showTrigger(client, urnOf("ticks"), "TIMER", id)) }, { ...body, httpStatusCode: 200 });
    assert.deepEqual((await listTriggers(client, urnOf("ticks"))).map((t) => ({ ...t })), [body]);
    await expectCode(showTrigger(client, urnOf("ticks"), "APIG", id), 404, "FSS.1131");

    assert.equal((await updateTrigger(client, urnOf("ticks"), "TIMER", id, status("DISABLED")))["trigger_status"], "DISABLED");
    await expectCode(updateTrigger(client, urnOf("ticks"), "TIMER", id, status("DISABLED")), 400, "FSS.1318");
    assert.equal((await updateTrigger(client, urnOf("ticks"), "TIMER", id, status("ACTIVE")))["trigger_status"], "ACTIVE");
    assert.equal((await deleteTrigger(client, urnOf("ticks"), "TIMER", id))["httpStatusCode"], 204);
    assert.deepEqual(await listTriggers(client, urnOf("ticks")), []);
  });

  it("takes the documented Cron forms, shown as written; DISABLED at create", async () => {
    const forms = ["0 30 8 ? * MON-FRI", "0 0/5 12-14 ? * MON-FRI", "CRON_TZ=Europe/Berlin 0 0 12 * * *", "0 0 12 ? JAN,FEB,MAR,APR *", "0 0 12 1 1", "@every 30m", "@every 1.5h", "@every 2h30m"];
    for (const [i, schedule] of forms.entries()) {
      const body = new fg.CreateFunctionTriggerRequestBody().withTriggerTypeCode("TIMER").withTriggerStatus("DISABLED").withEventData(timerData(`cron${i}`, "Cron", schedule));
      const made = (await client.createFunctionTrigger(new fg.CreateFunctionTriggerRequest().withFunctionUrn(urnOf("ticks")).withBody(body))) as unknown as Wire;
      assert.equal(made["trigger_status"], "DISABLED");
      assert.deepEqual(eventDataOf(made), { name: `cron${i}`, schedule_type: "Cron", schedule, user_event: "" }, schedule);
    }
    assert.equal((await listTriggers(client, urnOf("ticks"))).length, forms.length);
    assert.equal((await client.batchDeleteFunctionTriggers(new fg.BatchDeleteFunctionTriggersRequest().withFunctionUrn(urnOf("ticks")))).httpStatusCode, 204);
  });

  it("refuses an invalid schedule with 400 FSS.1109, showing the schedule and what is wrong", async () => {
    const cases: [string, string, RegExp][] = [
      ["Rate", "61m", /"61m".*1-60/],
      ["Rate", "0d", /"0d".*1-30/],
      ["Rate", "1.5h", /"1\.5h".*whole number/],
      ["Cron", "0 */5 * * * * *", /"0 \*\/5 \* \* \* \* \*".*7 fields.*no year/],
      ["Cron", "0 0 0 L * ?", /"0 0 0 L \* \?".*no L, W or #/],
      ["Cron", "0 61 0 * * *", /"0 61 0 \* \* \*".*minute.*61/],
      ["Cron", "CRON_TZ=Mars/Olympus 0 0 12 * * *", /unknown time zone "Mars\/Olympus"/],
      ["Cron", "@every 500ms", /"@every 500ms".*at least 1 second/],
      ["Cron", "@daily", /"@every <duration>"/],
      ["Cron", "", /0 fields/],
      ["Daily", "1d", /schedule_type.*Rate or Cron/],
    ];
    for (const [type, schedule, message] of cases) {
      assert.match(await expectCode(createTrigger(client, urnOf("ticks"), "TIMER", timerData("bad", type, schedule)), 400, "FSS.1109"), message);
    }
    const noSchedule = new fg.TriggerEventDataRequestBody().withName("bad").withScheduleType("Rate");
    assert.match(await expectCode(createTrigger(client, urnOf("ticks"), "TIMER", noSchedule), 400, "FSS.1109"), /event_data.schedule is required/);
    assert.match(await expectCode(createTrigger(client, urnOf("ticks"), "TIMER", timerData("9lives", "Rate", "1h")), 400, "FSS.1109"), /a letter first/);
    await expectCode(createTrigger(client, urnOf("ticks"), "TIMER", timerData(`t${"x".repeat(64)}`, "Rate", "1h")), 400, "FSS.1317");
    await expectCode(createTrigger(client, urnOf("ticks"), "TIMER", timerData("big", "Rate", "1h", "x".repeat(4097))), 400, "FSS.1109");
    const bare = async (type: string): Promise<unknown> => (await call(raw, "POST", `/v2/${projectId}/fgs/triggers/${urnOf("ticks")}`, { trigger_type_code: type })).json()["error_code"];
    assert.equal(await bare("TIMER"), "FSS.1109", "no event_data: the timer's parameters are missing");
    assert.equal(await bare("APIG"), "FSS.1107", "an APIG trigger's are the APIG code");
    assert.deepEqual(await listTriggers(client, urnOf("ticks")), []);
  });

  it("binds a timer to the URN's version or alias, as SCF's Qualifier shows", async () => {
    await createFunction(client, zip, "bound");
    await publishVersion(client, urnOf("bound"), { version: "v1" });
    await createAlias(client, urnOf("bound"), { name: "prod", version: "v1" });
    await createTrigger(client, urnOf("bound", "!prod"), "TIMER", timerData("on_alias", "Cron", YEARLY));
    await createTrigger(client, urnOf("bound", "v1"), "TIMER", timerData("on_version", "Cron", YEARLY));
    await createTrigger(client, urnOf("bound"), "TIMER", timerData("on_head", "Cron", YEARLY));
    const scf = scfClient(server, ALICE, { region });
    const { Triggers } = await scf.ListTriggers({ FunctionName: "bound", OrderBy: "add_time", Order: "ASC" });
    assert.deepEqual((Triggers ?? []).map((t) => [t.TriggerName, t.Qualifier]), [["on_alias", "prod"], ["on_version", "v1"], ["on_head", "$LATEST"]]);
    assert.deepEqual((await listTriggers(client, urnOf("bound", "!prod"))).map((t) => eventDataOf(t)["name"]), ["on_alias"]);
  });

  it("serves the v1.0 /fss/triggers forms for timers", async () => {
    await createFunction(client, zip, "legacy");
    const v1 = (tail: string): string => `/v1.0/${projectId}/fss/triggers/${urnOf("legacy")}${tail}`;
    const made = await call(raw, "POST", v1(""), { trigger_type_code: "TIMER", event_data: { name: "old_timer", schedule_type: "Rate", schedule: "1d", user_event: "{\"k\":1}" } });
    assert.equal(made.status, 201, made.text);
    const body = made.json();
    assert.deepEqual(eventDataOf(body), { name: "old_timer", schedule_type: "Rate", schedule: "1d", user_event: "{\"k\":1}" });
    assert.equal(body["event_type_code"], "");
    assert.deepEqual((await call(raw, "GET", v1(`/TIMER/${idOf(body)}`))).json(), body);
    const bad = await call(raw, "POST", v1(""), { trigger_type_code: "TIMER", event_data: { name: "bad", schedule_type: "Cron", schedule: "* * *" } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json()["error_code"], "FSS.1109");
    assert.equal((await call(raw, "DELETE", v1(`/TIMER/${idOf(body)}`))).status, 204);
  });

  it("SCF shows a FunctionGraph timer as timer {\"cron\": schedule as written}, its user_event as CustomArgument, and changes it", async () => {
    await createFunction(client, zip, "shared");
    const made = await createTrigger(client, urnOf("shared"), "TIMER", timerData("every5", "Rate", "5m", "payload"));
    const scf = scfClient(server, ALICE, { region });
    const [shown] = (await scf.ListTriggers({ FunctionName: "shared" })).Triggers ?? [];
    assert.ok(shown);
    assert.deepEqual([shown.Type, shown.TriggerName, shown.TriggerDesc, shown.CustomArgument, shown.Enable, shown.Qualifier], ["timer", "every5", JSON.stringify({ cron: "5m" }), "payload", 1, "$LATEST"]);

    await scf.UpdateTrigger({ FunctionName: "shared", TriggerName: "every5", Type: "timer", CustomArgument: "changed", Enable: "CLOSE" });
    const after = await showTrigger(client, urnOf("shared"), "TIMER", idOf(made));
    assert.equal(after["trigger_status"], "DISABLED");
    assert.deepEqual(eventDataOf(after), { name: "every5", schedule_type: "Rate", schedule: "5m", user_event: "changed" }, "the Rate schedule stays");

    await scf.UpdateTrigger({ FunctionName: "shared", TriggerName: "every5", Type: "timer", TriggerDesc: "0 0 12 1 1 ? *" });
    assert.deepEqual(eventDataOf(await showTrigger(client, urnOf("shared"), "TIMER", idOf(made))), { name: "every5", schedule_type: "Cron", schedule: "0 0 12 1 1 ? *", user_event: "changed" });
    await scf.DeleteTrigger({ FunctionName: "shared", TriggerName: "every5", Type: "timer" });
    assert.deepEqual(await listTriggers(client, urnOf("shared")), []);
  });

  it("POST .../TIMER/{trigger_id}/fire (Quiver's own) runs a timer now: the TIMER event with its user_event, TRIGGER_SRC=timer, on its alias's version", async () => {
    await createFunction(client, await reporter("one"), "fired");
    await publishVersion(client, urnOf("fired"), { version: "v1" });
    await updateCode(client, urnOf("fired"), await reporter("two"));
    await createAlias(client, urnOf("fired"), { name: "prod", version: "v1" });
    const body = new fg.CreateFunctionTriggerRequestBody().withTriggerTypeCode("TIMER").withTriggerStatus("DISABLED").withEventData(timerData("Timer_001", "Rate", "1d", "{\"k\":1}"));
    const made = (await client.createFunctionTrigger(new fg.CreateFunctionTriggerRequest().withFunctionUrn(urnOf("fired", "!prod")).withBody(body))) as unknown as Wire;
    const fire = (type: string, id: string): ReturnType<typeof call> => call(raw, "POST", `/v2/${projectId}/fgs/triggers/${urnOf("fired")}/${type}/${id}/fire`);

    const before = Date.now();
    const fired = await fire("TIMER", idOf(made));
    assert.equal(fired.status, 202, fired.text);
    const requestId = String(fired.json()["request_id"]);
    const ran = await awaitAsync(client, urnOf("fired"), requestId);
    assert.equal(ran["status"], "SUCCESS", "a disabled timer fires now too");
    const result = JSON.parse(String(ran["result"])) as { marker: string; src: string | null; event: Record<string, unknown> };
    assert.equal(result.marker, "one", "v1 ran: the alias's version, not the head's");
    assert.equal(result.src, "timer");
    assert.deepEqual(Object.keys(result.event), ["version", "time", "trigger_type", "trigger_name", "user_event"]);
    assert.deepEqual({ ...result.event, time: undefined }, { version: "v1.0", time: undefined, trigger_type: "TIMER", trigger_name: "Timer_001", user_event: "{\"k\":1}" });
    assert.match(String(result.event["time"]), RFC3339);
    const time = Date.parse(String(result.event["time"]));
    assert.ok(time >= Math.floor(before / 1000) * 1000 && time <= Date.now(), "the time it was fired");

    const invoked = resultOf(await invoke(client, urnOf("fired", "!prod")));
    assert.equal(invoked["src"], null, "an API call does not see TRIGGER_SRC");

    assert.equal((await fire("TIMER", "0".repeat(32))).json()["error_code"], "FSS.1131");
    const apig = await fire("APIG", idOf(made));
    assert.equal(apig.status, 404);
    assert.equal(apig.json()["error_code"], "FSS.1131");
    assert.equal((await call(raw, "POST", `/v1.0/${projectId}/fss/triggers/${urnOf("fired")}/TIMER/${idOf(made)}/fire`)).status, 404, "v2 only");
  });
});
