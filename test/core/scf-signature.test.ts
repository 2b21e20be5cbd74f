import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { AccountRegistry } from "../../src/accounts/accounts.js";
import { QuiverError } from "../../src/core/errors.js";
import { tc3Signature, v1Signature } from "../../src/dialects/scf/signature.js";
import { sha256Hex } from "../../src/dialects/shared/digest.js";
import { authenticate, type RawRequest } from "../../src/dialects/scf/transport.js";
import { tc3Headers } from "../helpers/tc3.js";

// Vectors computed by the official SDK's own signer (tencentcloud-sdk-nodejs-common 4.1.220,
// Sign.sign3 / Sign.sign) for these exact inputs.
const TS = 1795481918;
const POST_BODY = '{"FunctionName":"f1","Code":{"ZipFile":"UEsDBA=="},"Environment":{"Variables":[{"Key":"A","Value":"b"}]}}';
const POST_SIGNATURE = "fd7fbf5ec525cb5510d5c05905eb2ec7fd5680c62f0aff40492bfd30cbb8d0b2";
const GET_QUERY = "FunctionName=f1&Limit=10&RoutingConfig.AdditionalVersionWeights.0.Version=2";
const GET_SIGNATURE = "39c11da6c110fecc0e07bdf71ebc9177681d335f996ba6027ebd5d11f9b3006d";
const V1_PARAMS = new Map([
  ["Action", "GetFunction"],
  ["FunctionName", "f 1"],
  ["Nonce", "23705"],
  ["Region", "ap-guangzhou"],
  ["SecretId", "AKIDtest"],
  ["Timestamp", "1795481919"],
  ["Version", "2018-04-16"],
]);

void describe("TC3-HMAC-SHA256", () => {
  void test("POST with a JSON body matches the official SDK (service 127, host without port)", () => {
    const signature = tc3Signature({
      method: "POST",
      canonicalQuery: "",
      signedHeaders: [["content-type", "application/json"], ["host", "127.0.0.1"]],
      payloadHash: sha256Hex(POST_BODY),
      timestamp: String(TS),
      date: "2026-11-24",
      service: "127",
      secretKey: "secretKeyTest",
    });
    assert.equal(signature, POST_SIGNATURE);
  });

  void test("GET signs the raw query and the hash of an empty payload", () => {
    const signature = tc3Signature({
      method: "GET",
      canonicalQuery: GET_QUERY,
      signedHeaders: [["content-type", "application/x-www-form-urlencoded"], ["host", "127.0.0.1"]],
      payloadHash: sha256Hex(""),
      timestamp: String(TS),
      date: "2026-11-24",
      service: "scf",
      secretKey: "secretKeyTest",
    });
    assert.equal(signature, GET_SIGNATURE);
  });

  void test("every input changes the signature", () => {
    const base = { method: "POST", canonicalQuery: "", signedHeaders: [["content-type", "application/json"], ["host", "127.0.0.1"]] as const, payloadHash: sha256Hex(POST_BODY), timestamp: String(TS), date: "2026-11-24", service: "127", secretKey: "secretKeyTest" };
    const variants = [
      { ...base, secretKey: "other" },
      { ...base, service: "scf" },
      { ...base, timestamp: String(TS + 1) },
      { ...base, date: "2026-11-25" },
      { ...base, payloadHash: sha256Hex(`${POST_BODY} `) },
      { ...base, signedHeaders: [["content-type", "application/json"], ["host", "127.0.0.1:80"]] as const },
    ];
    for (const variant of variants) assert.notEqual(tc3Signature(variant), POST_SIGNATURE);
  });
});

void describe("v1 signatures", () => {
  void test("HmacSHA256 over POST matches the official SDK (raw values, sorted keys, host with port)", () => {
    const params = new Map([...V1_PARAMS, ["SignatureMethod", "HmacSHA256"], ["Signature", "ignored"]]);
    assert.equal(v1Signature("POST", "127.0.0.1:18080", params, "sha256", "secretKeyTest"), "hdnKOx68WeKOrq4PL4SGedo0vav3OAKEkhQvifrjB2Q=");
  });

  void test("HmacSHA1 over GET matches the official SDK", () => {
    const params = new Map([...V1_PARAMS, ["SignatureMethod", "HmacSHA1"]]);
    assert.equal(v1Signature("GET", "127.0.0.1:18080", params, "sha1", "secretKeyTest"), "W+M5+Mn7f+8xv8r5YJtL3o/kvDo=");
  });
});

void describe("authenticate", () => {
  const accounts = new AccountRegistry([{ name: "alice", appId: "1", uin: "2", tencent: { secretId: "AKIDtest", secretKey: "secretKeyTest" } }]);
  const now = TS + 10;

  function tc3Request(overrides: Partial<RawRequest> = {}, host = "127.0.0.1:18080"): RawRequest {
    const headers = tc3Headers(host, { action: "GetFunction", body: POST_BODY, secretId: "AKIDtest", secretKey: "secretKeyTest", timestamp: TS, service: "127", region: "ap-guangzhou" });
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    return { method: "POST", headers: { ...lower, host }, rawQuery: "", body: Buffer.from(POST_BODY), ...overrides };
  }

  function assertCode(action: () => unknown, code: string): void {
    assert.throws(action, (error: unknown) => error instanceof QuiverError && error.code === code);
  }

  void test("a Node-SDK style request (port stripped from the signed host) is accepted and parsed", () => {
    const call = authenticate(tc3Request(), accounts, now);
    assert.equal(call.action, "GetFunction");
    assert.equal(call.region, "ap-guangzhou");
    assert.equal(call.account.name, "alice");
    assert.deepEqual(call.params, JSON.parse(POST_BODY));
  });

  void test("a changed body, unknown key, old timestamp or wrong version is refused with the right code", () => {
    assertCode(() => authenticate(tc3Request({ body: Buffer.from(`${POST_BODY} `) }), accounts, now), "AuthSignatureMismatch");
    assertCode(() => authenticate(tc3Request(), new AccountRegistry([{ name: "x", appId: "1", uin: "2", tencent: { secretId: "AKIDother", secretKey: "k" } }]), now), "AuthUnknownKey");
    assertCode(() => authenticate(tc3Request(), accounts, TS + 301), "AuthExpired");
    assertCode(() => authenticate(tc3Request(), accounts, TS - 301), "AuthExpired");
    assert.equal(authenticate(tc3Request(), accounts, TS + 300).action, "GetFunction");
    const base = tc3Request();
    assertCode(() => authenticate({ ...base, headers: { ...base.headers, "x-tc-version": "2017-01-01" } }, accounts, now), "UnsupportedApiVersion");
    assertCode(() => authenticate({ ...base, headers: { ...base.headers, authorization: "TC3-HMAC-SHA256 nonsense" } }, accounts, now), "AuthMalformed");
    assertCode(() => authenticate({ ...base, headers: { host: "x" } }, accounts, now), "AuthMissing");
  });

  void test("the credential date must be the timestamp's UTC date", () => {
    const base = tc3Request();
    const authorization = String(base.headers["authorization"]).replace("2026-11-24", "2026-11-23");
    assertCode(() => authenticate({ ...base, headers: { ...base.headers, authorization } }, accounts, now), "AuthSignatureMismatch");
  });

  void test("a v1 form POST is accepted; common parameters are not business parameters", () => {
    const params = new Map([...V1_PARAMS, ["SignatureMethod", "HmacSHA256"]]);
    params.set("Timestamp", String(TS));
    const signature = v1Signature("POST", "127.0.0.1:18080", params, "sha256", "secretKeyTest");
    const body = new URLSearchParams([...params, ["Signature", signature]]).toString();
    const call = authenticate({ method: "POST", headers: { host: "127.0.0.1:18080", "content-type": "application/x-www-form-urlencoded" }, rawQuery: "", body: Buffer.from(body) }, accounts, now);
    assert.equal(call.action, "GetFunction");
    assert.deepEqual(call.params, { FunctionName: "f 1" });
    const tampered = body.replace("f+1", "f+2");
    assertCode(() => authenticate({ method: "POST", headers: { host: "127.0.0.1:18080", "content-type": "application/x-www-form-urlencoded" }, rawQuery: "", body: Buffer.from(tampered) }, accounts, now), "AuthSignatureMismatch");
  });

  void test("v1 without SignatureMethod defaults to HmacSHA1", () => {
    const params = new Map(V1_PARAMS);
    params.set("Timestamp", String(TS));
    const signature = v1Signature("GET", "127.0.0.1:18080", params, "sha1", "secretKeyTest");
    const rawQuery = new URLSearchParams([...params, ["Signature", signature]]).toString();
    const call = authenticate({ method: "GET", headers: { host: "127.0.0.1:18080" }, rawQuery, body: Buffer.alloc(0) }, accounts, now);
    assert.equal(call.account.name, "alice");
  });
});
