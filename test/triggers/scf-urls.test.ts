/**
 * SCF trigger URLs over plain HTTP: `/scf/{appId}/{region}/{namespace}/{function}/{trigger}`
 * runs the qualifier the trigger is bound to ($LATEST, a version, an alias with its routing) with
 * the API-gateway event, and sends the function's integration response.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createFunction, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { createHttpTrigger, scfTriggerUrl, tc3TriggerHeaders, triggerHandlerCode } from "../helpers/triggers.js";
import { zipBase64 } from "../helpers/zip.js";

/** A Python handler that echoes the API-gateway event as an integration response. */
const PY_HANDLER = `
import json

def main_handler(event, context):
    query = event.get("queryStringParameters") or {}
    if "fail" in query:
        raise ValueError("python says no")
    if "plain" in query:
        return {"python": True}
    seen = {
        "method": event["httpMethod"],
        "path": event["path"],
        "query": query,
        "body": event["body"],
        "base64": event["isBase64Encoded"],
        "hello": event["headers"].get("x-hello"),
        "requestId": event["requestContext"]["requestId"],
    }
    return {"statusCode": 201, "headers": {"Content-Type": "application/json", "X-Python": "yes"}, "body": json.dumps(seen, ensure_ascii=False)}
`;

type Body = { mark: string; event: Record<string, unknown> & { requestContext: Record<string, unknown>; headers: Record<string, string> } };

describe("SCF trigger URLs", () => {
  let server: TestQuiver;
  let scf: ScfClient;
  const url = (trigger: string, rest = "", fn = "web"): string => `${scfTriggerUrl(server, ALICE, fn, trigger)}${rest}`;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    scf = scfClient(server);
    await createFunction(scf, { name: "web", files: triggerHandlerCode("v1"), timeout: 1 });
    await scf.PublishVersion({ FunctionName: "web" });
    await scf.UpdateFunctionCode({ FunctionName: "web", Handler: "index.main_handler", ZipFile: await zipBase64(triggerHandlerCode("v2")) });
    await scf.PublishVersion({ FunctionName: "web" });
    await scf.UpdateFunctionCode({ FunctionName: "web", Handler: "index.main_handler", ZipFile: await zipBase64(triggerHandlerCode("head")) });
    await createHttpTrigger(server, { account: ALICE, functionName: "web", name: "latest" });
    await createHttpTrigger(server, { account: ALICE, functionName: "web", name: "one", qualifier: "1" });
  });
  after(async () => {
    await server.stop();
  });

  it("GET with a query string runs $LATEST with the API-gateway event; the answer names the request id and version", async () => {
    const response = await fetch(url("latest", "/orders/7?a=1&b=x%20y&b=z"), { headers: { "x-hello": "there" } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json");
    const requestId = response.headers.get("x-scf-request-id");
    assert.match(requestId ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(response.headers.get("x-scf-version"), "$LATEST");
    const { mark, event } = (await response.json()) as Body;
    assert.equal(mark, "head");
    assert.equal(event["httpMethod"], "GET");
    assert.equal(event["path"], "/orders/7");
    assert.deepEqual(event["queryString"], { a: "1", b: ["x y", "z"] });
    assert.deepEqual(event["queryStringParameters"], { a: "1", b: ["x y", "z"] });
    assert.equal(event.headers["x-hello"], "there");
    assert.equal(event["body"], "");
    assert.equal(event["isBase64Encoded"], false);
    assert.equal(event.requestContext["requestId"], requestId, "the event carries the request id the answer names");
    assert.equal(event.requestContext["httpMethod"], "GET");
    assert.equal(event.requestContext["sourceIp"], "127.0.0.1");
  });

  it("the trigger URL itself is path /; a trailing slash too", async () => {
    for (const rest of ["", "/"]) {
      const { event } = (await (await fetch(url("latest", rest))).json()) as Body;
      assert.equal(event["path"], "/");
    }
  });

  it("POST carries a JSON body as text", async () => {
    const response = await fetch(url("latest"), { method: "POST", headers: { "content-type": "application/json" }, body: '{"order":7}' });
    const { event } = (await response.json()) as Body;
    assert.equal(event["httpMethod"], "POST");
    assert.equal(event["body"], '{"order":7}');
    assert.equal(event["isBase64Encoded"], false);
  });

  it("a binary body goes in as base64 and comes back byte for byte", async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256));
    const response = await fetch(url("latest", "?mode=echo-bytes"), { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: bytes });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/octet-stream");
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytes);
  });

  it("custom status codes and headers pass through, a header given as an array as several lines", async () => {
    const response = await fetch(url("latest", "?mode=custom"));
    assert.equal(response.status, 418);
    assert.equal(response.headers.get("x-custom"), "yes");
    assert.deepEqual(response.headers.getSetCookie(), ["a=1", "b=2"]);
    assert.equal(await response.text(), "teapot");
  });

  it("the request id and version headers are the platform's, whatever the function answers under those names", async () => {
    const response = await fetch(url("one", "?mode=spoof"));
    assert.equal(response.headers.get("x-scf-version"), "1");
    assert.match(response.headers.get("x-scf-request-id") ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(response.headers.get("x-kept"), "yes");
  });

  it("a plain return value is served as JSON with 200", async () => {
    const response = await fetch(url("latest", "?mode=plain"));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.deepEqual(await response.json(), { hello: "world", mark: "head" });
  });

  it("a trigger bound to a version runs that version", async () => {
    const response = await fetch(url("one"));
    assert.equal(response.headers.get("x-scf-version"), "1");
    assert.equal(((await response.json()) as Body).mark, "v1");
  });

  it("a trigger bound to an alias follows its weighted split, and its URL stays when the alias is re-pointed", async () => {
    await scf.CreateAlias({ FunctionName: "web", Name: "canary", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: [{ Version: "2", Weight: 0.5 }] } });
    await createHttpTrigger(server, { account: ALICE, functionName: "web", name: "canary", qualifier: "canary" });
    const versions: string[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await fetch(url("canary"));
      const version = response.headers.get("x-scf-version") ?? "";
      assert.equal(((await response.json()) as Body).mark, `v${version}`, "the version header names the version that ran");
      versions.push(version);
    }
    assert.equal(versions.filter((v) => v === "2").length, 10, `versions: ${versions.join(",")}`);
    assert.equal(versions.filter((v) => v === "1").length, 10);
    await scf.UpdateAlias({ FunctionName: "web", Name: "canary", FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: [] } });
    assert.equal((await fetch(url("canary"))).headers.get("x-scf-version"), "2");
  });

  it("an alias's header rules see the request headers", async () => {
    await scf.CreateAlias({
      FunctionName: "web",
      Name: "byuser",
      FunctionVersion: "1",
      RoutingConfig: { AddtionVersionMatchs: [{ Version: "2", Key: "invoke.headers.User", Method: "exact", Expression: "vip" }] },
    });
    await createHttpTrigger(server, { account: ALICE, functionName: "web", name: "byuser", qualifier: "byuser" });
    assert.equal((await fetch(url("byuser"), { headers: { user: "vip" } })).headers.get("x-scf-version"), "2");
    assert.equal((await fetch(url("byuser"), { headers: { user: "regular" } })).headers.get("x-scf-version"), "1");
    assert.equal((await fetch(url("byuser"))).headers.get("x-scf-version"), "1");
  });

  it("a function error is a 502 with SCF's function status code, the request id and the version", async () => {
    const response = await fetch(url("latest", "?mode=error"));
    assert.equal(response.status, 502);
    const body = (await response.json()) as { errno: number; error: string; requestId: string };
    assert.equal(body.errno, 430);
    assert.match(body.error, /boom from head/);
    assert.equal(body.requestId, response.headers.get("x-scf-request-id"));
    assert.equal(response.headers.get("x-scf-version"), "$LATEST");
  });

  it("a timeout is a 504 (errno 433), answered when the function's timeout passes", async () => {
    const started = Date.now();
    const response = await fetch(url("latest", "?mode=sleep"));
    assert.equal(response.status, 504);
    assert.equal(((await response.json()) as { errno: number }).errno, 433);
    assert.ok(Date.now() - started < 4_000, "answered at the 1 s function timeout, not when the handler would end");
  });

  it("a memory kill is a 502 (errno 434) with the request id, never a hung connection", async () => {
    const response = await fetch(url("latest", "?mode=hog"));
    assert.equal(response.status, 502);
    const body = (await response.json()) as { errno: number; requestId: string };
    assert.equal(body.errno, 434);
    assert.equal(body.requestId, response.headers.get("x-scf-request-id"));
  });

  it("a disabled trigger is 403; an unknown trigger, function or account 404", async () => {
    await createHttpTrigger(server, { account: ALICE, functionName: "web", name: "off", enabled: false, settings: { flavour: "api-gateway" } });
    const off = await fetch(url("off"));
    assert.equal(off.status, 403);
    assert.match(((await off.json()) as { error: string }).error, /disabled/);
    for (const missing of [url("nope"), url("latest", "", "nofn"), scfTriggerUrl(server, { ...ALICE, appId: "999" }, "web", "latest"), `${server.url}/scf/${ALICE.appId}`]) {
      const response = await fetch(missing);
      assert.equal(response.status, 404, missing);
      const body = (await response.json()) as { errno: number; requestId: string };
      assert.equal(body.errno, 404);
      assert.equal(body.requestId, response.headers.get("x-scf-request-id"));
    }
  });

  it("another account's trigger is not reachable under one's own appId", async () => {
    const bob = scfClient(server, BOB);
    await createFunction(bob, { name: "bobs", files: triggerHandlerCode("bob") });
    await createHttpTrigger(server, { account: BOB, functionName: "bobs", name: "url" });
    assert.equal((await fetch(scfTriggerUrl(server, BOB, "bobs", "url"))).status, 200);
    assert.equal((await fetch(scfTriggerUrl(server, ALICE, "bobs", "url"))).status, 404);
  });

  it("a trigger that serves only some methods refuses the others with 405", async () => {
    await createHttpTrigger(server, { account: ALICE, functionName: "web", name: "getonly", settings: { flavour: "api-gateway", methods: ["GET"] } });
    assert.equal((await fetch(url("getonly"))).status, 200);
    assert.equal((await fetch(url("getonly"), { method: "HEAD" })).status, 200);
    assert.equal((await fetch(url("getonly"), { method: "DELETE" })).status, 405);
  });

  it("CORS: the door answers a preflight itself and adds the allow headers to real answers", async () => {
    await createHttpTrigger(server, {
      account: ALICE,
      functionName: "web",
      name: "cors",
      settings: { flavour: "api-gateway", cors: { origins: ["https://app.example"], methods: ["GET", "POST"], headers: ["content-type", "x-token"], exposeHeaders: ["x-scf-version"], maxAgeSec: 300, credentials: false } },
    });
    const preflight = await fetch(url("cors"), { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "x-token" } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(preflight.headers.get("access-control-allow-methods"), "GET,POST");
    assert.equal(preflight.headers.get("access-control-allow-headers"), "content-type,x-token");
    assert.equal(preflight.headers.get("access-control-max-age"), "300");
    assert.equal(await preflight.text(), "");
    const real = await fetch(url("cors"), { headers: { origin: "https://app.example" } });
    assert.equal(real.status, 200);
    assert.equal(real.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(real.headers.get("access-control-expose-headers"), "x-scf-version");
    const stranger = await fetch(url("cors"), { headers: { origin: "https://evil.example" } });
    assert.equal(stranger.headers.get("access-control-allow-origin"), null);
    // The trigger's settings decide CORS: a function's own Access-Control-* headers are dropped, not doubled.
    const own = await fetch(url("cors", "?mode=own-cors"), { headers: { origin: "https://evil.example" } });
    assert.equal(own.headers.get("access-control-allow-origin"), null);
    assert.equal(own.headers.get("x-kept"), "yes");
    const ownAllowed = await fetch(url("cors", "?mode=own-cors"), { headers: { origin: "https://app.example" } });
    assert.equal(ownAllowed.headers.get("access-control-allow-origin"), "https://app.example");
  });

  it("a signed trigger runs a request signed with the owner's keys and refuses a missing, bad or foreign signature", async () => {
    await createHttpTrigger(server, { account: ALICE, functionName: "web", name: "private", settings: { flavour: "api-gateway", auth: "signed" } });
    const target = url("private", "/a/b?x=1&y=2");
    const body = Buffer.from('{"signed":true}');
    const signed = await fetch(target, { method: "POST", headers: tc3TriggerHeaders(ALICE, target, "POST", body), body });
    assert.equal(signed.status, 200);
    const { event } = (await signed.json()) as Body;
    assert.deepEqual(event.requestContext["identity"], { secretId: ALICE.tencent.secretId });
    assert.equal(event["body"], '{"signed":true}');

    assert.equal((await fetch(target, { method: "POST", body })).status, 401);
    const tampered = await fetch(target, { method: "POST", headers: tc3TriggerHeaders(ALICE, target, "POST", body), body: Buffer.from('{"signed":false}') });
    assert.equal(tampered.status, 401);
    const otherPath = url("private", "/a/c?x=1&y=2");
    assert.equal((await fetch(otherPath, { method: "POST", headers: tc3TriggerHeaders(ALICE, target, "POST", body), body })).status, 401);
    const stale = await fetch(target, { method: "POST", headers: tc3TriggerHeaders(ALICE, target, "POST", body, Math.floor(Date.now() / 1000) - 3600), body });
    assert.equal(stale.status, 401);
    const bobSigned = await fetch(target, { method: "POST", headers: tc3TriggerHeaders(BOB, target, "POST", body), body });
    assert.equal(bobSigned.status, 403);
  });

  it("a body over 6 MB is refused with 413 in the gateway's shape", async () => {
    const response = await fetch(url("latest"), { method: "POST", headers: { "content-type": "application/octet-stream" }, body: Buffer.alloc(6 * 1024 * 1024 + 1) });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { errno: number }).errno, 413);
    assert.ok(response.headers.get("x-scf-request-id"));
  });

  it("a trigger created through CreateTrigger serves at the URL its TriggerDesc shows", async () => {
    const created = await scf.CreateTrigger({
      FunctionName: "web",
      TriggerName: "fromsdk",
      Type: "http",
      Qualifier: "2",
      TriggerDesc: JSON.stringify({ AuthType: "NONE", NetConfig: { EnableIntranet: false, EnableExtranet: true } }),
    });
    const desc = JSON.parse(String(created.TriggerInfo?.TriggerDesc)) as { NetConfig: { ExtranetUrl: string } };
    assert.equal(desc.NetConfig.ExtranetUrl, url("fromsdk"));
    const response = await fetch(`${desc.NetConfig.ExtranetUrl}/x?mode=plain`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { hello: "world", mark: "v2" });
    await scf.UpdateTriggerStatus({ FunctionName: "web", TriggerName: "fromsdk", Type: "http", Qualifier: "2", Enable: "CLOSE" });
    assert.equal((await fetch(desc.NetConfig.ExtranetUrl)).status, 403);
  });

  it("a trigger created without a Qualifier is on $DEFAULT: $LATEST until the alias is pointed at a version", async () => {
    await createFunction(scf, { name: "defaulted", files: triggerHandlerCode("head") });
    await scf.PublishVersion({ FunctionName: "defaulted" });
    const created = await scf.CreateTrigger({ FunctionName: "defaulted", TriggerName: "url", Type: "http", TriggerDesc: JSON.stringify({ AuthType: "NONE", NetConfig: { EnableIntranet: false, EnableExtranet: true } }) });
    assert.equal(created.TriggerInfo?.Qualifier, "$DEFAULT");
    const before = await fetch(url("url", "?mode=plain", "defaulted"));
    assert.equal(before.status, 200);
    assert.equal(before.headers.get("x-scf-version"), "$LATEST");
    await scf.UpdateAlias({ FunctionName: "defaulted", Name: "$DEFAULT", FunctionVersion: "1" });
    assert.equal((await fetch(url("url", "?mode=plain", "defaulted"))).headers.get("x-scf-version"), "1");
  });

  it("HEAD runs the function and answers its status and headers without a body", async () => {
    const response = await fetch(url("latest", "?mode=custom"), { method: "HEAD" });
    assert.equal(response.status, 418);
    assert.equal(response.headers.get("x-custom"), "yes");
    assert.equal(response.headers.get("x-scf-version"), "$LATEST");
    assert.equal((await response.arrayBuffer()).byteLength, 0);
  });

  it("a trigger switched off and on again through UpdateTriggerStatus serves again", async () => {
    await scf.CreateTrigger({ FunctionName: "web", TriggerName: "flip", Type: "apigw", Qualifier: "1" });
    const flip = (Enable: string): Promise<unknown> => scf.UpdateTriggerStatus({ FunctionName: "web", TriggerName: "flip", Type: "apigw", Qualifier: "1", Enable });
    assert.equal((await fetch(url("flip"))).status, 200);
    await flip("CLOSE");
    assert.equal((await fetch(url("flip"))).status, 403);
    await flip("OPEN");
    const again = await fetch(url("flip", "?mode=plain"));
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { hello: "world", mark: "v1" });
  });

  it("a Python event function behind a function URL gets the event and answers an integration response", async () => {
    await createFunction(scf, { name: "pyweb", runtime: "Python3.9", handler: "index.main_handler", files: { "index.py": PY_HANDLER } });
    await scf.CreateTrigger({ FunctionName: "pyweb", TriggerName: "url", Type: "http", Qualifier: "$LATEST", TriggerDesc: JSON.stringify({ AuthType: "NONE", NetConfig: { EnableIntranet: false, EnableExtranet: true } }) });
    const response = await fetch(`${url("url", "/py/path?q=1&q=2", "pyweb")}`, { method: "POST", headers: { "content-type": "text/plain", "x-hello": "py" }, body: "héllo" });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get("x-python"), "yes");
    assert.equal(response.headers.get("x-scf-version"), "$LATEST");
    const seen = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(seen, { method: "POST", path: "/py/path", query: { q: ["1", "2"] }, body: "héllo", base64: false, hello: "py", requestId: response.headers.get("x-scf-request-id") });
    const plain = await fetch(url("url", "?plain=1", "pyweb"));
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get("content-type"), "application/json");
    assert.deepEqual(await plain.json(), { python: true });
    const failed = await fetch(url("url", "?fail=1", "pyweb"));
    assert.equal(failed.status, 502);
    assert.match(((await failed.json()) as { error: string }).error, /python says no/);
  });

  it("the SCF API at / is untouched", async () => {
    const list = await scf.ListFunctions({});
    assert.ok((list.TotalCount ?? 0) >= 1);
  });
});
