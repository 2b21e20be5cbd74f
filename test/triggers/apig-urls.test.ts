/**
 * FunctionGraph APIG trigger URLs over plain HTTP, on a server with a separate trigger listener
 * (`--http-trigger-port`): `/apig/{projectId}{path}` finds the trigger by its path (exact or
 * prefix, the longest wins), runs its qualifier with the APIG event, and answers in API Gateway's
 * shapes; the trigger listener serves nothing but triggers.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE, BOB, type TestAccount } from "../helpers/accounts.js";
import { signHeaders, sdkDate } from "../helpers/fgs-http.js";
import { createAlias, createFunction, fg, fgClient, publishVersion, updateCode, urnOf } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createApigTrigger, eventDataOf, updateTrigger } from "../helpers/fgs-triggers.js";
import { createHttpTrigger, triggerHandlerCode } from "../helpers/triggers.js";
import { buildZip } from "../helpers/zip.js";

type Body = { mark: string; event: Record<string, unknown> & { requestContext: Record<string, unknown>; headers: Record<string, string> } };
type ApigError = { error_code: string; error_msg: string; request_id: string };

describe("APIG trigger URLs on the trigger listener", () => {
  let server: TestQuiver;
  let client: fg.FunctionGraphClient;
  const apig = (path: string, account: TestAccount = ALICE): string => server.quiver.triggerUrls.apig(account.huawei.projectId, path);
  const trigger = (name: string, path: string, over: Parameters<typeof createHttpTrigger>[1]["settings"] = {}, qualifier = "$LATEST", enabled = true) =>
    createHttpTrigger(server, { account: ALICE, functionName: "api", name, qualifier, enabled, settings: { flavour: "apig", path, ...over } });

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, httpTriggerPort: 0 });
    client = fgClient(server.url);
    await createFunction(client, await buildZip(triggerHandlerCode("v1")), "api", { timeout: 3 });
    await publishVersion(client, urnOf("api"), { version: "v1" });
    await updateCode(client, urnOf("api"), await buildZip(triggerHandlerCode("v2")));
    await publishVersion(client, urnOf("api"), { version: "v2" });
    await updateCode(client, urnOf("api"), await buildZip(triggerHandlerCode("head")));
    await trigger("orders", "/orders");
    await trigger("order-list", "/orders/list", { matchMode: "exact" }, "v1");
  });
  after(async () => {
    await server.stop();
  });

  it("trigger URLs name the trigger listener, not the API's", () => {
    assert.notEqual(new URL(apig("/x")).port, String(server.port));
  });

  it("a prefix trigger serves its path and below with the APIG event (body base64), and names the request id and version", async () => {
    const response = await fetch(apig("/orders/7?a=1&a=2"), { method: "POST", headers: { "content-type": "application/json" }, body: '{"n":1}' });
    assert.equal(response.status, 200);
    const requestId = response.headers.get("x-request-id");
    assert.ok(requestId);
    assert.equal(response.headers.get("x-cff-request-id"), requestId);
    assert.equal(response.headers.get("x-cff-function-version"), "latest");
    const { mark, event } = (await response.json()) as Body;
    assert.equal(mark, "head");
    assert.equal(event["path"], "/orders/7");
    assert.equal(event["httpMethod"], "POST");
    assert.equal(event["isBase64Encoded"], true);
    assert.equal(Buffer.from(String(event["body"]), "base64").toString(), '{"n":1}');
    assert.deepEqual(event["queryStringParameters"], { a: ["1", "2"] });
    assert.equal(event.requestContext["requestId"], requestId);
    assert.equal(event.requestContext["stage"], "RELEASE");
    assert.equal(event.headers["content-type"], "application/json");
  });

  it("the longest path wins: an exact trigger below a prefix one serves only its own path", async () => {
    const exact = await fetch(apig("/orders/list"));
    assert.equal(exact.headers.get("x-cff-function-version"), "v1");
    assert.equal(((await exact.json()) as Body).mark, "v1");
    assert.equal((await fetch(apig("/orders/list/more"))).headers.get("x-cff-function-version"), "latest");
  });

  it("a path no trigger serves is 404 APIG.0101; so is another project's", async () => {
    for (const missing of [apig("/nothing"), apig("/ordersx"), apig("/orders", BOB), `${server.quiver.triggerUrls.base()}/apig/unknown-project/orders`]) {
      const response = await fetch(missing);
      assert.equal(response.status, 404, missing);
      const body = (await response.json()) as ApigError;
      assert.equal(body.error_code, "APIG.0101");
      assert.equal(body.request_id, response.headers.get("x-request-id"));
    }
  });

  it("a disabled trigger is an unpublished API: 404 APIG.0101", async () => {
    await trigger("off", "/off", {}, "$LATEST", false);
    const response = await fetch(apig("/off"));
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as ApigError).error_code, "APIG.0101");
  });

  it("a method the trigger does not serve is 404 APIG.0101", async () => {
    await trigger("posts", "/posts", { methods: ["POST"] });
    assert.equal((await fetch(apig("/posts"), { method: "POST" })).status, 200);
    const get = await fetch(apig("/posts"));
    assert.equal(get.status, 404);
    assert.equal(((await get.json()) as ApigError).error_code, "APIG.0101");
  });

  it("a trigger bound to an alias follows its header rules", async () => {
    await createAlias(client, urnOf("api"), { name: "beta", version: "v1", strategy: { v2: { rules: [{ rule_type: "header", param: "x-beta", op: "=", value: "yes" }] } } });
    await trigger("beta", "/beta", {}, "beta");
    assert.equal((await fetch(apig("/beta"), { headers: { "x-beta": "yes" } })).headers.get("x-cff-function-version"), "v2");
    assert.equal((await fetch(apig("/beta"))).headers.get("x-cff-function-version"), "v1");
  });

  it("binary bodies round-trip; custom status and headers pass through", async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => 255 - (i % 256)));
    const echoed = await fetch(apig("/orders/bytes?mode=echo-bytes"), { method: "POST", body: bytes });
    assert.deepEqual(Buffer.from(await echoed.arrayBuffer()), bytes);
    const custom = await fetch(apig("/orders?mode=custom"));
    assert.equal(custom.status, 418);
    assert.deepEqual(custom.headers.getSetCookie(), ["a=1", "b=2"]);
  });

  it("the request id and version headers are the platform's, whatever the function answers under those names", async () => {
    const response = await fetch(apig("/orders?mode=spoof"));
    assert.equal(response.headers.get("x-cff-function-version"), "latest");
    const requestId = response.headers.get("x-request-id") ?? "";
    assert.match(requestId, /^[0-9a-f-]{36}$/);
    assert.equal(response.headers.get("x-cff-request-id"), requestId);
    assert.equal(response.headers.get("x-kept"), "yes");
  });

  it("a function error is 500 with FunctionGraph's error document; a timeout 504", async () => {
    const failed = await fetch(apig("/orders?mode=error"));
    assert.equal(failed.status, 500);
    const doc = (await failed.json()) as { errorMessage: string; errorType: string };
    assert.equal(doc.errorMessage, "boom from head");
    assert.equal(doc.errorType, "Error");
    assert.equal(failed.headers.get("x-cff-function-version"), "latest");
    const slow = await fetch(apig("/orders?mode=sleep"));
    assert.equal(slow.status, 504);
    assert.ok(slow.headers.get("x-request-id"));
  });

  it("a memory kill is a 500 with FunctionGraph's error document and the request id", async () => {
    const response = await fetch(apig("/orders?mode=hog"));
    assert.equal(response.status, 500);
    assert.ok(response.headers.get("x-request-id"));
    assert.match(((await response.json()) as { errorMessage: string }).errorMessage, /memory/i);
  });

  it("the trigger's own timeout answers 504 APIG.0201 before the function's", async () => {
    await createFunction(client, await buildZip(triggerHandlerCode("slow")), "slow", { timeout: 30 });
    await createHttpTrigger(server, { account: ALICE, functionName: "slow", name: "slow", settings: { flavour: "apig", path: "/slow", timeoutMs: 300 } });
    const started = Date.now();
    const response = await fetch(apig("/slow?mode=sleep"));
    assert.equal(response.status, 504);
    assert.equal(((await response.json()) as ApigError).error_code, "APIG.0201");
    assert.ok(Date.now() - started < 4_000);
  });

  it("an IAM-signed trigger takes a request signed with the owner's AK/SK and refuses others", async () => {
    await trigger("iam", "/iam", { auth: "signed" });
    const target = new URL(apig("/iam/x?q=1"));
    const body = Buffer.from("{}");
    const sign = (account: TestAccount): Record<string, string> =>
      signHeaders({ method: "POST", host: target.host, path: target.pathname, query: { q: "1" }, headers: { "content-type": "application/json" }, body, ak: account.huawei.accessKey, sk: account.huawei.secretKey, date: sdkDate() });
    const signed = await fetch(target, { method: "POST", headers: sign(ALICE), body });
    assert.equal(signed.status, 200, await signed.clone().text());
    const unsigned = await fetch(target, { method: "POST", body });
    assert.equal(unsigned.status, 401);
    assert.equal(((await unsigned.json()) as ApigError).error_code, "APIG.0301");
    const badSignature = { ...sign(ALICE), authorization: sign(ALICE)["authorization"]?.replace(/Signature=[0-9a-f]{4}/, "Signature=0000") ?? "" };
    assert.equal((await fetch(target, { method: "POST", headers: badSignature, body })).status, 401);
    const foreign = await fetch(target, { method: "POST", headers: sign(BOB), body });
    assert.equal(foreign.status, 403);
    assert.equal(((await foreign.json()) as ApigError).error_code, "APIG.0302");
  });

  it("CORS preflight is answered by the door", async () => {
    await trigger("cors", "/cors", { cors: { origins: ["*"], methods: ["GET"], headers: [], exposeHeaders: [], maxAgeSec: 0, credentials: false } });
    const preflight = await fetch(apig("/cors"), { method: "OPTIONS", headers: { origin: "https://a.example", "access-control-request-method": "GET", "access-control-request-headers": "x-a" } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
    assert.equal(preflight.headers.get("access-control-allow-headers"), "x-a");
  });

  it("a trigger created through the FunctionGraph SDK serves at its invoke_url, bound to the URN's version", async () => {
    const made = await createApigTrigger(client, urnOf("api", "v2"), { name: "from_sdk", path: "/sdk", timeout: 3000 });
    const invokeUrl = String(eventDataOf(made)["invoke_url"]);
    assert.equal(invokeUrl, apig("/sdk"));
    const response = await fetch(`${invokeUrl}/more?mode=plain`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-cff-function-version"), "v2");
    assert.deepEqual(await response.json(), { hello: "world", mark: "v2" });
  });

  it("a trigger disabled and enabled again through the FunctionGraph SDK serves again; HEAD is served where GET is", async () => {
    const made = await createApigTrigger(client, urnOf("api", "v1"), { name: "flip", path: "/flip", method: "GET" });
    const id = String(made["trigger_id"]);
    const flip = (status: string): Promise<unknown> => updateTrigger(client, urnOf("api"), "APIG", id, new fg.UpdateTriggerRequestBody().withTriggerStatus(status));
    assert.equal((await fetch(apig("/flip"))).status, 200);
    await flip("DISABLED");
    const off = await fetch(apig("/flip"));
    assert.equal(off.status, 404);
    assert.equal(((await off.json()) as ApigError).error_code, "APIG.0101");
    await flip("ACTIVE");
    const again = await fetch(apig("/flip?mode=plain"));
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { hello: "world", mark: "v1" });
    const head = await fetch(apig("/flip?mode=custom"), { method: "HEAD" });
    assert.equal(head.status, 418);
    assert.equal(head.headers.get("x-cff-function-version"), "v1");
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    assert.equal((await fetch(apig("/flip"), { method: "POST" })).status, 404, "a GET trigger serves HEAD, not POST");
  });

  it("an IAM trigger takes the account's X-Auth-Token as the API does", async () => {
    await trigger("iam-token", "/iam-token", { auth: "signed" });
    const target = apig("/iam-token");
    const response = await fetch(target, { headers: { "x-auth-token": ALICE.huawei.authToken } });
    assert.equal(response.status, 200);
    assert.equal((await fetch(target, { headers: { "x-auth-token": "not-a-token-0000000000" } })).status, 401);
  });

  it("the trigger listener serves nothing but triggers; the API listener serves them too", async () => {
    const base = server.quiver.triggerUrls.base();
    const api = await fetch(`${base}/`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(api.status, 404);
    assert.equal(((await api.json()) as { errno: number }).errno, 404);
    const fgsApi = await fetch(`${base}/v2/${ALICE.huawei.projectId}/fgs/functions`);
    assert.equal(fgsApi.status, 404);
    const viaApi = await fetch(`${server.url}/apig/${ALICE.huawei.projectId}/orders`);
    assert.equal(viaApi.status, 200);
  });
});
