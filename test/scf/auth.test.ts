import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createNodeFunction, expectScfError, scfClient, SIGNING_MODES } from "../helpers/scf-client.js";
import { sendRaw, sendTc3, tc3Headers } from "../helpers/tc3.js";
import { nodeZip } from "../helpers/zip.js";

void describe("SCF signatures, accounts and regions", () => {
  let server: TestQuiver;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false }, region: "ap-shanghai" });
  });
  after(async () => server.stop());

  for (const { signMethod, reqMethod } of SIGNING_MODES) {
    void test(`${signMethod} over ${reqMethod}: create, update, publish, read back with nested parameters`, async () => {
      const scf = scfClient(server, ALICE, { signMethod, reqMethod });
      const name = `fn-${signMethod.replace(/[^A-Za-z0-9]/g, "")}-${reqMethod}`;
      const zip = await nodeZip(name);
      await scf.CreateFunction({
        FunctionName: name,
        Runtime: "Nodejs18.15",
        Handler: "index.main_handler",
        MemorySize: 256,
        Timeout: 7,
        Description: "with spaces & symbols = fine",
        Environment: { Variables: [{ Key: "FIRST", Value: "one two" }, { Key: "SECOND", Value: "a=b&c" }] },
        Code: { ZipFile: zip.toString("base64") },
      });
      const fn = await scf.GetFunction({ FunctionName: name });
      assert.equal(fn.MemorySize, 256, "numbers sent as strings (GET, v1) are coerced");
      assert.equal(fn.Timeout, 7);
      assert.equal(fn.CodeSize, zip.length);
      assert.equal(fn.Description, "with spaces & symbols = fine");
      assert.deepEqual(fn.Environment?.Variables, [{ Key: "FIRST", Value: "one two" }, { Key: "SECOND", Value: "a=b&c" }]);
      await scf.UpdateFunctionConfiguration({ FunctionName: name, Timeout: 8 });
      const published = await scf.PublishVersion({ FunctionName: name, Description: "v1" });
      assert.equal(published.FunctionVersion, "1");
      assert.equal(published.Timeout, 8);
      assert.deepEqual((await scf.ListVersionByFunction({ FunctionName: name, Limit: 5, Offset: 0 })).FunctionVersion, ["$LATEST", "1"]);
      const names = (await scf.ListFunctions({ SearchKey: name })).Functions?.map((f) => f.FunctionName);
      assert.deepEqual(names, [name]);
    });
  }

  void test("responses are HTTP 200 with Content-Type exactly application/json and a RequestId", async () => {
    const ok = await sendTc3(server.url, { action: "ListNamespaces", body: "{}", secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey });
    assert.equal(ok.status, 200);
    assert.equal(ok.contentType, "application/json");
    assert.match(String(ok.body.Response.RequestId), /^[0-9a-f-]{36}$/);
    const failed = await sendTc3(server.url, { action: "GetFunction", body: '{"FunctionName":"nope"}', secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey });
    assert.equal(failed.status, 200);
    assert.equal(failed.contentType, "application/json");
    assert.equal(failed.body.Response.Error?.Code, "ResourceNotFound.Function");
  });

  void test("the credential scope's service is taken from the Authorization header, and the host may keep its port", async () => {
    const signed = { action: "ListNamespaces", body: "{}", secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey };
    const asScf = await sendTc3(server.url, { ...signed, service: "scf" });
    assert.equal(asScf.body.Response.Error, undefined, JSON.stringify(asScf.body));
    const as127 = await sendTc3(server.url, { ...signed, service: "127" });
    assert.equal(as127.body.Response.Error, undefined, JSON.stringify(as127.body));
    const withPort = await sendTc3(server.url, { ...signed, signHostWithPort: true });
    assert.equal(withPort.body.Response.Error, undefined, JSON.stringify(withPort.body));
    const otherHost = await sendTc3(server.url, { ...signed, headers: { Host: "example.com" } });
    assert.equal(otherHost.body.Response.Error?.Code, "AuthFailure.SignatureFailure", "the Host header is covered by the signature");
  });

  void test("UNSIGNED-PAYLOAD signatures (Python and Go SDK option) are accepted; a wrong key still is not", async () => {
    const keys = { secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey };
    const unsigned = await sendTc3(server.url, { action: "ListNamespaces", body: "{}", ...keys, unsignedPayload: true });
    assert.equal(unsigned.body.Response.Error, undefined, JSON.stringify(unsigned.body));
    const wrong = await sendTc3(server.url, { action: "ListNamespaces", body: "{}", ...keys, secretKey: "not-the-key", unsignedPayload: true });
    assert.equal(wrong.body.Response.Error?.Code, "AuthFailure.SignatureFailure");
    // Without the header the body is hashed, so the same unsigned-payload signature fails.
    const mismatched = await sendTc3(server.url, { action: "ListNamespaces", body: "{}", ...keys, unsignedPayload: true, headers: { "X-TC-Content-SHA256": "" } });
    assert.equal(mismatched.body.Response.Error?.Code, "AuthFailure.SignatureFailure");
  });

  void test("a signed body swapped for another is refused, whatever X-TC-Content-SHA256 claims", async () => {
    const signedBody = JSON.stringify({ FunctionName: "swap-target", Description: "signed" });
    const swapped = JSON.stringify({ FunctionName: "swap-target", Description: "swapped" });
    const keys = { action: "UpdateFunctionConfiguration", body: signedBody, secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey };
    const endpoint = server.url.replace(/^http:\/\//, "");
    const plain = await sendRaw(server.url, { method: "POST", headers: tc3Headers(endpoint, keys), body: swapped });
    assert.equal(plain.body.Response.Error?.Code, "AuthFailure.SignatureFailure");
    const claimed = tc3Headers(endpoint, { ...keys, headers: { "X-TC-Content-SHA256": createHash("sha256").update(signedBody).digest("hex") } });
    const withClaim = await sendRaw(server.url, { method: "POST", headers: claimed, body: swapped });
    assert.equal(withClaim.body.Response.Error?.Code, "AuthFailure.SignatureFailure");
  });

  void test("without X-TC-Region the server's default region applies", async () => {
    const noRegion = scfClient(server, ALICE, { region: null });
    const shanghai = scfClient(server, ALICE, { region: "ap-shanghai" });
    const guangzhou = scfClient(server, ALICE, { region: "ap-guangzhou" });
    await createNodeFunction(noRegion, "regionless");
    assert.equal((await shanghai.GetFunction({ FunctionName: "regionless" })).FunctionName, "regionless");
    await expectScfError(guangzhou.GetFunction({ FunctionName: "regionless" }), "ResourceNotFound.Function");
    // v1 without a Region parameter too.
    const v1NoRegion = scfClient(server, ALICE, { region: null, signMethod: "HmacSHA256" });
    assert.equal((await v1NoRegion.GetFunction({ FunctionName: "regionless" })).FunctionName, "regionless");
  });

  void test("a malformed region is refused", async () => {
    await expectScfError(scfClient(server, ALICE, { region: "Not A Region" }).ListFunctions({}), "InvalidParameterValue");
  });

  void test("accounts cannot see each other's functions, and may use the same names", async () => {
    const alice = scfClient(server, ALICE);
    const bob = scfClient(server, BOB);
    await createNodeFunction(alice, "shared-name", { Description: "alice's", marker: "alice" });
    await expectScfError(bob.GetFunction({ FunctionName: "shared-name" }), "ResourceNotFound.Function");
    await expectScfError(bob.PublishVersion({ FunctionName: "shared-name" }), "ResourceNotFound.Function");
    await expectScfError(bob.DeleteFunction({ FunctionName: "shared-name" }), "ResourceNotFound.Function");
    await expectScfError(bob.UpdateFunctionCode({ FunctionName: "shared-name", ZipFile: (await nodeZip("bob")).toString("base64") }), "ResourceNotFound.Function");
    assert.deepEqual((await bob.ListFunctions({})).Functions, []);

    await createNodeFunction(bob, "shared-name", { Description: "bob's", marker: "bob, longer marker" });
    assert.equal((await alice.GetFunction({ FunctionName: "shared-name" })).Description, "alice's");
    assert.equal((await bob.GetFunction({ FunctionName: "shared-name" })).Description, "bob's");
    assert.equal((await alice.PublishVersion({ FunctionName: "shared-name" })).FunctionVersion, "1");
    assert.equal((await alice.PublishVersion({ FunctionName: "shared-name" })).FunctionVersion, "2");
    assert.equal((await bob.PublishVersion({ FunctionName: "shared-name" })).FunctionVersion, "1", "version numbers are per function");
    await bob.DeleteFunction({ FunctionName: "shared-name" });
    assert.equal((await alice.GetFunction({ FunctionName: "shared-name" })).Description, "alice's");

    await alice.CreateNamespace({ Namespace: "private" });
    await expectScfError(bob.GetFunction({ FunctionName: "x", Namespace: "private" }), "ResourceNotFound.Namespace");
    assert.deepEqual((await bob.ListNamespaces({})).Namespaces?.map((n) => n.Name), ["default"]);
    await bob.CreateNamespace({ Namespace: "private" });
    await bob.DeleteNamespace({ Namespace: "private" });
    assert.deepEqual((await alice.ListNamespaces({})).Namespaces?.map((n) => n.Name), ["default", "private"]);
  });

  void test("regions isolate functions and namespaces within one account", async () => {
    const gz = scfClient(server, ALICE, { region: "ap-guangzhou" });
    const bj = scfClient(server, ALICE, { region: "ap-beijing" });
    await createNodeFunction(gz, "regional", { Description: "gz" });
    await expectScfError(bj.GetFunction({ FunctionName: "regional" }), "ResourceNotFound.Function");
    await createNodeFunction(bj, "regional", { Description: "bj" });
    assert.equal((await gz.GetFunction({ FunctionName: "regional" })).Description, "gz");
    assert.equal((await bj.GetFunction({ FunctionName: "regional" })).Description, "bj");
    await gz.CreateNamespace({ Namespace: "gz-only" });
    await expectScfError(bj.DeleteNamespace({ Namespace: "gz-only" }), "ResourceNotFound.Namespace");
  });

  void test("flattened parameter names cannot reach Object.prototype", async () => {
    const body = "FunctionName=regional&__proto__.polluted=yes&constructor.prototype.polluted=yes";
    const reply = await sendTc3(server.url, {
      action: "GetFunction",
      body,
      contentType: "application/x-www-form-urlencoded",
      region: "ap-guangzhou",
      secretId: ALICE.tencent.secretId,
      secretKey: ALICE.tencent.secretKey,
    });
    assert.equal(reply.body.Response.Error?.Code, "UnknownParameter");
    assert.equal((Object.prototype as Record<string, unknown>)["polluted"], undefined);
    // The server is unharmed.
    assert.equal((await scfClient(server, ALICE).GetFunction({ FunctionName: "regional" })).Description, "gz");
  });
});
