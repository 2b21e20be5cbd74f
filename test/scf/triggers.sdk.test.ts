/**
 * SCF's trigger actions through the official Node SDK: CreateTrigger, ListTriggers,
 * UpdateTrigger, UpdateTriggerStatus, DeleteTrigger and GetFunction's Triggers, with the wire
 * types the SDK models (Enable an integer, times as text, TriggerDesc JSON text), and what
 * Serverless Inc's clients send to GetFunction and UpdateFunctionConfiguration.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { REGION, createNodeFunction, expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { sendRaw } from "../helpers/tc3.js";

const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const OPEN_URL = JSON.stringify({ AuthType: "NONE", NetConfig: { EnableIntranet: false, EnableExtranet: true } });

/** Every field of the SDK's `Trigger` model (CreateTrigger, GetFunction). */
const TRIGGER_FIELDS = [
  "AddTime", "AvailableStatus", "BindStatus", "CustomArgument", "Description", "Enable", "ModTime", "Qualifier", "ResourceId",
  "TriggerAttribute", "TriggerDesc", "TriggerName", "Type",
];

type Trigger = Record<string, unknown>;

function descOf(trigger: Trigger | undefined): Record<string, unknown> {
  assert.ok(trigger, "the trigger is there");
  assert.equal(typeof trigger["TriggerDesc"], "string", "TriggerDesc is JSON text");
  return JSON.parse(trigger["TriggerDesc"] as string) as Record<string, unknown>;
}

void describe("SCF triggers through the official SDK", () => {
  let server: TestQuiver;
  let scf: ScfClient;
  /** The URL Quiver serves a trigger of ALICE's function at. */
  const urlOf = (fn: string, trigger: string): string => `${server.url}/scf/${ALICE.appId}/${REGION}/default/${fn}/${trigger}`;
  const names = async (fn: string, extra: Record<string, unknown> = {}): Promise<string[]> =>
    ((await scf.ListTriggers({ FunctionName: fn, Order: "ASC", OrderBy: "add_time", ...extra })).Triggers ?? []).map((t) => t.TriggerName ?? "");

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false } });
    scf = scfClient(server, ALICE);
  });
  after(async () => server.stop());

  void describe("CreateTrigger", () => {
    before(async () => {
      await createNodeFunction(scf, "urls");
      await scf.PublishVersion({ FunctionName: "urls" });
      await scf.CreateAlias({ FunctionName: "urls", Name: "live", FunctionVersion: "1" });
    });

    test("an http trigger is a function URL on $DEFAULT, answered with the documented fields and types", async () => {
      const cors = { Enable: true, Origins: ["https://app.example"], Headers: ["content-type"], Methods: ["GET", "POST"], ExposeHeaders: ["x-id"], MaxAge: 600, Credentials: true };
      const { TriggerInfo } = await scf.CreateTrigger({
        FunctionName: "urls",
        TriggerName: "web",
        Type: "http",
        TriggerDesc: JSON.stringify({ AuthType: "NONE", NetConfig: { EnableIntranet: true, EnableExtranet: false }, CorsConfig: cors }),
        Description: "the site",
      });
      const info = TriggerInfo as unknown as Trigger;
      assert.deepEqual(Object.keys(info).sort(), TRIGGER_FIELDS);
      assert.equal(info["Type"], "http");
      assert.equal(info["TriggerName"], "web");
      assert.equal(info["Qualifier"], "$DEFAULT", "the default qualifier");
      assert.equal(info["Enable"], 1, "Enable is the integer 1 when on");
      assert.match(String(info["AddTime"]), TIME);
      assert.match(String(info["ModTime"]), TIME);
      assert.equal(info["AvailableStatus"], "Available");
      assert.equal(info["BindStatus"], "on");
      assert.equal(info["TriggerAttribute"], "single");
      assert.equal(info["CustomArgument"], "");
      assert.equal(info["Description"], "the site");
      assert.equal(info["ResourceId"], `qcs::scf:${REGION}:uin/${ALICE.uin}:function/urls/web`);
      const desc = descOf(info);
      assert.equal(desc["AuthType"], "NONE");
      assert.deepEqual(desc["NetConfig"], {
        EnableIntranet: true,
        IntranetUrl: urlOf("urls", "web"),
        IntranetHTTPUrl: urlOf("urls", "web"),
        ExtranetUrl: urlOf("urls", "web"),
        ExtranetHTTPUrl: urlOf("urls", "web"),
        WssIntranetUrl: "",
        WsIntranetUrl: "",
        WssExtranetUrl: "",
        WsExtranetUrl: "",
        EnableExtranet: true,
      });
      assert.deepEqual(desc["CorsConfig"], cors);
    });

    test("one function URL per version or alias; another qualifier gets its own", async () => {
      await expectScfError(scf.CreateTrigger({ FunctionName: "urls", TriggerName: "web2", Type: "http", TriggerDesc: OPEN_URL }), "ResourceInUse.Trigger");
      await expectScfError(scf.CreateTrigger({ FunctionName: "urls", TriggerName: "web2", Type: "http", TriggerDesc: OPEN_URL, Qualifier: "$DEFAULT" }), "ResourceInUse.Trigger");
      for (const [name, qualifier] of [["on-live", "live"], ["on-one", "1"], ["on-head", "$LATEST"]] as const) {
        const { TriggerInfo } = await scf.CreateTrigger({ FunctionName: "urls", TriggerName: name, Type: "http", TriggerDesc: OPEN_URL, Qualifier: qualifier });
        assert.equal(TriggerInfo?.Qualifier, qualifier);
        const net = descOf(TriggerInfo as unknown as Trigger)["NetConfig"] as Record<string, unknown>;
        assert.equal(net["ExtranetUrl"], urlOf("urls", name), "each trigger has its own URL");
      }
    });

    test("a name is taken once per function, whatever the type or qualifier", async () => {
      await expectScfError(scf.CreateTrigger({ FunctionName: "urls", TriggerName: "web", Type: "apigw", Qualifier: "1" }), "ResourceInUse.TriggerName");
    });

    test("an apigw trigger takes the documented description, all of it optional", async () => {
      const bare = await scf.CreateTrigger({ FunctionName: "urls", TriggerName: "gw-bare", Type: "apigw", Qualifier: "$LATEST" });
      const bareDesc = descOf(bare.TriggerInfo as unknown as Trigger);
      assert.equal(bare.TriggerInfo?.Type, "apigw");
      assert.deepEqual(bareDesc["api"], { authRequired: "FALSE", requestConfig: { method: "ANY" }, isIntegratedResponse: "FALSE", IsBase64Encoded: "FALSE" });
      assert.deepEqual(bareDesc["release"], { environmentName: "release" });
      assert.equal((bareDesc["service"] as Record<string, unknown>)["subDomain"], urlOf("urls", "gw-bare"));
      assert.equal((bareDesc["service"] as Record<string, unknown>)["serviceName"], "SCF_API_SERVICE");

      const asked = {
        api: { authRequired: "TRUE", requestConfig: { method: "POST" }, isIntegratedResponse: "TRUE", IsBase64Encoded: "TRUE" },
        service: { serviceId: "service-abc123", serviceName: "shop" },
        release: { environmentName: "test" },
      };
      const full = await scf.CreateTrigger({ FunctionName: "urls", TriggerName: "gw-full", Type: "apigw", TriggerDesc: JSON.stringify(asked), Qualifier: "live" });
      assert.deepEqual(descOf(full.TriggerInfo as unknown as Trigger), { ...asked, service: { ...asked.service, subDomain: urlOf("urls", "gw-full") } });
      assert.equal(full.TriggerInfo?.Enable, 1);
    });

    test("Enable CLOSE creates it switched off (Enable 0); CustomArgument is kept", async () => {
      const { TriggerInfo } = await scf.CreateTrigger({ FunctionName: "urls", TriggerName: "gw-off", Type: "apigw", Enable: "CLOSE", CustomArgument: "hello", Qualifier: "1" });
      assert.equal(TriggerInfo?.Enable, 0);
      assert.equal(TriggerInfo?.CustomArgument, "hello");
    });

    test("every type but http, apigw and timer is refused, naming the types Quiver serves", async () => {
      for (const type of ["cos", "ckafka", "cls", "HTTP", "Timer"]) {
        const error = await expectScfError(scf.CreateTrigger({ FunctionName: "urls", TriggerName: "t", Type: type, TriggerDesc: "0 */5 * * * * *" }), "InvalidParameterValue.Type");
        assert.match(error.message, /http, apigw, timer/);
      }
    });

    test("a bad TriggerDesc, name, Enable or CustomArgument is refused with its documented code", async () => {
      await createNodeFunction(scf, "strict");
      const create = (extra: Record<string, unknown>): Promise<unknown> => scf.request("CreateTrigger", { FunctionName: "strict", TriggerName: "bad", Type: "http", TriggerDesc: OPEN_URL, ...extra });
      const net = { EnableIntranet: false, EnableExtranet: true };
      for (const desc of [undefined, "", "not json", "[1]", JSON.stringify({ AuthType: "BASIC", NetConfig: net }), JSON.stringify({ AuthType: "NONE", NetConfig: net, Extra: 1 }), JSON.stringify({ AuthType: "NONE", NetConfig: { EnableIntranet: "no", EnableExtranet: true } })]) {
        await expectScfError(scf.request("CreateTrigger", { FunctionName: "strict", TriggerName: "bad", Type: "http", ...(desc === undefined ? {} : { TriggerDesc: desc }) }), "InvalidParameterValue.TriggerDesc");
      }
      const missing = await expectScfError(create({ TriggerDesc: JSON.stringify({ AuthType: "NONE" }) }), "InvalidParameterValue.TriggerDesc");
      assert.match(missing.message, /TriggerDesc\.NetConfig is required/);
      await expectScfError(create({ TriggerDesc: "x".repeat(5000) }), "InvalidParameterValue.TriggerDesc");
      await expectScfError(create({ Type: "apigw", TriggerDesc: JSON.stringify({ api: { requestConfig: { method: "PATCH" } } }) }), "InvalidParameterValue.TriggerDesc");
      const cors = await expectScfError(create({ TriggerDesc: JSON.stringify({ AuthType: "NONE", NetConfig: { EnableIntranet: false, EnableExtranet: true }, CorsConfig: { Enable: true, Origins: "*" } }) }), "InvalidParameterValue.Cors");
      assert.match(cors.message, /TriggerDesc\.CorsConfig\.Origins/);
      for (const name of ["has space", "", "x".repeat(101), "slash/name"]) await expectScfError(create({ TriggerName: name }), "InvalidParameterValue.TriggerName");
      await expectScfError(create({ Enable: "MAYBE" }), "InvalidParameterValue.Enable");
      await expectScfError(create({ CustomArgument: "x".repeat(4097) }), "InvalidParameterValue.CustomArgument");
      await expectScfError(create({ Description: "d".repeat(1001) }), "InvalidParameterValue.Description");
      assert.equal((await scf.ListTriggers({ FunctionName: "strict" })).TotalCount, 0, "nothing was created");
    });

    test("an unknown function, namespace or qualifier is refused", async () => {
      await expectScfError(scf.CreateTrigger({ FunctionName: "ghost", TriggerName: "t", Type: "http", TriggerDesc: OPEN_URL }), "ResourceNotFound.Function");
      await expectScfError(scf.CreateTrigger({ FunctionName: "urls", Namespace: "ghost", TriggerName: "t", Type: "http", TriggerDesc: OPEN_URL }), "ResourceNotFound.Namespace");
      await expectScfError(scf.CreateTrigger({ FunctionName: "urls", TriggerName: "t", Type: "http", TriggerDesc: OPEN_URL, Qualifier: "9" }), "ResourceNotFound.Version");
    });
  });

  void describe("limits", () => {
    test("ten triggers of one type per function, as SCF documents", async () => {
      await createNodeFunction(scf, "crowded");
      for (let i = 0; i < 10; i += 1) await scf.CreateTrigger({ FunctionName: "crowded", TriggerName: `gw${i}`, Type: "apigw" });
      await expectScfError(scf.CreateTrigger({ FunctionName: "crowded", TriggerName: "gw10", Type: "apigw" }), "LimitExceeded.Trigger");
      // http and apigw are both HTTP triggers to Quiver: the limit counts them together.
      await expectScfError(scf.CreateTrigger({ FunctionName: "crowded", TriggerName: "url", Type: "http", TriggerDesc: OPEN_URL }), "LimitExceeded.Trigger");
      await scf.DeleteTrigger({ FunctionName: "crowded", TriggerName: "gw0", Type: "apigw" });
      await scf.CreateTrigger({ FunctionName: "crowded", TriggerName: "url", Type: "http", TriggerDesc: OPEN_URL });
    });
  });

  void describe("ListTriggers", () => {
    // Named in the order they are made: a list in creation order breaks ties (same millisecond) by name.
    before(async () => {
      await createNodeFunction(scf, "listed");
      await scf.PublishVersion({ FunctionName: "listed" });
      await scf.CreateTrigger({ FunctionName: "listed", TriggerName: "a-url", Type: "http", TriggerDesc: OPEN_URL, Description: "public site" });
      await scf.CreateTrigger({ FunctionName: "listed", TriggerName: "b-gw", Type: "apigw", Qualifier: "1", Description: "legacy gateway" });
      await scf.CreateTrigger({ FunctionName: "listed", TriggerName: "c-url", Type: "http", TriggerDesc: OPEN_URL, Qualifier: "1", Description: "pinned site" });
    });

    test("every trigger with the TriggerInfo fields, TotalCount, newest change first by default", async () => {
      const list = await scf.ListTriggers({ FunctionName: "listed" });
      assert.equal(list.TotalCount, 3);
      assert.equal(list.Triggers?.length, 3);
      for (const trigger of list.Triggers ?? []) {
        assert.deepEqual(Object.keys(trigger).sort(), [...TRIGGER_FIELDS, "BoundResources"].sort());
        assert.equal(trigger.BoundResources, "");
        assert.equal(typeof trigger.Enable, "number");
      }
      assert.deepEqual(await names("listed"), ["a-url", "b-gw", "c-url"]);
      assert.deepEqual(await names("listed", { Order: "DESC" }), ["c-url", "b-gw", "a-url"]);
    });

    test("Filters by Qualifier, Type, TriggerName (exact, any of the values) and Description (contains), and-ed", async () => {
      assert.deepEqual(await names("listed", { Filters: [{ Name: "Qualifier", Values: ["1"] }] }), ["b-gw", "c-url"]);
      assert.deepEqual(await names("listed", { Filters: [{ Name: "Type", Values: ["http"] }] }), ["a-url", "c-url"]);
      assert.deepEqual(await names("listed", { Filters: [{ Name: "Type", Values: ["apigw"] }] }), ["b-gw"]);
      assert.deepEqual(await names("listed", { Filters: [{ Name: "TriggerName", Values: ["a-url", "b-gw"] }] }), ["a-url", "b-gw"]);
      assert.deepEqual(await names("listed", { Filters: [{ Name: "TriggerName", Values: ["url"] }] }), [], "a name matches exactly");
      assert.deepEqual(await names("listed", { Filters: [{ Name: "Description", Values: ["site"] }] }), ["a-url", "c-url"]);
      assert.deepEqual(await names("listed", { Filters: [{ Name: "Type", Values: ["http"] }, { Name: "Qualifier", Values: ["1"] }] }), ["c-url"]);
      const counted = await scf.ListTriggers({ FunctionName: "listed", Filters: [{ Name: "Type", Values: ["http"] }], Limit: 1 });
      assert.equal(counted.TotalCount, 2, "TotalCount counts what the filters matched");
      assert.equal(counted.Triggers?.length, 1);
    });

    test("Offset and Limit page through the list; Serverless Inc's Limit of 1000 is accepted", async () => {
      assert.deepEqual(await names("listed", { Offset: 1, Limit: 1 }), ["b-gw"]);
      assert.deepEqual(await names("listed", { Limit: 1000 }), ["a-url", "b-gw", "c-url"]);
      assert.deepEqual(await names("listed", { Offset: 5 }), []);
    });

    test("GET and v1-signed requests carry the TriggerDesc and the flattened Filters", async () => {
      const modes = [{ reqMethod: "GET" as const }, { signMethod: "HmacSHA256" as const }, { signMethod: "HmacSHA1" as const, reqMethod: "GET" as const }];
      for (const [i, options] of modes.entries()) {
        const client = scfClient(server, ALICE, options);
        const list = await client.ListTriggers({ FunctionName: "listed", Filters: [{ Name: "Type", Values: ["apigw"] }], Limit: 10 });
        assert.deepEqual(list.Triggers?.map((t) => t.TriggerName), ["b-gw"]);
        const { TriggerInfo } = await client.CreateTrigger({ FunctionName: "listed", TriggerName: `signed-${i}`, Type: "apigw", TriggerDesc: JSON.stringify({ api: { requestConfig: { method: "PUT" } } }), Qualifier: "$LATEST" });
        assert.deepEqual((descOf(TriggerInfo as unknown as Trigger)["api"] as Record<string, unknown>)["requestConfig"], { method: "PUT" });
        await client.DeleteTrigger({ FunctionName: "listed", TriggerName: `signed-${i}`, Type: "apigw" });
      }
    });

    test("unknown filters, orders and paging are refused with their documented codes", async () => {
      await expectScfError(scf.ListTriggers({ FunctionName: "listed", Filters: [{ Name: "Colour", Values: ["red"] }] }), "InvalidParameterValue.Filters");
      await expectScfError(scf.ListTriggers({ FunctionName: "listed", OrderBy: "name" }), "InvalidParameterValue.OrderBy");
      await expectScfError(scf.ListTriggers({ FunctionName: "listed", Order: "UP" }), "InvalidParameterValue.Order");
      await expectScfError(scf.ListTriggers({ FunctionName: "listed", Limit: 0 }), "InvalidParameterValue.Limit");
      await expectScfError(scf.ListTriggers({ FunctionName: "listed", Offset: -1 }), "InvalidParameterValue.Offset");
      await expectScfError(scf.ListTriggers({ FunctionName: "ghost" }), "ResourceNotFound.Function");
    });
  });

  void describe("UpdateTrigger, UpdateTriggerStatus and DeleteTrigger", () => {
    before(async () => {
      await createNodeFunction(scf, "changing");
      await scf.CreateTrigger({ FunctionName: "changing", TriggerName: "url", Type: "http", TriggerDesc: OPEN_URL, Description: "first", CustomArgument: "arg" });
      await scf.CreateTrigger({ FunctionName: "changing", TriggerName: "gw", Type: "apigw" });
    });
    const get = async (name: string): Promise<Trigger> => {
      const list = await scf.ListTriggers({ FunctionName: "changing", Filters: [{ Name: "TriggerName", Values: [name] }] });
      const found = list.Triggers?.[0];
      assert.ok(found, `trigger ${name} is listed`);
      return found as unknown as Trigger;
    };

    test("UpdateTrigger changes what it is sent and keeps the rest", async () => {
      await scf.UpdateTrigger({ FunctionName: "changing", TriggerName: "url", Type: "http", Enable: "CLOSE" });
      let trigger = await get("url");
      assert.equal(trigger["Enable"], 0);
      assert.equal(trigger["Description"], "first");
      assert.equal(trigger["CustomArgument"], "arg");
      assert.equal(descOf(trigger)["AuthType"], "NONE");

      const signed = JSON.stringify({ AuthType: "CAM", NetConfig: { EnableIntranet: false, EnableExtranet: true }, CorsConfig: { Enable: true, Origins: ["*"] } });
      await scf.UpdateTrigger({ FunctionName: "changing", TriggerName: "url", Type: "http", Qualifier: "$DEFAULT", TriggerDesc: signed, Description: "", CustomArgument: "" });
      trigger = await get("url");
      assert.equal(trigger["Enable"], 0, "Enable kept");
      assert.equal(trigger["Description"], "", "an empty Description clears it");
      assert.equal(trigger["CustomArgument"], "", "an empty CustomArgument clears it");
      const desc = descOf(trigger);
      assert.equal(desc["AuthType"], "CAM");
      assert.deepEqual(desc["CorsConfig"], { Enable: true, Origins: ["*"], Headers: [], Methods: [], ExposeHeaders: [], MaxAge: 0, Credentials: false });
      assert.equal((desc["NetConfig"] as Record<string, unknown>)["ExtranetUrl"], urlOf("changing", "url"));

      // A description copied from an answer (URLs included) is accepted back.
      await scf.UpdateTrigger({ FunctionName: "changing", TriggerName: "url", Type: "http", TriggerDesc: trigger["TriggerDesc"] as string, Enable: "OPEN" });
      assert.equal((await get("url"))["Enable"], 1);
    });

    test("UpdateTrigger refuses what it cannot change", async () => {
      await expectScfError(scf.UpdateTrigger({ FunctionName: "changing", TriggerName: "gw", Type: "apigw", Enable: "CLOSE" }), "InvalidParameterValue.Type");
      await expectScfError(scf.UpdateTrigger({ FunctionName: "changing", TriggerName: "url", Type: "http", Enable: "" }), "InvalidParameterValue.Enable");
      await expectScfError(scf.UpdateTrigger({ FunctionName: "changing", TriggerName: "url", Type: "http", TriggerDesc: "{}" }), "InvalidParameterValue.TriggerDesc");
      await expectScfError(scf.UpdateTrigger({ FunctionName: "changing", TriggerName: "url", Type: "timer", TriggerDesc: "0 * * * * * *" }), "ResourceNotFound.Trigger");
      await expectScfError(scf.UpdateTrigger({ FunctionName: "changing", TriggerName: "nope", Type: "http", Enable: "OPEN" }), "ResourceNotFound.Trigger");
      await expectScfError(scf.UpdateTrigger({ FunctionName: "changing", TriggerName: "url", Type: "apigw", Enable: "OPEN" }), "ResourceNotFound.Trigger");
      await expectScfError(scf.UpdateTrigger({ FunctionName: "changing", TriggerName: "url", Type: "http", Qualifier: "$LATEST", Enable: "OPEN" }), "ResourceNotFound.Trigger");
    });

    test("UpdateTriggerStatus switches a trigger; to the state it has is FailedOperation.UpdateTriggerStatus", async () => {
      await scf.UpdateTriggerStatus({ FunctionName: "changing", TriggerName: "gw", Type: "apigw", Enable: "CLOSE" });
      assert.equal((await get("gw"))["Enable"], 0);
      await expectScfError(scf.UpdateTriggerStatus({ FunctionName: "changing", TriggerName: "gw", Type: "apigw", Enable: "CLOSE" }), "FailedOperation.UpdateTriggerStatus");
      await scf.UpdateTriggerStatus({ FunctionName: "changing", TriggerName: "gw", Type: "apigw", Enable: "OPEN", Qualifier: "$DEFAULT" });
      assert.equal((await get("gw"))["Enable"], 1);
      await expectScfError(scf.UpdateTriggerStatus({ FunctionName: "changing", TriggerName: "gw", Type: "apigw", Enable: "ON" }), "InvalidParameterValue.Enable");
      await expectScfError(scf.UpdateTriggerStatus({ FunctionName: "changing", TriggerName: "ghost", Type: "apigw", Enable: "OPEN" }), "ResourceNotFound.Trigger");
      await expectScfError(scf.UpdateTriggerStatus({ FunctionName: "changing", TriggerName: "gw", Type: "cos", Enable: "OPEN" }), "InvalidParameterValue.Type");
    });

    test("DeleteTrigger removes a trigger named with its own type (and qualifier, when sent)", async () => {
      await scf.CreateTrigger({ FunctionName: "changing", TriggerName: "short-lived", Type: "apigw", Qualifier: "$LATEST" });
      await expectScfError(scf.DeleteTrigger({ FunctionName: "changing", TriggerName: "short-lived", Type: "http" }), "ResourceNotFound.Trigger");
      await expectScfError(scf.DeleteTrigger({ FunctionName: "changing", TriggerName: "short-lived", Type: "apigw", Qualifier: "$DEFAULT" }), "ResourceNotFound.Trigger");
      await scf.DeleteTrigger({ FunctionName: "changing", TriggerName: "short-lived", Type: "apigw", Qualifier: "$LATEST" });
      await expectScfError(scf.DeleteTrigger({ FunctionName: "changing", TriggerName: "short-lived", Type: "apigw" }), "ResourceNotFound.Trigger");
      await expectScfError(scf.DeleteTrigger({ FunctionName: "changing", TriggerName: "gw", Type: "timer" }), "ResourceNotFound.Trigger");
      await expectScfError(scf.DeleteTrigger({ FunctionName: "changing", TriggerName: "gw", Type: "cos" }), "InvalidParameterValue.Type");
      assert.deepEqual((await names("changing")).sort(), ["gw", "url"]);
    });
  });

  void describe("a FunctionGraph APIG trigger seen through SCF", () => {
    test("shows as apigw with its path's URL, and SCF can switch and delete it", async () => {
      await createNodeFunction(scf, "shared");
      const ref = { scope: { accountId: ALICE.name, region: REGION }, namespace: "default", name: "shared" };
      // Made through the service as FunctionGraph's APIG route makes it (that dialect's own tests cover the route).
      await server.quiver.service.triggers.create(ref, {
        name: "shop-api",
        qualifier: "$LATEST",
        enabled: true,
        description: "",
        settings: { kind: "http", flavour: "apig", auth: "signed", path: "/shop", matchMode: "prefix", methods: ["GET"], cors: null, timeoutMs: null },
        extras: { fgs: { env_name: "RELEASE" } },
      });
      const [trigger] = ((await scf.ListTriggers({ FunctionName: "shared" })).Triggers ?? []) as unknown as Trigger[];
      assert.equal(trigger?.["Type"], "apigw");
      const desc = descOf(trigger);
      assert.deepEqual(desc["api"], { authRequired: "TRUE", requestConfig: { method: "GET" }, isIntegratedResponse: "FALSE", IsBase64Encoded: "FALSE" });
      assert.equal((desc["service"] as Record<string, unknown>)["subDomain"], `${server.url}/apig/${ALICE.huawei.projectId}/shop`);
      await scf.UpdateTriggerStatus({ FunctionName: "shared", TriggerName: "shop-api", Type: "apigw", Enable: "CLOSE" });
      const { trigger: stored } = await server.quiver.service.triggers.get(ref, { name: "shop-api" });
      assert.equal(stored.enabled, false);
      assert.deepEqual(stored.extras["fgs"], { env_name: "RELEASE" }, "FunctionGraph's kept fields stay");
      await scf.DeleteTrigger({ FunctionName: "shared", TriggerName: "shop-api", Type: "apigw" });
      assert.equal((await scf.ListTriggers({ FunctionName: "shared" })).TotalCount, 0);
    });
  });

  void describe("triggers and the function's qualifiers", () => {
    before(async () => {
      await createNodeFunction(scf, "bound");
      await scf.PublishVersion({ FunctionName: "bound" });
      await scf.CreateAlias({ FunctionName: "bound", Name: "prod", FunctionVersion: "1" });
      await scf.CreateTrigger({ FunctionName: "bound", TriggerName: "prod-url", Type: "http", TriggerDesc: OPEN_URL, Qualifier: "prod" });
      await scf.CreateTrigger({ FunctionName: "bound", TriggerName: "v1-gw", Type: "apigw", Qualifier: "1" });
    });

    test("an alias or version with triggers bound to it cannot be deleted", async () => {
      await expectScfError(scf.DeleteAlias({ FunctionName: "bound", Name: "prod" }), "FailedOperation.DeleteAlias");
      await scf.DeleteTrigger({ FunctionName: "bound", TriggerName: "prod-url", Type: "http" });
      await scf.DeleteAlias({ FunctionName: "bound", Name: "prod" });
      await expectScfError(scf.DeleteFunctionVersion({ FunctionName: "bound", Qualifier: "1" }), "UnsupportedOperation");
      await expectScfError(scf.DeleteFunction({ FunctionName: "bound", Qualifier: "1" }), "UnsupportedOperation");
    });

    test("deleting the function deletes its triggers", async () => {
      await scf.DeleteFunction({ FunctionName: "bound" });
      await createNodeFunction(scf, "bound");
      assert.equal((await scf.ListTriggers({ FunctionName: "bound" })).TotalCount, 0);
    });
  });

  void describe("GetFunction", () => {
    before(async () => {
      await createNodeFunction(scf, "shown", { Description: "head" });
      await scf.PublishVersion({ FunctionName: "shown", Description: "one" });
      await scf.UpdateFunctionConfiguration({ FunctionName: "shown", Description: "head, changed" });
      await scf.CreateAlias({ FunctionName: "shown", Name: "stable", FunctionVersion: "1" });
      // Named in the order they are made: a list in creation order breaks ties (same millisecond) by name.
      await scf.CreateTrigger({ FunctionName: "shown", TriggerName: "a-site", Type: "http", TriggerDesc: OPEN_URL });
      await scf.CreateTrigger({ FunctionName: "shown", TriggerName: "b-gate", Type: "apigw", Qualifier: "stable", Enable: "CLOSE" });
    });

    test("Triggers lists every trigger of the function in the Trigger model", async () => {
      const fn = await scf.GetFunction({ FunctionName: "shown" });
      const triggers = (fn.Triggers ?? []) as unknown as Trigger[];
      assert.deepEqual(triggers.map((t) => [t["TriggerName"], t["Type"], t["Qualifier"], t["Enable"]]), [
        ["a-site", "http", "$DEFAULT", 1],
        ["b-gate", "apigw", "stable", 0],
      ]);
      for (const trigger of triggers) assert.deepEqual(Object.keys(trigger).sort(), TRIGGER_FIELDS);
      assert.equal((descOf(triggers[0])["NetConfig"] as Record<string, unknown>)["ExtranetUrl"], urlOf("shown", "a-site"));
    });

    test("ShowTriggers (sent by Serverless Inc's clients on every call) is accepted with either value", async () => {
      for (const value of ["TRUE", "FALSE"]) {
        const fn = await scf.request("GetFunction", { FunctionName: "shown", ShowTriggers: value });
        assert.equal((fn as { FunctionName?: string }).FunctionName, "shown");
      }
    });

    test("an alias as Qualifier answers for the alias's main version", async () => {
      const viaAlias = await scf.GetFunction({ FunctionName: "shown", Qualifier: "stable" });
      assert.equal(viaAlias.FunctionVersion, "1");
      assert.equal(viaAlias.Description, "head", "version 1's configuration, not the head's");
      const viaDefault = await scf.GetFunction({ FunctionName: "shown", Qualifier: "$DEFAULT" });
      assert.equal(viaDefault.FunctionVersion, "$LATEST");
      assert.equal(viaDefault.Description, "head, changed");
      await expectScfError(scf.GetFunction({ FunctionName: "shown", Qualifier: "nowhere" }), "ResourceNotFound.Version");
    });
  });

  void describe("what Serverless Inc's clients send", () => {
    test('UpdateFunctionConfiguration with Environment.Variables [{"Key":"","Value":""}] clears every variable', async () => {
      await createNodeFunction(scf, "envs", { Environment: { Variables: [{ Key: "A", Value: "1" }, { Key: "B", Value: "2" }] } });
      assert.equal((await scf.GetFunction({ FunctionName: "envs" })).Environment?.Variables?.length, 2);
      await scf.UpdateFunctionConfiguration({ FunctionName: "envs", Environment: { Variables: [{ Key: "", Value: "" }] } });
      assert.deepEqual((await scf.GetFunction({ FunctionName: "envs" })).Environment?.Variables, []);
      await expectScfError(scf.UpdateFunctionConfiguration({ FunctionName: "envs", Environment: { Variables: [{ Key: "", Value: "x" }] } }), "InvalidParameterValue.Environment");
    });

    test("a v1-signed form body sent as application/json is told its body is not JSON", async () => {
      const form = new URLSearchParams({
        Action: "ListFunctions",
        Version: "2018-04-16",
        Region: REGION,
        Timestamp: String(Math.floor(Date.now() / 1000)),
        Nonce: "4242",
        SecretId: ALICE.tencent.secretId,
        SignatureMethod: "HmacSHA256",
        Signature: "c2lnbmF0dXJl",
      }).toString();
      const reply = await sendRaw(server.url, { method: "POST", headers: { "Content-Type": "application/json" }, body: form });
      assert.equal(reply.body.Response.Error?.Code, "InvalidParameter.Payload");
      assert.match(reply.body.Response.Error?.Message ?? "", /not JSON/);
      assert.match(reply.body.Response.Error?.Message ?? "", /application\/x-www-form-urlencoded/);
      const unsigned = await sendRaw(server.url, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
      assert.equal(unsigned.body.Response.Error?.Code, "AuthFailure.InvalidAuthorization", "a JSON body without a signature is still unsigned");
    });
  });
});
