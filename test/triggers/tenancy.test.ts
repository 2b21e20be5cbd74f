/**
 * Hostile tenants at the HTTP front door and behind the trigger APIs: BOB's keys (signature or
 * token) do not open ALICE's signed triggers; BOB can neither see nor change ALICE's triggers
 * through either API; editing the segments of a trigger URL never reaches another account's
 * function; and a deleted function's trigger URLs are gone for good.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE, BOB, type TestAccount } from "../helpers/accounts.js";
import { send, signHeaders, sdkDate } from "../helpers/fgs-http.js";
import { createFunction as createFgFunction, fg, fgClient, sdkFailure, urnOf } from "../helpers/fgs-sdk.js";
import { createApigTrigger, deleteTrigger, deleteTriggers, eventDataOf, listTriggers, showTrigger, updateTrigger } from "../helpers/fgs-triggers.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { REGION, createFunction, expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { scfTriggerUrl, tc3TriggerHeaders, triggerHandlerCode } from "../helpers/triggers.js";
import { buildZip } from "../helpers/zip.js";

/** BOB with a token of his own, so a token can be tried on ALICE's trigger too. */
const BOB_WITH_TOKEN = { ...BOB, huawei: { ...BOB.huawei, authToken: "bob-static-token-9876543210" } } as const satisfies TestAccount;

const OPEN = JSON.stringify({ AuthType: "NONE", NetConfig: { EnableIntranet: false, EnableExtranet: true } });
const SIGNED = JSON.stringify({ AuthType: "CAM", NetConfig: { EnableIntranet: false, EnableExtranet: true } });

type Marked = { mark: string };
type ScfRefusal = { errno: number };
type ApigRefusal = { error_code: string };

const bobUrn = (name: string): string => `urn:fss:${BOB.huawei.region}:${BOB.huawei.projectId}:function:default:${name}`;

describe("triggers between accounts", () => {
  let server: TestQuiver;
  let alice: ScfClient;
  let bob: ScfClient;
  let aliceFg: fg.FunctionGraphClient;
  let bobFg: fg.FunctionGraphClient;
  /** ALICE's APIG trigger on "fshared" (path /alice-open). */
  let aliceApigId: string;
  const scfUrl = (account: TestAccount, fn: string, trigger: string, namespace = "default"): string => scfTriggerUrl(server, account, fn, trigger, namespace);
  const apigUrl = (account: TestAccount, path: string): string => server.quiver.triggerUrls.apig(account.huawei.projectId, path);

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, accounts: [ALICE, BOB_WITH_TOKEN] });
    alice = scfClient(server, ALICE);
    bob = scfClient(server, BOB);
    aliceFg = fgClient(server.url, ALICE.huawei);
    bobFg = fgClient(server.url, BOB.huawei);

    // Both have an SCF function "shared", each with a function URL of its own name, and ALICE a signed one.
    await createFunction(alice, { name: "shared", files: triggerHandlerCode("alice") });
    await alice.CreateTrigger({ FunctionName: "shared", TriggerName: "alice-url", Type: "http", Qualifier: "$LATEST", TriggerDesc: OPEN });
    await alice.CreateTrigger({ FunctionName: "shared", TriggerName: "alice-signed", Type: "apigw", Qualifier: "$LATEST", TriggerDesc: JSON.stringify({ api: { authRequired: "TRUE" } }) });
    await createFunction(bob, { name: "shared", files: triggerHandlerCode("bob") });
    await bob.CreateTrigger({ FunctionName: "shared", TriggerName: "bob-url", Type: "http", Qualifier: "$LATEST", TriggerDesc: OPEN });
    // ALICE alone has "secret" (in SCF's region) and a namespace "team".
    await createFunction(alice, { name: "secret", files: triggerHandlerCode("alice-secret") });
    await alice.CreateTrigger({ FunctionName: "secret", TriggerName: "url", Type: "http", Qualifier: "$LATEST", TriggerDesc: SIGNED });
    await alice.CreateNamespace({ Namespace: "team" });
    await alice.CreateFunction({ FunctionName: "teamfn", Namespace: "team", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: (await buildZip(triggerHandlerCode("alice-team"))).toString("base64") } });
    await alice.CreateTrigger({ FunctionName: "teamfn", Namespace: "team", TriggerName: "url", Type: "http", Qualifier: "$LATEST", TriggerDesc: OPEN });

    // FunctionGraph: both have "fshared"; ALICE's APIG triggers are /alice-open and /alice-iam, BOB's /bob.
    const zip = await buildZip(triggerHandlerCode("alice-fg"));
    await createFgFunction(aliceFg, zip, "fshared");
    aliceApigId = String((await createApigTrigger(aliceFg, urnOf("fshared"), { name: "alice_open", path: "/alice-open" }))["trigger_id"]);
    await createApigTrigger(aliceFg, urnOf("fshared"), { name: "alice_iam", path: "/alice-iam", auth: "IAM" });
    await createFgFunction(bobFg, await buildZip(triggerHandlerCode("bob-fg")), "fshared");
    await createApigTrigger(bobFg, bobUrn("fshared"), { name: "bob_open", path: "/bob" });
  });
  after(async () => server.stop());

  it("BOB's signature on ALICE's signed SCF triggers is 403; ALICE's own runs", async () => {
    for (const [fn, trigger] of [["shared", "alice-signed"], ["secret", "url"]] as const) {
      const target = `${scfUrl(ALICE, fn, trigger)}/x?y=1`;
      const body = Buffer.from("{}");
      const bobs = await fetch(target, { method: "POST", headers: tc3TriggerHeaders(BOB, target, "POST", body), body });
      assert.equal(bobs.status, 403, `${fn}/${trigger}`);
      assert.equal(((await bobs.json()) as ScfRefusal).errno, 403);
      const alices = await fetch(target, { method: "POST", headers: tc3TriggerHeaders(ALICE, target, "POST", body), body });
      assert.equal(alices.status, 200, `${fn}/${trigger}`);
    }
  });

  it("BOB's signature or token on ALICE's IAM APIG trigger is 403 APIG.0302; ALICE's token runs; an unknown token is 401", async () => {
    const target = new URL(apigUrl(ALICE, "/alice-iam/x"));
    const body = Buffer.from("{}");
    const signed = signHeaders({ method: "POST", host: target.host, path: target.pathname, headers: { "content-type": "application/json" }, body, ak: BOB.huawei.accessKey, sk: BOB.huawei.secretKey, date: sdkDate() });
    for (const headers of [signed, { "x-auth-token": BOB_WITH_TOKEN.huawei.authToken }]) {
      const response = await fetch(target, { method: "POST", headers, body });
      assert.equal(response.status, 403);
      assert.equal(((await response.json()) as ApigRefusal).error_code, "APIG.0302");
    }
    assert.equal((await fetch(target, { method: "POST", headers: { "x-auth-token": ALICE.huawei.authToken }, body })).status, 200);
    const unknown = await fetch(target, { method: "POST", headers: { "x-auth-token": "no-such-token-0000000000" }, body });
    assert.equal(unknown.status, 401);
    assert.equal(((await unknown.json()) as ApigRefusal).error_code, "APIG.0301");
  });

  it("through SCF, BOB finds neither ALICE's function nor, on his own function of the same name, her triggers", async () => {
    const named = { FunctionName: "secret", TriggerName: "url", Type: "http" };
    await expectScfError(bob.ListTriggers({ FunctionName: "secret" }), "ResourceNotFound.Function");
    await expectScfError(bob.UpdateTrigger({ ...named, Enable: "CLOSE" }), "ResourceNotFound.Function");
    await expectScfError(bob.UpdateTriggerStatus({ ...named, Enable: "CLOSE" }), "ResourceNotFound.Function");
    await expectScfError(bob.DeleteTrigger(named), "ResourceNotFound.Function");
    await expectScfError(bob.CreateTrigger({ ...named, TriggerName: "bobs-door", TriggerDesc: OPEN }), "ResourceNotFound.Function");

    const listed = await bob.ListTriggers({ FunctionName: "shared" });
    assert.deepEqual(listed.Triggers?.map((t) => t.TriggerName), ["bob-url"]);
    assert.deepEqual((await bob.GetFunction({ FunctionName: "shared" })).Triggers?.map((t) => t.TriggerName), ["bob-url"]);
    const alices = { FunctionName: "shared", TriggerName: "alice-url", Type: "http" };
    await expectScfError(bob.UpdateTrigger({ ...alices, Enable: "CLOSE" }), "ResourceNotFound.Trigger");
    await expectScfError(bob.UpdateTriggerStatus({ ...alices, Enable: "CLOSE" }), "ResourceNotFound.Trigger");
    await expectScfError(bob.DeleteTrigger(alices), "ResourceNotFound.Trigger");

    const mine = await alice.ListTriggers({ FunctionName: "shared", Order: "ASC", OrderBy: "add_time" });
    assert.deepEqual(mine.Triggers?.map((t) => [t.TriggerName, t.Enable]), [["alice-url", 1], ["alice-signed", 1]], "ALICE's triggers are as she left them");
  });

  it("through FunctionGraph, BOB's keys are refused on ALICE's URN and project, and his own URN finds none of her triggers", async () => {
    // ALICE's URN names her project: the SDK sends it under BOB's project, which is refused.
    for (const attempt of [
      listTriggers(bobFg, urnOf("fshared")),
      showTrigger(bobFg, urnOf("fshared"), "APIG", aliceApigId),
      updateTrigger(bobFg, urnOf("fshared"), "APIG", aliceApigId, new fg.UpdateTriggerRequestBody().withTriggerStatus("DISABLED")),
      deleteTrigger(bobFg, urnOf("fshared"), "APIG", aliceApigId),
      deleteTriggers(bobFg, urnOf("fshared")),
    ]) {
      const failure = await sdkFailure(attempt);
      assert.equal(failure.httpStatusCode, 403, failure.errorMsg);
      assert.equal(failure.errorCode, "FSS.0403");
    }
    // BOB's keys on a path naming ALICE's project.
    const path = `/v2/${ALICE.huawei.projectId}/fgs/triggers/${urnOf("fshared")}`;
    const headers = signHeaders({ method: "GET", host: `127.0.0.1:${server.port}`, path, headers: { "content-type": "application/json" }, body: Buffer.alloc(0), ak: BOB.huawei.accessKey, sk: BOB.huawei.secretKey, date: sdkDate() });
    assert.equal((await send(server.port, "GET", path, headers)).status, 403);

    // His own function of the same name: her trigger id is no trigger of his.
    assert.deepEqual((await listTriggers(bobFg, bobUrn("fshared"))).map((t) => eventDataOf(t)["name"]), ["bob_open"]);
    for (const attempt of [
      showTrigger(bobFg, bobUrn("fshared"), "APIG", aliceApigId),
      updateTrigger(bobFg, bobUrn("fshared"), "APIG", aliceApigId, new fg.UpdateTriggerRequestBody().withTriggerStatus("DISABLED")),
      deleteTrigger(bobFg, bobUrn("fshared"), "APIG", aliceApigId),
    ]) {
      const failure = await sdkFailure(attempt);
      assert.equal(failure.httpStatusCode, 404, failure.errorMsg);
      assert.equal(failure.errorCode, "FSS.1131");
    }
    await deleteTriggers(bobFg, bobUrn("fshared"));
    const hers = await showTrigger(aliceFg, urnOf("fshared"), "APIG", aliceApigId);
    assert.equal(hers["trigger_status"], "ACTIVE", "ALICE's trigger is untouched");
    assert.equal((await listTriggers(aliceFg, urnOf("fshared"))).length, 2);
    await createApigTrigger(bobFg, bobUrn("fshared"), { name: "bob_open", path: "/bob" });
  });

  it("editing the appId, region, namespace, function or trigger segment of an SCF URL never reaches another account's function", async () => {
    assert.equal(((await (await fetch(scfUrl(ALICE, "shared", "alice-url"))).json()) as Marked).mark, "alice");
    assert.equal(((await (await fetch(scfUrl(BOB, "shared", "bob-url"))).json()) as Marked).mark, "bob");
    const edited = [
      scfUrl(BOB, "shared", "alice-url"), // BOB's appId, ALICE's trigger name on the function both have
      scfUrl(ALICE, "shared", "bob-url"), // and the other way round
      scfUrl(BOB, "secret", "url"), // BOB's appId, a function only ALICE has
      scfUrl(BOB, "teamfn", "url", "team"), // BOB's appId, ALICE's namespace
      scfUrl(ALICE, "teamfn", "url"), // ALICE's function, the wrong namespace
      server.quiver.triggerUrls.scf(ALICE.appId, "ap-shanghai", "default", "shared", "alice-url"), // another region
    ];
    for (const url of edited) {
      const response = await fetch(url);
      assert.equal(response.status, 404, url);
      assert.equal(((await response.json()) as ScfRefusal).errno, 404);
    }
    // Dot segments and encoded slashes are sent as they are (fetch would resolve the dots itself).
    const bobBase = `/scf/${BOB.appId}/${REGION}/default`;
    for (const path of [
      `${bobBase}/../../../${ALICE.appId}/${REGION}/default/shared/alice-url`,
      `${bobBase}/shared/..%2F..%2F..%2F..%2F${ALICE.appId}%2F${REGION}%2Fdefault%2Fshared%2Falice-url`,
      `/scf/${BOB.appId}%2F..%2F${ALICE.appId}/${REGION}/default/shared/alice-url`,
      `/scf/${BOB.appId}/${REGION}/default%2F..%2Fteam/teamfn/url`,
    ]) {
      const response = await send(server.port, "GET", path, {});
      assert.equal(response.status, 404, `${path}: ${response.text}`);
    }
  });

  it("an APIG URL under BOB's project never reaches ALICE's paths, whatever the path says", async () => {
    assert.equal(((await (await fetch(apigUrl(ALICE, "/alice-open"))).json()) as Marked).mark, "alice-fg");
    assert.equal(((await (await fetch(apigUrl(BOB, "/bob"))).json()) as Marked).mark, "bob-fg");
    for (const path of [
      `/apig/${BOB.huawei.projectId}/alice-open`,
      `/apig/${ALICE.huawei.projectId}/bob`,
      `/apig/${BOB.huawei.projectId}/../${ALICE.huawei.projectId}/alice-open`,
      `/apig/${BOB.huawei.projectId}%2F..%2F${ALICE.huawei.projectId}/alice-open`,
    ]) {
      const response = await send(server.port, "GET", path, {});
      assert.equal(response.status, 404, `${path}: ${response.text}`);
      assert.equal(response.json()["error_code"], "APIG.0101");
    }
    // Below BOB's own prefix path, whatever follows it is his function's to read.
    const below = await send(server.port, "GET", `/apig/${BOB.huawei.projectId}/bob/..%2F..%2F${ALICE.huawei.projectId}/alice-open`, {});
    assert.equal((below.json() as Marked).mark, "bob-fg");
  });

  it("a deleted function's trigger URLs answer 404, and stay so when a function of that name is made again", async () => {
    await createFunction(alice, { name: "doomed", files: triggerHandlerCode("first") });
    await alice.CreateTrigger({ FunctionName: "doomed", TriggerName: "url", Type: "http", Qualifier: "$LATEST", TriggerDesc: OPEN });
    await createFgFunction(aliceFg, await buildZip(triggerHandlerCode("first-fg")), "fdoomed");
    await createApigTrigger(aliceFg, urnOf("fdoomed"), { name: "doomed_api", path: "/doomed" });
    assert.equal((await fetch(scfUrl(ALICE, "doomed", "url"))).status, 200);
    assert.equal((await fetch(apigUrl(ALICE, "/doomed"))).status, 200);

    await alice.DeleteFunction({ FunctionName: "doomed" });
    await aliceFg.deleteFunction(new fg.DeleteFunctionRequest().withFunctionUrn(urnOf("fdoomed")));
    const scfGone = await fetch(scfUrl(ALICE, "doomed", "url"));
    assert.equal(scfGone.status, 404);
    assert.equal(((await scfGone.json()) as ScfRefusal).errno, 404);
    const apigGone = await fetch(apigUrl(ALICE, "/doomed"));
    assert.equal(apigGone.status, 404);
    assert.equal(((await apigGone.json()) as ApigRefusal).error_code, "APIG.0101");

    await createFunction(alice, { name: "doomed", files: triggerHandlerCode("second") });
    await createFgFunction(aliceFg, await buildZip(triggerHandlerCode("second-fg")), "fdoomed");
    assert.equal((await fetch(scfUrl(ALICE, "doomed", "url"))).status, 404, "a trigger does not come back with the name");
    assert.equal((await fetch(apigUrl(ALICE, "/doomed"))).status, 404);
  });
});
