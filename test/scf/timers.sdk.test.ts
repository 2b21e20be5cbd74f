/**
 * SCF `timer` triggers through the official Node SDK: CreateTrigger with the documented 7-field
 * cron (and the legacy 5-field one), CustomArgument, ListTriggers, UpdateTrigger,
 * UpdateTriggerStatus, DeleteTrigger and GetFunction's Triggers; invalid crons refused with a
 * message that shows the expression and what is wrong; and how FunctionGraph shows the same timer.
 * Schedules here fire rarely (or the timer is off): these tests are about the wire, not firing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { awaitAsync, fgClient, urnOf } from "../helpers/fgs-sdk.js";
import { eventDataOf, listTriggers } from "../helpers/fgs-triggers.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createNodeFunction, expectScfError, scfClient, waitAsync, type ScfClient } from "../helpers/scf-client.js";
import { zipBase64 } from "../helpers/zip.js";

type Trigger = Record<string, unknown>;

/** A handler that returns its marker, the event it got and the TRIGGER_SRC it saw. */
const reporter = (marker: string): Promise<string> =>
  zipBase64({ "index.js": `exports.main_handler = async (event) => ({ marker: ${JSON.stringify(marker)}, event, src: process.env.TRIGGER_SRC ?? null });\n` });

/** New Year's Day at 03:00: a schedule that will not fire while the tests run. */
const YEARLY = "0 0 3 1 1 ? *";

void describe("SCF timer triggers through the official SDK", () => {
  let server: TestQuiver;
  let scf: ScfClient;

  const timers = async (fn: string): Promise<Trigger[]> =>
    ((await scf.ListTriggers({ FunctionName: fn, Order: "ASC", OrderBy: "add_time", Filters: [{ Name: "Type", Values: ["timer"] }] })).Triggers ?? []) as unknown as Trigger[];
  const timer = async (fn: string, name: string): Promise<Trigger> => {
    const found = (await timers(fn)).find((t) => t["TriggerName"] === name);
    assert.ok(found, `timer ${name} is listed`);
    return found;
  };
  const create = (fn: string, name: string, desc: string, extra: Record<string, unknown> = {}): Promise<unknown> =>
    scf.request("CreateTrigger", { FunctionName: fn, TriggerName: name, Type: "timer", TriggerDesc: desc, ...extra });

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false } });
    scf = scfClient(server, ALICE);
    await createNodeFunction(scf, "clock");
  });
  after(async () => server.stop());

  test("a 7-field cron becomes a timer answered with TriggerDesc {\"cron\":…} and the CustomArgument", async () => {
    const { TriggerInfo } = await scf.CreateTrigger({
      FunctionName: "clock",
      TriggerName: "every5",
      Type: "timer",
      TriggerDesc: "0 */5 * * * * *",
      CustomArgument: "user define msg body",
      Enable: "CLOSE",
      Description: "five minutes",
    });
    const info = TriggerInfo as unknown as Trigger;
    assert.equal(info["Type"], "timer");
    assert.equal(info["TriggerDesc"], JSON.stringify({ cron: "0 */5 * * * * *" }));
    assert.equal(info["CustomArgument"], "user define msg body");
    assert.equal(info["Enable"], 0);
    assert.equal(info["Qualifier"], "$DEFAULT");
    assert.equal(info["Description"], "five minutes");
    assert.equal(info["AvailableStatus"], "Available");
    const { Triggers } = await scf.GetFunction({ FunctionName: "clock" });
    assert.deepEqual((Triggers ?? []).map((t) => [t.Type, t.TriggerName, t.TriggerDesc]), [["timer", "every5", JSON.stringify({ cron: "0 */5 * * * * *" })]]);
  });

  test("the legacy 5-field cron and the {\"cron\":…} form an answer shows are accepted, and shown as written", async () => {
    await create("clock", "legacy", "0 3 1 1 *");
    await create("clock", "copied", JSON.stringify({ cron: YEARLY }));
    assert.equal((await timer("clock", "legacy"))["TriggerDesc"], JSON.stringify({ cron: "0 3 1 1 *" }));
    assert.equal((await timer("clock", "copied"))["TriggerDesc"], JSON.stringify({ cron: YEARLY }));
    assert.equal((await timer("clock", "copied"))["CustomArgument"], "", "no CustomArgument is an empty Message");
  });

  test("an invalid cron is InvalidParameterValue.TriggerDesc, its message showing the expression and what is wrong", async () => {
    const cases: [string | undefined, RegExp][] = [
      ["0 */5 * * * *", /"0 \*\/5 \* \* \* \*".*6 fields.*7 fields/],
      ["0 60 * * * * *", /"0 60 \* \* \* \* \*".*minute.*60/],
      ["0 0 0 * * * 2100", /"0 0 0 \* \* \* 2100".*year 2100 is out of range 1970-2099/],
      ["0 0 0 30 2 ? *", /"0 0 0 30 2 \? \*".*no date matches/],
      ["0 0 ? * * * *", /hour field/],
      ["{\"cron\":5}", /not a timer cron/],
      ["", /needs a TriggerDesc/],
      [undefined, /needs a TriggerDesc/],
    ];
    for (const [desc, message] of cases) {
      const error = await expectScfError(scf.request("CreateTrigger", { FunctionName: "clock", TriggerName: "bad", Type: "timer", ...(desc === undefined ? {} : { TriggerDesc: desc }) }), "InvalidParameterValue.TriggerDesc");
      assert.match(error.message, message);
    }
    assert.equal((await timers("clock")).some((t) => t["TriggerName"] === "bad"), false);
  });

  test("timer names follow the timer page (a letter first, at most 60); CustomArgument takes at most 4 KB", async () => {
    for (const name of ["1st", "a".repeat(61), "with space"]) {
      const error = await expectScfError(create("clock", name, YEARLY), "InvalidParameterValue.TriggerName");
      assert.match(error.message, /a letter, then letters, digits, '-' or '_', at most 60/);
    }
    await create("clock", `a${"b".repeat(59)}`, YEARLY);
    await expectScfError(create("clock", "big", YEARLY, { CustomArgument: "x".repeat(4097) }), "InvalidParameterValue.CustomArgument");
    await create("clock", "full", YEARLY, { CustomArgument: "x".repeat(4096) });
    assert.equal(String((await timer("clock", "full"))["CustomArgument"]).length, 4096);
  });

  test("UpdateTrigger changes the cron, CustomArgument, Enable and Description; absent fields keep theirs", async () => {
    await create("clock", "changing", YEARLY, { CustomArgument: "first", Description: "d" });
    await scf.UpdateTrigger({ FunctionName: "clock", TriggerName: "changing", Type: "timer", TriggerDesc: "0 0 0 */2 * * *", Enable: "CLOSE" });
    let t = await timer("clock", "changing");
    assert.equal(t["TriggerDesc"], JSON.stringify({ cron: "0 0 0 */2 * * *" }));
    assert.equal(t["CustomArgument"], "first");
    assert.equal(t["Description"], "d");
    assert.equal(t["Enable"], 0);

    // The official example body, CLOSE and all (the qualifier is the trigger's).
    await scf.UpdateTrigger({ Enable: "CLOSE", FunctionName: "clock", TriggerName: "changing", Type: "timer", Qualifier: "$DEFAULT", Namespace: "default", TriggerDesc: YEARLY, Description: "yearly", CustomArgument: "second" });
    t = await timer("clock", "changing");
    assert.deepEqual([t["TriggerDesc"], t["CustomArgument"], t["Description"]], [JSON.stringify({ cron: YEARLY }), "second", "yearly"]);

    await scf.UpdateTrigger({ FunctionName: "clock", TriggerName: "changing", Type: "timer", CustomArgument: "", Description: "" });
    t = await timer("clock", "changing");
    assert.deepEqual([t["CustomArgument"], t["Description"], t["TriggerDesc"]], ["", "", JSON.stringify({ cron: YEARLY })], '"" clears; the cron stays');

    const error = await expectScfError(scf.UpdateTrigger({ FunctionName: "clock", TriggerName: "changing", Type: "timer", TriggerDesc: "61 * * * * * *" }), "InvalidParameterValue.TriggerDesc");
    assert.match(error.message, /"61 \* \* \* \* \* \*".*second/);
    assert.equal((await timer("clock", "changing"))["TriggerDesc"], JSON.stringify({ cron: YEARLY }), "a refused update changes nothing");
    await expectScfError(scf.UpdateTrigger({ FunctionName: "clock", TriggerName: "changing", Type: "timer", CustomArgument: "x".repeat(4097) }), "InvalidParameterValue.CustomArgument");
    await expectScfError(scf.UpdateTrigger({ FunctionName: "clock", TriggerName: "changing", Type: "http", Enable: "OPEN" }), "ResourceNotFound.Trigger");
  });

  test("UpdateTriggerStatus switches a timer; the state it has is FailedOperation.UpdateTriggerStatus; DeleteTrigger removes it", async () => {
    await create("clock", "switch", YEARLY);
    assert.equal((await timer("clock", "switch"))["Enable"], 1, "OPEN by default");
    await scf.UpdateTriggerStatus({ FunctionName: "clock", TriggerName: "switch", Type: "timer", Enable: "CLOSE" });
    assert.equal((await timer("clock", "switch"))["Enable"], 0);
    await expectScfError(scf.UpdateTriggerStatus({ FunctionName: "clock", TriggerName: "switch", Type: "timer", Enable: "CLOSE" }), "FailedOperation.UpdateTriggerStatus");
    await scf.UpdateTriggerStatus({ FunctionName: "clock", TriggerName: "switch", Type: "timer", Enable: "OPEN", Qualifier: "$DEFAULT" });
    assert.equal((await timer("clock", "switch"))["Enable"], 1);

    await expectScfError(scf.DeleteTrigger({ FunctionName: "clock", TriggerName: "switch", Type: "timer", Qualifier: "$LATEST" }), "ResourceNotFound.Trigger");
    await scf.DeleteTrigger({ Type: "timer", FunctionName: "clock", TriggerName: "switch" });
    assert.equal((await timers("clock")).some((t) => t["TriggerName"] === "switch"), false);
    await expectScfError(scf.DeleteTrigger({ Type: "timer", FunctionName: "clock", TriggerName: "switch" }), "ResourceNotFound.Trigger");
  });

  test("at most 10 timers per function, on any qualifier", async () => {
    await createNodeFunction(scf, "busy");
    await scf.PublishVersion({ FunctionName: "busy" });
    for (let i = 1; i <= 10; i += 1) await create("busy", `t${i}`, YEARLY, { Qualifier: i % 2 === 0 ? "1" : "$LATEST" });
    await expectScfError(create("busy", "t11", YEARLY), "LimitExceeded.Trigger");
    assert.equal((await timers("busy")).length, 10);
  });

  test("FunctionGraph shows an SCF timer as TIMER, Cron, with the expression as written and CustomArgument as user_event", async () => {
    // The Huawei project belongs to the account's region; SCF names that region to share the function.
    const tencent = scfClient(server, ALICE, { region: ALICE.huawei.region });
    await createNodeFunction(tencent, "seen");
    await tencent.CreateTrigger({ FunctionName: "seen", TriggerName: "weekly", Type: "timer", TriggerDesc: "0 30 9 ? * MON *", CustomArgument: "hi" });
    const [shown] = await listTriggers(fgClient(server.url), urnOf("seen"));
    assert.ok(shown);
    assert.equal(shown["trigger_type_code"], "TIMER");
    assert.equal(shown["trigger_status"], "ACTIVE");
    assert.deepEqual(eventDataOf(shown), { name: "weekly", schedule_type: "Cron", schedule: "0 30 9 ? * MON *", user_event: "hi" });
  });

  test("FireTrigger (Quiver's own) runs a timer now: the timer event with its Message, TRIGGER_SRC=timer, on the version its alias routes to", async () => {
    // In the Huawei project's region, so FunctionGraph's async list (which shows results) sees the function too.
    const tencent = scfClient(server, ALICE, { region: ALICE.huawei.region });
    await tencent.CreateFunction({ FunctionName: "fired", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: await reporter("one") } });
    await tencent.PublishVersion({ FunctionName: "fired" });
    await tencent.UpdateFunctionCode({ FunctionName: "fired", Handler: "index.main_handler", ZipFile: await reporter("two") });
    await tencent.CreateAlias({ FunctionName: "fired", Name: "live", FunctionVersion: "1" });
    await tencent.CreateTrigger({ FunctionName: "fired", TriggerName: "nightly", Type: "timer", TriggerDesc: YEARLY, Qualifier: "live", CustomArgument: "user define msg body", Enable: "CLOSE" });

    const before = Date.now();
    const answer = (await tencent.request("FireTrigger", { FunctionName: "fired", TriggerName: "nightly" })) as { InvokeRequestId?: string };
    const id = answer.InvokeRequestId ?? "";
    assert.match(id, /^[0-9a-f-]{36}$/, "the asynchronous invocation's id");
    assert.equal((await waitAsync(tencent, id)).Status, "FINISHED", "a disabled timer fires now too");
    const { EventList } = await tencent.ListAsyncEvents({ FunctionName: "fired", InvokeRequestId: id });
    assert.equal(EventList?.[0]?.Qualifier, "live");
    assert.equal(EventList?.[0]?.InvokeType, "timer", "a timer fire is listed with its trigger type");
    assert.equal((await tencent.ListAsyncEvents({ FunctionName: "fired", InvokeType: ["invoke"] })).TotalCount, 0, "not as an API call");
    assert.equal((await tencent.ListAsyncEvents({ FunctionName: "fired", InvokeType: ["timer"] })).TotalCount, 1);

    const ran = await awaitAsync(fgClient(server.url), urnOf("fired"), id);
    const result = JSON.parse(String(ran["result"])) as { marker: string; src: string | null; event: Record<string, unknown> };
    assert.equal(result.marker, "one", "version 1 ran: the alias's, not the head's");
    assert.equal(result.src, "timer");
    assert.deepEqual(Object.keys(result.event), ["Type", "TriggerName", "Time", "Message"]);
    assert.deepEqual({ ...result.event, Time: undefined }, { Type: "Timer", TriggerName: "nightly", Time: undefined, Message: "user define msg body" });
    const time = Date.parse(String(result.event["Time"]));
    assert.match(String(result.event["Time"]), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.ok(time >= Math.floor(before / 1000) * 1000 && time <= Date.now(), "the time it was fired");

    const invoked = await tencent.Invoke({ FunctionName: "fired", Qualifier: "live" });
    assert.equal((JSON.parse(invoked.Result?.RetMsg ?? "{}") as { src: unknown }).src, null, "an API call does not see TRIGGER_SRC");

    await expectScfError(tencent.request("FireTrigger", { FunctionName: "fired", TriggerName: "ghost" }), "ResourceNotFound.Trigger");
    await expectScfError(tencent.request("FireTrigger", { FunctionName: "fired", TriggerName: "nightly", Qualifier: "1" }), "ResourceNotFound.Trigger");
    await expectScfError(tencent.request("FireTrigger", { FunctionName: "fired", TriggerName: "nightly", Type: "http" }), "InvalidParameterValue.Type");
  });
});
