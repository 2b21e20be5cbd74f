/**
 * The pure parts of the HTTP front door: each vendor's event, the integration response read
 * back into an HTTP answer, CORS headers, and the gateway answers for refusals and failures.
 */
import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import type { CorsSettings } from "../../src/core/triggers.js";
import { apigFailureAnswer, apigIdHeaders, apigRefusalAnswer, apigTriggerEvent } from "../../src/dialects/fgs/http-trigger.js";
import { scfFailureAnswer, scfIdHeaders, scfRefusalAnswer, scfTriggerEvent } from "../../src/dialects/scf/http-trigger.js";
import { isPreflight, preflightHeaders, responseCorsHeaders } from "../../src/dialects/shared/cors.js";
import { apigAddress, scfAddress } from "../../src/dialects/http-door/urls.js";
import { DoorError, eventBody, integrationAnswer, queryParameters, type TriggerHttpRequest } from "../../src/dialects/shared/trigger-http.js";

const request = (over: Partial<TriggerHttpRequest> = {}): TriggerHttpRequest => ({
  method: "POST",
  headers: { host: "localhost", "content-type": "application/json" },
  path: "/orders/7",
  rawQuery: "a=1&b=2&b=3",
  body: Buffer.from('{"x":1}'),
  sourceIp: "127.0.0.1",
  ...over,
});

const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

describe("SCF trigger event", () => {
  it("is the API-gateway event: requestContext, headers, text body, query in both maps, path below the URL", () => {
    const event = json(scfTriggerEvent(request(), { requestId: "rid", triggerId: "0123456789abcdef", triggerPath: "/", secretId: null }));
    assert.deepEqual(event["requestContext"], { serviceId: "service-01234567", path: "/", httpMethod: "POST", requestId: "rid", identity: {}, sourceIp: "127.0.0.1", stage: "release" });
    assert.equal(event["body"], '{"x":1}');
    assert.equal(event["isBase64Encoded"], false);
    assert.equal(event["path"], "/orders/7");
    assert.equal(event["httpMethod"], "POST");
    assert.deepEqual(event["queryString"], { a: "1", b: ["2", "3"] });
    assert.deepEqual(event["queryStringParameters"], { a: "1", b: ["2", "3"] });
    assert.deepEqual(event["headers"], { host: "localhost", "content-type": "application/json" });
    assert.deepEqual(event["pathParameters"], {});
    assert.deepEqual(event["headerParameters"], {});
    assert.deepEqual(event["stageVariables"], { stage: "release" });
  });

  it("carries a binary body as base64 and names the SecretId of a signed request", () => {
    const bytes = Buffer.from([0, 255, 1, 254]);
    const event = json(scfTriggerEvent(request({ headers: { "content-type": "application/octet-stream" }, body: bytes }), { requestId: "r", triggerId: "t", triggerPath: "/", secretId: "AKIDx" }));
    assert.equal(event["body"], bytes.toString("base64"));
    assert.equal(event["isBase64Encoded"], true);
    assert.deepEqual((event["requestContext"] as Record<string, unknown>)["identity"], { secretId: "AKIDx" });
  });
});

describe("APIG trigger event", () => {
  it("is FunctionGraph's APIG event with the body always base64", () => {
    const event = json(apigTriggerEvent(request(), { requestId: "rid", triggerId: "tid" }));
    assert.deepEqual(event["requestContext"], { apiId: "tid", requestId: "rid", stage: "RELEASE", sourceIp: "127.0.0.1" });
    assert.equal(event["body"], Buffer.from('{"x":1}').toString("base64"));
    assert.equal(event["isBase64Encoded"], true);
    assert.equal(event["path"], "/orders/7");
    assert.deepEqual(event["queryStringParameters"], { a: "1", b: ["2", "3"] });
    assert.deepEqual(event["pathParameters"], {});
  });
});

describe("event bodies", () => {
  it("are text for textual types that are UTF-8, base64 otherwise", () => {
    assert.deepEqual(eventBody(Buffer.from("héllo"), "text/plain; charset=utf-8", false), { body: "héllo", isBase64Encoded: false });
    assert.deepEqual(eventBody(Buffer.from("a=1"), "application/x-www-form-urlencoded", false), { body: "a=1", isBase64Encoded: false });
    assert.deepEqual(eventBody(Buffer.from("{}"), "application/vnd.api+json", false), { body: "{}", isBase64Encoded: false });
    assert.deepEqual(eventBody(Buffer.from("plain"), undefined, false), { body: "plain", isBase64Encoded: false });
    assert.equal(eventBody(Buffer.from("png?"), "image/png", false).isBase64Encoded, true);
    assert.equal(eventBody(Buffer.from([0xff, 0xfe]), "text/plain", false).isBase64Encoded, true);
    assert.deepEqual(eventBody(Buffer.alloc(0), "image/png", false), { body: "", isBase64Encoded: false });
  });

  it("keep a repeated query key's values in order", () => {
    assert.deepEqual({ ...queryParameters("k=1&k=2&k=3&e=&s=a%20b") }, { k: ["1", "2", "3"], e: "", s: "a b" });
    assert.deepEqual({ ...queryParameters("") }, {});
  });
});

describe("integration responses", () => {
  it("map statusCode, headers (arrays and multiValueHeaders as repeated lines) and body", () => {
    const answer = integrationAnswer(JSON.stringify({ statusCode: 201, headers: { "X-One": "1", "Set-Cookie": ["a=1", "b=2"], "X-Num": 5 }, multiValueHeaders: { "X-Multi": ["p", "q"] }, body: "made" }));
    assert.equal(answer.status, 201);
    assert.deepEqual(answer.headers, [["X-One", "1"], ["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"], ["X-Num", "5"], ["X-Multi", "p"], ["X-Multi", "q"], ["content-type", "application/json"]]);
    assert.equal(answer.body.toString(), "made");
  });

  it("decode a base64 body and send a non-string body as JSON", () => {
    assert.deepEqual([...integrationAnswer(JSON.stringify({ statusCode: 200, body: Buffer.from([1, 2, 255]).toString("base64"), isBase64Encoded: true })).body], [1, 2, 255]);
    assert.equal(integrationAnswer(JSON.stringify({ statusCode: 200, body: { a: 1 } })).body.toString(), '{"a":1}');
    assert.equal(integrationAnswer(JSON.stringify({ statusCode: 204 })).body.length, 0);
  });

  it("serve any other value as JSON with 200", () => {
    for (const value of [{ hello: "world" }, [1, 2], "text", 42, null]) {
      const answer = integrationAnswer(JSON.stringify(value));
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.headers, [["content-type", "application/json"]]);
      assert.deepEqual(JSON.parse(answer.body.toString()), value);
    }
    assert.equal(integrationAnswer("").body.toString(), "null");
  });

  it("drop framing headers the server sets itself", () => {
    const answer = integrationAnswer(JSON.stringify({ statusCode: 200, headers: { "Content-Length": "999", "Transfer-Encoding": "chunked", Connection: "close", "X-Kept": "y" }, body: "ok" }));
    assert.deepEqual(answer.headers, [["X-Kept", "y"], ["content-type", "application/json"]]);
    assert.deepEqual(integrationAnswer(JSON.stringify({ statusCode: 200, headers: { "Content-Type": "text/html" } })).headers, [["Content-Type", "text/html"]], "a type of its own is kept");
  });

  it("refuse what cannot go on the wire as an invalid response", () => {
    const invalid = (value: unknown): void =>
      assert.throws(() => integrationAnswer(JSON.stringify(value)), (error: unknown) => error instanceof DoorError && error.refusal === "invalid-response", JSON.stringify(value));
    invalid({ statusCode: "200" });
    invalid({ statusCode: 99 });
    invalid({ statusCode: 600 });
    invalid({ statusCode: 200.5 });
    invalid({ statusCode: 200, headers: { "bad name": "x" } });
    invalid({ statusCode: 200, headers: { "X-Split": "a\r\nInjected: yes" } });
    invalid({ statusCode: 200, headers: { "X-Obj": { a: 1 } } });
    invalid({ statusCode: 200, headers: ["x"] });
  });
});

describe("CORS", () => {
  const cors: CorsSettings = { origins: ["https://app.example"], methods: ["GET", "POST"], headers: ["content-type"], exposeHeaders: ["x-total"], maxAgeSec: 600, credentials: true };

  it("knows a preflight by OPTIONS with Origin and Access-Control-Request-Method", () => {
    assert.equal(isPreflight("OPTIONS", { origin: "https://app.example", "access-control-request-method": "POST" }), true);
    assert.equal(isPreflight("OPTIONS", { origin: "https://app.example" }), false);
    assert.equal(isPreflight("GET", { origin: "https://app.example", "access-control-request-method": "POST" }), false);
  });

  it("answers an allowed origin's preflight with the configured methods, headers, max age and credentials", () => {
    assert.deepEqual(preflightHeaders(cors, "https://app.example", "content-type"), [
      ["access-control-allow-origin", "https://app.example"],
      ["vary", "Origin"],
      ["access-control-allow-methods", "GET,POST"],
      ["access-control-allow-headers", "content-type"],
      ["access-control-max-age", "600"],
      ["access-control-allow-credentials", "true"],
    ]);
    assert.deepEqual(preflightHeaders(cors, "https://evil.example", "content-type"), []);
  });

  it("allows any origin with *, echoing it when credentials are allowed (a browser refuses * with credentials)", () => {
    const open: CorsSettings = { ...cors, origins: ["*"], headers: [], credentials: false };
    assert.equal(preflightHeaders(open, "https://x.example", "x-a")[0]?.[1], "*");
    assert.deepEqual(preflightHeaders(open, "https://x.example", "x-a").find(([name]) => name === "access-control-allow-headers"), ["access-control-allow-headers", "x-a"]);
    assert.equal(responseCorsHeaders({ ...open, credentials: true }, "https://x.example")[0]?.[1], "https://x.example");
  });

  it("adds the allow and expose headers to real answers", () => {
    assert.deepEqual(responseCorsHeaders(cors, "https://app.example"), [
      ["access-control-allow-origin", "https://app.example"],
      ["vary", "Origin"],
      ["access-control-expose-headers", "x-total"],
      ["access-control-allow-credentials", "true"],
    ]);
    assert.deepEqual(responseCorsHeaders(cors, undefined), []);
  });
});

describe("gateway answers", () => {
  it("SCF: {errno, error, requestId} with the refusal's status; a failure's errno is SCF's function status code", () => {
    const refusal = scfRefusalAnswer("disabled", "off", "rid");
    assert.equal(refusal.status, 403);
    assert.deepEqual(json(refusal.body.toString()), { errno: 403, error: "off", requestId: "rid" });
    const timeout = scfFailureAnswer({ kind: "timeout", message: "took too long", stack: "" }, "rid");
    assert.equal(timeout.status, 504);
    assert.deepEqual(json(timeout.body.toString()), { errno: 433, error: "took too long", requestId: "rid" });
    assert.equal(scfFailureAnswer({ kind: "user-error", message: "boom", stack: "" }, "rid").status, 502);
    assert.deepEqual(scfIdHeaders("rid", "3"), [["x-scf-request-id", "rid"], ["x-scf-version", "3"]]);
  });

  it("APIG: {error_code, error_msg, request_id} with API Gateway's codes; a failure is FunctionGraph's error document", () => {
    const refusal = apigRefusalAnswer("no-route", "nothing here", "rid");
    assert.equal(refusal.status, 404);
    assert.deepEqual(json(refusal.body.toString()), { error_code: "APIG.0101", error_msg: "nothing here", request_id: "rid" });
    assert.equal(apigRefusalAnswer("unauthenticated", "", "rid").status, 401);
    const failed = apigFailureAnswer({ kind: "user-error", message: "boom", stack: "Error: boom\n    at x" }, "rid");
    assert.equal(failed.status, 500);
    assert.deepEqual(json(failed.body.toString()), { errorMessage: "boom", errorType: "Error", stackTrace: ["Error: boom", "    at x"] });
    assert.equal(apigFailureAnswer({ kind: "timeout", message: "t", stack: "" }, "rid").status, 504);
    assert.equal(apigFailureAnswer({ kind: "concurrency-limit", message: "busy", stack: "" }, "rid").status, 429);
    assert.deepEqual(apigIdHeaders("rid", "$LATEST"), [["x-request-id", "rid"], ["x-cff-request-id", "rid"], ["x-cff-function-version", "latest"]]);
  });
});

describe("trigger URLs read back", () => {
  it("SCF: the five parts, decoded, and the path below the trigger both decoded and as sent", () => {
    assert.deepEqual(scfAddress("/scf/125/ap-guangzhou/default/my%2Dfn/web/a%20b/c"), {
      appId: "125", region: "ap-guangzhou", namespace: "default", functionName: "my-fn", triggerName: "web", below: "/a b/c", rawBelow: "/a%20b/c",
    });
    assert.equal(scfAddress("/scf/125/r/n/f/t")?.below, "/");
    assert.equal(scfAddress("/scf/125/r/n/f/t")?.rawBelow, "/");
    assert.equal(scfAddress("/scf/125/r/n/f/t/")?.below, "/");
    assert.equal(scfAddress("/scf/125/r/n/f"), null);
    assert.throws(() => scfAddress("/scf/%zz/r/n/f/t"), (error: unknown) => error instanceof DoorError && error.refusal === "bad-request");
  });

  it("APIG: the project and the API path", () => {
    assert.deepEqual(apigAddress("/apig/p1/orders/a%2Fb"), { projectId: "p1", path: "/orders/a/b", rawPath: "/orders/a%2Fb" });
    assert.deepEqual(apigAddress("/apig/p1"), { projectId: "p1", path: "/", rawPath: "/" });
    assert.deepEqual(apigAddress("/apig/p1/"), { projectId: "p1", path: "/", rawPath: "/" });
  });
});
