import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { call, type Caller } from "../helpers/fgs-http.js";
import { createAlias, createFunction, deleteAlias, fg, fgClient, publishVersion, sdkFailure, urnOf, type Wire } from "../helpers/fgs-sdk.js";
import { apigEventData, createApigTrigger, createTrigger, deleteTrigger, deleteTriggers, eventDataOf, listTriggers, showTrigger, updateTrigger, type ApigSpec } from "../helpers/fgs-triggers.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { nodeHandlerZip } from "../helpers/zip.js";

const { projectId, region, accessKey, secretKey } = ALICE.huawei;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

async function expectCode(promise: Promise<unknown>, status: number, code: string): Promise<string> {
  const failure = await sdkFailure(promise);
  assert.equal(failure.httpStatusCode, status, `${failure.errorCode}: ${failure.errorMsg}`);
  assert.equal(failure.errorCode, code, failure.errorMsg);
  return failure.errorMsg;
}

const status = (body: string): fg.UpdateTriggerRequestBody => new fg.UpdateTriggerRequestBody().withTriggerStatus(body);
const idOf = (trigger: Wire): string => String(trigger["trigger_id"]);
const names = (triggers: readonly Wire[]): string[] => triggers.map((t) => String(eventDataOf(t)["name"])).sort();

void describe("FunctionGraph triggers through the official Node SDK", () => {
  let server: TestQuiver;
  let client: fg.FunctionGraphClient;
  let raw: Caller;
  let zip: Buffer;

  /** A function with version v1 and alias prod → v1. */
  async function withVersionAndAlias(name: string): Promise<void> {
    await createFunction(client, zip, name);
    await publishVersion(client, urnOf(name), { version: "v1" });
    await createAlias(client, urnOf(name), { name: "prod", version: "v1" });
  }

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    client = fgClient(server.url);
    raw = { port: server.port, projectId, ak: accessKey, sk: secretKey };
    zip = await nodeHandlerZip();
  });
  after(async () => server.stop());

  void it("creates an APIG trigger (201) and shows, lists, disables, enables and deletes it", async () => {
    await createFunction(client, zip, "web", { timeout: 30 });
    const made = await createApigTrigger(client, urnOf("web"), { name: "api_web", path: "/web", timeout: 3000 });
    assert.equal(made["httpStatusCode"], 201);
    const id = idOf(made);
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.equal(made["trigger_type_code"], "APIG");
    assert.equal(made["trigger_status"], "ACTIVE");
    assert.match(String(made["created_time"]), RFC3339);
    assert.match(String(made["last_updated_time"]), RFC3339);
    assert.deepEqual(eventDataOf(made), {
      name: "api_web",
      group_id: "0123456789abcdef0123456789abcdef",
      group_name: "APIGroup_test",
      env_id: "DEFAULT_ENVIRONMENT_RELEASE_ID",
      env_name: "RELEASE",
      auth: "NONE",
      protocol: "HTTPS",
      path: "/web",
      match_mode: "SWA",
      req_method: "ANY",
      type: 1,
      backend_type: "FUNCTION",
      sl_domain: "0123456789abcdef.apig.example.com",
      func_info: { function_urn: urnOf("web"), invocation_type: "sync", timeout: 3000, version: "latest" },
      api_id: id,
      api_name: "api_web",
      invoke_url: `${server.url}/apig/${projectId}/web`,
      triggerid: id,
    });

    const body = Object.fromEntries(Object.entries(made).filter(([key]) => key !== "httpStatusCode"));
    assert.deepEqual(await showTrigger(client, urnOf("web"), "APIG", id), { ...body, httpStatusCode: 200 });
    assert.deepEqual((await listTriggers(client, urnOf("web"))).map((t) => ({ ...t })), [body]);

    // FunctionGraph documents event_data of an update as an array of DIS/Kafka settings; only the status applies.
    const disabled = await updateTrigger(client, urnOf("web"), "APIG", id, status("DISABLED").withEventData([new fg.UpdateriggerEventData().withIsSerial(true)]));
    assert.equal(disabled["trigger_status"], "DISABLED");
    assert.deepEqual(eventDataOf(disabled), eventDataOf(made));
    await expectCode(updateTrigger(client, urnOf("web"), "APIG", id, status("DISABLED")), 400, "FSS.1318");
    const enabled = await updateTrigger(client, urnOf("web"), "APIG", id, status("ACTIVE").withEventData({ is_serial: true } as never));
    assert.equal(enabled["trigger_status"], "ACTIVE");
    const untouched = await updateTrigger(client, urnOf("web"), "APIG", id, new fg.UpdateTriggerRequestBody());
    assert.equal(untouched["trigger_status"], "ACTIVE", "a body without trigger_status changes nothing");
    await expectCode(updateTrigger(client, urnOf("web"), "APIG", id, status("PAUSED")), 400, "FSS.0400");

    assert.equal((await deleteTrigger(client, urnOf("web"), "APIG", id))["httpStatusCode"], 204);
    await expectCode(showTrigger(client, urnOf("web"), "APIG", id), 404, "FSS.1131");
    await expectCode(deleteTrigger(client, urnOf("web"), "APIG", id), 404, "FSS.1131");
    await expectCode(updateTrigger(client, urnOf("web"), "APIG", id, status("ACTIVE")), 404, "FSS.1131");
    assert.deepEqual(await listTriggers(client, urnOf("web")), []);
  });

  void it("sets the documented defaults: ACTIVE unless DISABLED is asked, the function's timeout when func_info is absent, IAM as signed", async () => {
    await createFunction(client, zip, "defaults", { timeout: 45 });
    const made = await createApigTrigger(client, urnOf("defaults"), { name: "quiet", path: "/defaults", timeout: null, auth: "IAM", matchMode: "NORMAL", method: "POST", status: "DISABLED" });
    assert.equal(made["trigger_status"], "DISABLED");
    const data = eventDataOf(made);
    assert.equal(data["auth"], "IAM");
    assert.equal(data["match_mode"], "NORMAL");
    assert.equal(data["req_method"], "POST");
    assert.deepEqual(data["func_info"], { function_urn: urnOf("defaults"), invocation_type: "sync", timeout: 45_000, version: "latest" });
    const settings = (await server.quiver.service.triggers.get({ scope: { accountId: ALICE.name, region }, namespace: "default", name: "defaults" }, { id: idOf(made) })).trigger.settings;
    assert.deepEqual(settings, { kind: "http", flavour: "apig", auth: "signed", path: "/defaults", matchMode: "exact", methods: ["POST"], cors: null, timeoutMs: null });
  });

  void it("binds a trigger to the URN's qualifier (or func_info.version), and lists and batch-deletes by it", async () => {
    await withVersionAndAlias("bound");
    const on = async (qualifier: string | undefined, name: string, spec: Partial<ApigSpec> = {}): Promise<Wire> =>
      createApigTrigger(client, urnOf("bound", qualifier), { name, path: `/bound/${name}`, ...spec });
    assert.equal((eventDataOf(await on(undefined, "t_head"))["func_info"] as Wire)["version"], "latest");
    assert.equal((eventDataOf(await on("v1", "t_v1"))["func_info"] as Wire)["version"], "v1");
    assert.equal((eventDataOf(await on("!prod", "t_prod"))["func_info"] as Wire)["version"], "prod");
    assert.equal((eventDataOf(await on(undefined, "t_body", { version: "v1" }))["func_info"] as Wire)["version"], "v1");
    await expectCode(on("v1", "t_clash", { version: "latest" }), 400, "FSS.1107");
    await expectCode(on("v9", "t_nowhere"), 404, "FSS.1052");

    const all = ["t_body", "t_head", "t_prod", "t_v1"];
    assert.deepEqual(names(await listTriggers(client, urnOf("bound"))), all);
    assert.deepEqual(names(await listTriggers(client, urnOf("bound", "latest"))), all, "latest lists every trigger, as batch delete covers every one");
    assert.deepEqual(names(await listTriggers(client, urnOf("bound", "v1"))), ["t_body", "t_v1"]);
    assert.deepEqual(names(await listTriggers(client, urnOf("bound", "!prod"))), ["t_prod"]);
    assert.deepEqual(names(await listTriggers(client, urnOf("bound", "prod"))), ["t_prod"], "a plain name no version has is the alias");
    await expectCode(listTriggers(client, urnOf("bound", "v9")), 404, "FSS.1052");
    await expectCode(listTriggers(client, urnOf("bound", "!ghost")), 404, "FSS.1053");

    assert.equal((await deleteTriggers(client, urnOf("bound", "v1")))["httpStatusCode"], 204);
    assert.deepEqual(names(await listTriggers(client, urnOf("bound"))), ["t_head", "t_prod"]);
    await deleteTriggers(client, urnOf("bound", "!prod"));
    assert.deepEqual(names(await listTriggers(client, urnOf("bound"))), ["t_head"]);
    await on("v1", "t_v1");
    await deleteTriggers(client, urnOf("bound", "latest"));
    assert.deepEqual(await listTriggers(client, urnOf("bound")), [], "latest deletes every trigger of the function");
    await on("v1", "t_v1");
    await on("!prod", "t_prod");
    await deleteTriggers(client, urnOf("bound"));
    assert.deepEqual(await listTriggers(client, urnOf("bound")), [], "so does the unqualified URN");
  });

  void it("answers the documented codes for a missing function or trigger, duplicates, taken paths and too many triggers", async () => {
    const ghost = urnOf("ghost");
    await expectCode(createApigTrigger(client, ghost, { name: "t", path: "/ghost" }), 404, "FSS.1051");
    await expectCode(listTriggers(client, ghost), 404, "FSS.1051");
    await expectCode(showTrigger(client, ghost, "APIG", "0".repeat(32)), 404, "FSS.1051");
    await expectCode(deleteTriggers(client, ghost), 404, "FSS.1051");

    await createFunction(client, zip, "codes");
    await createFunction(client, zip, "neighbour");
    const first = await createApigTrigger(client, urnOf("codes"), { name: "dup", path: "/codes" });
    await expectCode(createApigTrigger(client, urnOf("codes"), { name: "dup", path: "/codes-2" }), 400, "FSS.1307");
    await expectCode(createApigTrigger(client, urnOf("neighbour"), { name: "other", path: "/codes" }), 409, "FSS.1147");
    await expectCode(showTrigger(client, urnOf("codes"), "APIG", "0".repeat(32)), 404, "FSS.1131");
    // A documented type that is not the trigger's: no such trigger. A code FunctionGraph does not document: no such type.
    await expectCode(showTrigger(client, urnOf("codes"), "TIMER", idOf(first)), 404, "FSS.1131");
    await expectCode(showTrigger(client, urnOf("codes"), "FOO", idOf(first)), 404, "FSS.1137");
    await expectCode(deleteTrigger(client, urnOf("codes"), "FOO", idOf(first)), 404, "FSS.1137");

    // Another project may use the same path: paths are unique per project.
    const bob = fgClient(server.url, BOB.huawei);
    await createFunction(bob, zip, "codes");
    const bobs = await createApigTrigger(bob, `urn:fss:${region}:${BOB.huawei.projectId}:function:default:codes`, { name: "dup", path: "/codes" });
    assert.equal(eventDataOf(bobs)["invoke_url"], `${server.url}/apig/${BOB.huawei.projectId}/codes`);

    for (let i = 2; i <= 10; i += 1) await createApigTrigger(client, urnOf("codes"), { name: `t${i}`, path: `/codes/${i}` });
    assert.equal((await listTriggers(client, urnOf("codes"))).length, 10);
    await expectCode(createApigTrigger(client, urnOf("codes"), { name: "t11", path: "/codes/11" }), 400, "FSS.1306");
  });

  void it("serves APIG and TIMER: every other documented type is refused with the served types named, unknown types too", async () => {
    await createFunction(client, zip, "typed");
    const timer = new fg.TriggerEventDataRequestBody().withName("every5").withScheduleType("Rate").withSchedule("5m");
    for (const type of ["OBS", "DEDICATEDGATEWAY", "FOO", "apig", "timer"]) {
      const message = await expectCode(createTrigger(client, urnOf("typed"), type, timer), 400, "FSS.1101");
      assert.match(message, /serves APIG, TIMER/, `${type}: ${message}`);
    }
    assert.deepEqual(await listTriggers(client, urnOf("typed")), []);
  });

  void it("refuses an invalid APIG event_data with 400 FSS.1107 (a name too long with FSS.1317)", async () => {
    await createFunction(client, zip, "checked");
    await createFunction(client, zip, "elsewhere");
    const refused = async (raw: Record<string, unknown>, spec: Partial<ApigSpec> = {}, code = "FSS.1107"): Promise<void> => {
      await expectCode(createApigTrigger(client, urnOf("checked"), { name: "t", path: "/checked", raw, ...spec }), 400, code);
    };
    await refused({ group_id: undefined });
    await refused({ env_id: "" });
    await refused({ env_name: undefined });
    await refused({ auth: "BASIC" });
    await refused({ auth: "APP" });
    await refused({ protocol: "FTP" });
    await refused({ path: undefined });
    await refused({ path: "no-slash" });
    await refused({ path: "/a//b" });
    await refused({ path: "/users/{id}" });
    await refused({ path: "/../up" });
    await refused({ match_mode: "PREFIX" });
    await refused({ req_method: "FETCH" });
    await refused({ type: 3 });
    await refused({ type: "1" });
    await refused({ backend_type: "MOCK" });
    await refused({ sl_domain: "" });
    await refused({ func_info: { timeout: 0 } });
    await refused({ func_info: { timeout: 60_001 } });
    await refused({ func_info: { invocation_type: "sync" } });
    await refused({ func_info: { timeout: 1000, invocation_type: "async" } });
    await refused({ func_info: { timeout: 1000, function_urn: urnOf("elsewhere") } });
    await refused({ name: undefined });
    await refused({ name: "9starts-with-a-digit" });
    await refused({}, { name: `n${"x".repeat(64)}` }, "FSS.1317");
    await expectCode(client.createFunctionTrigger(new fg.CreateFunctionTriggerRequest().withFunctionUrn(urnOf("checked")).withBody(new fg.CreateFunctionTriggerRequestBody().withTriggerTypeCode("APIG"))), 400, "FSS.1107");
    const same = await createApigTrigger(client, urnOf("checked"), { name: "t", path: "/checked", raw: { func_info: { timeout: 1000, function_urn: urnOf("checked", "latest") } } });
    assert.equal((eventDataOf(same)["func_info"] as Wire)["function_urn"], urnOf("checked"), "func_info.function_urn may name the function with a qualifier");
    assert.deepEqual(await listTriggers(client, urnOf("checked")).then((l) => l.length), 1);
  });

  void it("refuses deleting an alias or version a trigger is bound to (403 FSS.1154); deleting the function deletes its triggers", async () => {
    await withVersionAndAlias("pinned");
    await createApigTrigger(client, urnOf("pinned", "!prod"), { name: "on_alias", path: "/pinned/alias" });
    await createApigTrigger(client, urnOf("pinned", "v1"), { name: "on_version", path: "/pinned/version" });
    await expectCode(deleteAlias(client, urnOf("pinned"), "prod"), 403, "FSS.1154");
    const deleteVersion = (): Promise<unknown> => client.deleteFunction(new fg.DeleteFunctionRequest().withFunctionUrn(urnOf("pinned", "v1")));
    await deleteTriggers(client, urnOf("pinned", "!prod"));
    assert.equal(((await deleteAlias(client, urnOf("pinned"), "prod")) as Wire)["httpStatusCode"], 204);
    await expectCode(deleteVersion(), 403, "FSS.1154");
    await deleteTriggers(client, urnOf("pinned", "v1"));
    await deleteVersion();

    await createApigTrigger(client, urnOf("pinned"), { name: "on_head", path: "/pinned/head" });
    await client.deleteFunction(new fg.DeleteFunctionRequest().withFunctionUrn(urnOf("pinned")));
    await createFunction(client, zip, "pinned");
    assert.deepEqual(await listTriggers(client, urnOf("pinned")), []);
    await createFunction(client, zip, "successor");
    await createApigTrigger(client, urnOf("successor"), { name: "on_head", path: "/pinned/head" });
  });

  void it("serves the v1.0 /fss/triggers forms with the same snake_case bodies", async () => {
    await createFunction(client, zip, "legacy");
    const v1 = (tail: string): string => `/v1.0/${projectId}/fss/triggers/${urnOf("legacy")}${tail}`;
    const eventData = JSON.parse(JSON.stringify(apigEventData({ name: "old_api", path: "/legacy" }))) as Wire;
    const made = await call(raw, "POST", v1(""), { trigger_type_code: "APIG", event_type_code: "APICreated", event_data: eventData });
    assert.equal(made.status, 201, made.text);
    const body = made.json();
    assert.equal(body["event_type_code"], "APICreated");
    assert.equal(eventDataOf(body)["invoke_url"], `${server.url}/apig/${projectId}/legacy`);
    const id = idOf(body);

    const listed = await call(raw, "GET", v1(""));
    assert.equal(listed.status, 200);
    assert.deepEqual(JSON.parse(listed.text), [body]);
    const shown = await call(raw, "GET", v1(`/APIG/${id}`));
    assert.deepEqual(shown.json(), body);
    assert.equal((await call(raw, "PUT", v1(`/APIG/${id}`), { trigger_status: "DISABLED" })).status, 404, "v1.0 documents no update");
    assert.equal((await call(raw, "DELETE", v1(`/APIG/${id}`))).status, 204);
    const gone = await call(raw, "GET", v1(`/APIG/${id}`));
    assert.equal(gone.status, 404);
    assert.equal(gone.json()["error_code"], "FSS.1131");

    const again = await call(raw, "POST", v1(""), { trigger_type_code: "APIG", event_data: eventData });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.json()["event_type_code"], "", "no event_type_code sent: empty");
    assert.equal((await call(raw, "DELETE", v1(""))).status, 204);
    assert.deepEqual(JSON.parse((await call(raw, "GET", v1(""))).text), []);
    // The v2 SDK sees what v1.0 made, and the other way round.
    await createApigTrigger(client, urnOf("legacy"), { name: "new_api", path: "/legacy" });
    assert.deepEqual((JSON.parse((await call(raw, "GET", v1(""))).text) as Wire[]).map((t) => eventDataOf(t)["name"]), ["new_api"]);
  });
});

void describe("FunctionGraph triggers and the other dialect", () => {
  let server: TestQuiver;
  let client: fg.FunctionGraphClient;
  const ref = (name: string): { scope: { accountId: string; region: string }; namespace: string; name: string } => ({ scope: { accountId: ALICE.name, region }, namespace: "default", name });

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    client = fgClient(server.url);
    await createFunction(client, await nodeHandlerZip(), "shared");
  });
  after(async () => server.stop());

  void it("an APIG trigger made through FunctionGraph is the core's apig HTTP trigger", async () => {
    const made = await createApigTrigger(client, urnOf("shared"), { name: "from_fgs", path: "/shared", auth: "IAM", timeout: 2500 });
    const { page } = await server.quiver.service.triggers.list(ref("shared"), { offset: 0, limit: 10, order: "ASC", orderBy: "createdAt" });
    assert.equal(page.items.length, 1);
    const [trigger] = page.items;
    assert.equal(trigger?.id, idOf(made));
    assert.equal(trigger?.name, "from_fgs");
    assert.equal(trigger?.qualifier, "$LATEST");
    assert.equal(trigger?.enabled, true);
    assert.deepEqual(trigger?.settings, { kind: "http", flavour: "apig", auth: "signed", path: "/shared", matchMode: "prefix", methods: ["ANY"], cors: null, timeoutMs: 2500 });
    assert.deepEqual(trigger?.extras, { fgs: { group_id: "0123456789abcdef0123456789abcdef", group_name: "APIGroup_test", env_id: "DEFAULT_ENVIRONMENT_RELEASE_ID", env_name: "RELEASE", protocol: "HTTPS", type: 1, sl_domain: "0123456789abcdef.apig.example.com" } });
    await deleteTriggers(client, urnOf("shared"));
  });

  void it("an SCF function URL on the core is listed as APIG at path / with its SCF URL", async () => {
    const scf = await server.quiver.service.triggers.create(ref("shared"), {
      name: "scf_url",
      qualifier: "$DEFAULT",
      enabled: false,
      description: "made through SCF",
      settings: { kind: "http", flavour: "function-url", auth: "none", path: "/", matchMode: "prefix", methods: ["GET", "POST"], cors: null, timeoutMs: null },
      extras: { scf: { NetConfig: { EnableExtranet: true } } },
    });
    const [listed] = await listTriggers(client, urnOf("shared"));
    assert.ok(listed);
    assert.equal(listed["trigger_id"], scf.id);
    assert.equal(listed["trigger_type_code"], "APIG");
    assert.equal(listed["trigger_status"], "DISABLED");
    assert.deepEqual(eventDataOf(listed), {
      name: "scf_url",
      group_id: "",
      env_id: "DEFAULT_ENVIRONMENT_RELEASE_ID",
      env_name: "RELEASE",
      auth: "NONE",
      protocol: "HTTP",
      path: "/",
      match_mode: "SWA",
      req_method: "ANY",
      type: 1,
      backend_type: "FUNCTION",
      func_info: { function_urn: urnOf("shared"), invocation_type: "sync", timeout: 30_000, version: "$DEFAULT" },
      api_id: scf.id,
      api_name: "scf_url",
      invoke_url: `${server.url}/scf/${ALICE.appId}/${region}/default/shared/scf_url`,
      triggerid: scf.id,
    });
    const enabled = await updateTrigger(client, urnOf("shared"), "APIG", scf.id, status("ACTIVE"));
    assert.equal(enabled["trigger_status"], "ACTIVE");
    assert.equal((await server.quiver.service.triggers.get(ref("shared"), { id: scf.id })).trigger.enabled, true);
    await deleteTrigger(client, urnOf("shared"), "APIG", scf.id);
    await assert.rejects(server.quiver.service.triggers.get(ref("shared"), { id: scf.id }), { code: "TriggerNotFound" });
  });

  void it("a timer on the core is shown as TIMER with its schedule", async () => {
    const timer = await server.quiver.service.triggers.create(ref("shared"), {
      name: "every5",
      qualifier: "$LATEST",
      enabled: true,
      description: "",
      settings: { kind: "timer", origin: "fgs", scheduleKind: "rate", expression: "5m", schedule: { kind: "every", intervalMs: 300_000 }, payload: "hello" },
      extras: {},
    });
    const shown = await showTrigger(client, urnOf("shared"), "TIMER", timer.id);
    assert.equal(shown["trigger_type_code"], "TIMER");
    assert.deepEqual(eventDataOf(shown), { name: "every5", schedule_type: "Rate", schedule: "5m", user_event: "hello" });
    await expectCode(showTrigger(client, urnOf("shared"), "APIG", timer.id), 404, "FSS.1131");
    await deleteTrigger(client, urnOf("shared"), "TIMER", timer.id);
  });
});
