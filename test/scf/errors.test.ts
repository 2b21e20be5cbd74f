import assert from "node:assert/strict";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createNodeFunction, expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { sendRaw, sendTc3 } from "../helpers/tc3.js";
import { nodeZipBase64 } from "../helpers/zip.js";

const SCOPE = { accountId: ALICE.name, region: "ap-guangzhou" };

void describe("SCF error codes", () => {
  let server: TestQuiver;
  let scf: ScfClient;
  let zip: string;

  before(async () => {
    server = await startQuiver({
      rateLimits: { enabled: true, overrides: { ListNamespaces: 1 } },
      limits: { scfMaxVersions: 3, maxFunctionsPerNamespace: 3 },
    });
    scf = scfClient(server, ALICE);
    zip = await nodeZipBase64();
    await createNodeFunction(scf, "target");
  });
  after(async () => server.stop());

  void describe("authentication", () => {
    void test("AuthFailure.SecretIdNotFound for an unknown SecretId", async () => {
      await expectScfError(scfClient(server, ALICE, { secretId: "AKIDnobody" }).ListFunctions({}), "AuthFailure.SecretIdNotFound");
    });

    void test("AuthFailure.SignatureFailure for a wrong SecretKey, with every signing mode", async () => {
      for (const [signMethod, reqMethod] of [["TC3-HMAC-SHA256", "POST"], ["TC3-HMAC-SHA256", "GET"], ["HmacSHA256", "POST"], ["HmacSHA1", "GET"]] as const) {
        const wrong = scfClient(server, ALICE, { signMethod, reqMethod, secretKey: "not-the-key" });
        await expectScfError(wrong.GetFunction({ FunctionName: "target" }), "AuthFailure.SignatureFailure");
      }
      // Bob's key with Alice's id is also wrong.
      await expectScfError(scfClient(server, ALICE, { secretKey: BOB.tencent.secretKey }).ListFunctions({}), "AuthFailure.SignatureFailure");
    });

    void test("AuthFailure.SignatureExpire for a timestamp more than 5 minutes off", async () => {
      const signed = { action: "ListFunctions", body: "{}", secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey, region: "ap-guangzhou" };
      const now = Math.floor(Date.now() / 1000);
      const old = await sendTc3(server.url, { ...signed, timestamp: now - 400 });
      assert.equal(old.body.Response.Error?.Code, "AuthFailure.SignatureExpire");
      const future = await sendTc3(server.url, { ...signed, timestamp: now + 400 });
      assert.equal(future.body.Response.Error?.Code, "AuthFailure.SignatureExpire");
      // A slightly skewed clock is fine, which also proves the hand signer is right.
      const skewed = await sendTc3(server.url, { ...signed, timestamp: now - 200 });
      assert.equal(skewed.body.Response.Error, undefined, JSON.stringify(skewed.body));
      assert.ok(Array.isArray(skewed.body.Response["Functions"]));
    });

    void test("AuthFailure.InvalidAuthorization for a malformed or missing Authorization", async () => {
      const garbage = await sendRaw(server.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer abc", "X-TC-Action": "ListFunctions", "X-TC-Version": "2018-04-16", "X-TC-Timestamp": String(Math.floor(Date.now() / 1000)) },
        body: "{}",
      });
      assert.equal(garbage.status, 200);
      assert.equal(garbage.contentType, "application/json");
      assert.equal(garbage.body.Response.Error?.Code, "AuthFailure.InvalidAuthorization");
      assert.equal(typeof garbage.body.Response.RequestId, "string");
      const unsigned = await sendRaw(server.url, { method: "POST", headers: { "Content-Type": "application/json", "X-TC-Action": "ListFunctions" }, body: "{}" });
      assert.equal(unsigned.body.Response.Error?.Code, "AuthFailure.InvalidAuthorization");
      const noTimestamp = await sendTc3(server.url, { action: "ListFunctions", body: "{}", secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey, headers: { "X-TC-Timestamp": "soon" } });
      assert.equal(noTimestamp.body.Response.Error?.Code, "AuthFailure.InvalidAuthorization");
    });
  });

  void describe("request", () => {
    void test("InvalidAction for an action that does not exist", async () => {
      await expectScfError(scf.request("FlyToTheMoon", {}), "InvalidAction");
      const raw = await sendTc3(server.url, { action: "", body: "{}", secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey });
      assert.equal(raw.body.Response.Error?.Code, "InvalidAction");
    });

    void test("NoSuchVersion for another API version", async () => {
      const raw = await sendTc3(server.url, { action: "ListFunctions", body: "{}", version: "2017-01-01", secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey });
      assert.equal(raw.body.Response.Error?.Code, "NoSuchVersion");
    });

    void test("MissingParameter for a required parameter", async () => {
      await expectScfError(scf.GetFunction({}), "MissingParameter");
      await expectScfError(scf.request("CreateFunction", { FunctionName: "nocode", Runtime: "Nodejs18.15" }), "MissingParameter.Code");
      await expectScfError(scf.CreateFunction({ FunctionName: "nocode", Runtime: "Nodejs18.15", Code: {} }), "MissingParameter.Code");
      await expectScfError(scf.CreateFunction({ FunctionName: "noruntime", Code: { ZipFile: zip } }), "MissingParameter.Runtime");
      await expectScfError(scf.request("UpdateNamespace", { Namespace: "default" }), "MissingParameter");
    });

    void test("InvalidParameter for a value of the wrong type", async () => {
      await expectScfError(scf.request("CreateFunction", { FunctionName: "typed", Runtime: "Nodejs18.15", MemorySize: { big: true }, Code: { ZipFile: zip } }), "InvalidParameter");
      await expectScfError(scf.request("UpdateFunctionConfiguration", { FunctionName: "target", Timeout: "ten" }), "InvalidParameter");
      await expectScfError(scf.request("GetFunction", { FunctionName: 42 }), "InvalidParameter");
      await expectScfError(scf.request("CreateFunction", { FunctionName: "typed", Runtime: "Nodejs18.15", MemorySize: 128.5, Code: { ZipFile: zip } }), "InvalidParameter");
      await expectScfError(scf.GetFunction({ FunctionName: "ghost-ok" }), "ResourceNotFound.Function");
    });

    void test("UnknownParameter for a parameter the action does not have", async () => {
      await expectScfError(scf.request("GetFunction", { FunctionName: "target", Bogus: "1" }), "UnknownParameter");
      await expectScfError(scf.request("CreateFunction", { FunctionName: "extra", Runtime: "Nodejs18.15", Code: { ZipFile: zip, Extra: "x" } }), "UnknownParameter");
      await expectScfError(scf.GetFunction({ FunctionName: "extra" }), "ResourceNotFound.Function");
    });
  });

  void describe("InvalidParameterValue.*", () => {
    const create = (params: Record<string, unknown>): Promise<unknown> =>
      scf.request("CreateFunction", { FunctionName: "valid-name", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: zip }, ...params });

    void test("FunctionName charset and length", async () => {
      for (const name of ["a", "1starts-with-digit", "ends-with-dash-", "ends_with_underscore_", "has space", "has.dot", "x".repeat(61), "名字"]) {
        await expectScfError(create({ FunctionName: name }), "InvalidParameterValue.FunctionName");
      }
      await create({ FunctionName: `a${"b".repeat(59)}` });
      await scf.DeleteFunction({ FunctionName: `a${"b".repeat(59)}` });
      // Names that cannot exist are refused on every action, not reported as missing.
      await expectScfError(scf.GetFunction({ FunctionName: "has space!" }), "InvalidParameterValue.FunctionName");
      await expectScfError(scf.PublishVersion({ FunctionName: "x".repeat(61) }), "InvalidParameterValue.FunctionName");
      await expectScfError(scf.Invoke({ FunctionName: "../etc" }), "InvalidParameterValue.FunctionName");
    });

    void test("MemorySize steps", async () => {
      for (const memory of [0, 32, 100, 200, 129, 3200, 4096, -128]) {
        await expectScfError(create({ MemorySize: memory }), "InvalidParameterValue.MemorySize");
      }
      await expectScfError(scf.UpdateFunctionConfiguration({ FunctionName: "target", MemorySize: 300 }), "InvalidParameterValue.MemorySize");
      for (const memory of [64, 3072]) {
        await scf.UpdateFunctionConfiguration({ FunctionName: "target", MemorySize: memory });
        assert.equal((await scf.GetFunction({ FunctionName: "target" })).MemorySize, memory);
      }
    });

    void test("Timeout range", async () => {
      for (const timeout of [0, -1, 901]) await expectScfError(create({ Timeout: timeout }), "LimitExceeded.Timeout");
      await expectScfError(scf.UpdateFunctionConfiguration({ FunctionName: "target", Timeout: 1000 }), "LimitExceeded.Timeout");
      await scf.UpdateFunctionConfiguration({ FunctionName: "target", Timeout: 900 });
      assert.equal((await scf.GetFunction({ FunctionName: "target" })).Timeout, 900);
    });

    void test("Runtime: unknown names, and documented runtimes Quiver cannot run", async () => {
      for (const runtime of ["Cobol85", "nodejs18.15", "", "Java8", "Python2.7", "Go1", "Php7", "CustomRuntime"]) {
        await expectScfError(create({ Runtime: runtime }), "InvalidParameterValue.Runtime");
      }
      await expectScfError(scf.UpdateFunctionConfiguration({ FunctionName: "target", Runtime: "Python3.9" }), "InvalidParameterValue.Runtime");
      await expectScfError(scf.GetFunction({ FunctionName: "valid-name" }), "ResourceNotFound.Function");
    });

    void test("Handler form", async () => {
      for (const handler of ["index", "index.", ".main_handler", "index.1abc", "index.m", "../index.main_handler", "index.main handler"]) {
        await expectScfError(create({ Handler: handler }), "InvalidParameterValue.Handler");
      }
      await expectScfError(scf.UpdateFunctionCode({ FunctionName: "target", ZipFile: zip, Handler: "nodot" }), "InvalidParameterValue.Handler");
      await create({ Handler: "src/app.handler" });
      await scf.DeleteFunction({ FunctionName: "valid-name" });
    });

    void test("Description length", async () => {
      await expectScfError(create({ Description: "d".repeat(1001) }), "InvalidParameterValue.Description");
      await expectScfError(scf.PublishVersion({ FunctionName: "target", Description: "d".repeat(1001) }), "InvalidParameterValue.Description");
      await expectScfError(scf.CreateNamespace({ Namespace: "described", Description: "d".repeat(1001) }), "InvalidParameterValue.Description");
      await create({ Description: "d".repeat(1000) });
      await scf.DeleteFunction({ FunctionName: "valid-name" });
    });

    void test("Environment: reserved prefixes, size, names", async () => {
      for (const key of ["SCF_RUNTIME", "QCLOUD_X", "TENCENTCLOUD_SECRETID", "scf_lower"]) {
        await expectScfError(create({ Environment: { Variables: [{ Key: key, Value: "v" }] } }), "InvalidParameterValue.EnvironmentSystemProtect");
      }
      const big = [{ Key: "BIG", Value: "x".repeat(4100) }];
      await expectScfError(create({ Environment: { Variables: big } }), "InvalidParameterValue.EnvironmentExceededLimit");
      await expectScfError(scf.UpdateFunctionConfiguration({ FunctionName: "target", Environment: { Variables: big } }), "InvalidParameterValue.EnvironmentExceededLimit");
      for (const key of ["1ABC", "A-B", ""]) {
        await expectScfError(create({ Environment: { Variables: [{ Key: key, Value: "v" }] } }), "InvalidParameterValue.Environment");
      }
      await expectScfError(create({ Environment: { Variables: [{ Key: "A", Value: "1" }, { Key: "A", Value: "2" }] } }), "InvalidParameterValue.Environment");
    });

    void test("Namespace names", async () => {
      await expectScfError(scf.CreateNamespace({ Namespace: "has space" }), "InvalidParameterValue.NamespaceInvalid");
      await expectScfError(scf.CreateNamespace({ Namespace: "n".repeat(31) }), "InvalidParameterValue.NamespaceInvalid");
      await expectScfError(scf.GetFunction({ FunctionName: "target", Namespace: "bad/ns" }), "InvalidParameterValue.Namespace");
    });
  });

  void describe("resources", () => {
    void test("ResourceNotFound.Function and ResourceNotFound.Namespace", async () => {
      await expectScfError(scf.GetFunction({ FunctionName: "missing" }), "ResourceNotFound.Function");
      await expectScfError(scf.UpdateFunctionCode({ FunctionName: "missing", ZipFile: zip }), "ResourceNotFound.Function");
      await expectScfError(scf.UpdateFunctionConfiguration({ FunctionName: "missing", Timeout: 3 }), "ResourceNotFound.Function");
      await expectScfError(scf.PublishVersion({ FunctionName: "missing" }), "ResourceNotFound.Function");
      await expectScfError(scf.DeleteFunction({ FunctionName: "missing" }), "ResourceNotFound.Function");
      await expectScfError(scf.GetFunction({ FunctionName: "target", Namespace: "ghost" }), "ResourceNotFound.Namespace");
      await expectScfError(createNodeFunction(scf, "orphan", { Namespace: "ghost" }), "ResourceNotFound.Namespace");
      await expectScfError(scf.DeleteNamespace({ Namespace: "ghost" }), "ResourceNotFound.Namespace");
    });

    void test("ResourceInUse.Function for a duplicate name", async () => {
      await expectScfError(createNodeFunction(scf, "target", { marker: "other code" }), "ResourceInUse.Function");
      const fn = await scf.GetFunction({ FunctionName: "target" });
      assert.equal(fn.Status, "Active");
    });

    void test("LimitExceeded.FunctionVersions at the configured limit", async () => {
      await createNodeFunction(scf, "limited");
      for (const expected of ["1", "2", "3"]) assert.equal((await scf.PublishVersion({ FunctionName: "limited" })).FunctionVersion, expected);
      await expectScfError(scf.PublishVersion({ FunctionName: "limited" }), "LimitExceeded.FunctionVersions");
      assert.deepEqual((await scf.ListVersionByFunction({ FunctionName: "limited" })).FunctionVersion, ["$LATEST", "3", "2", "1"]);
      await scf.DeleteFunctionVersion({ FunctionName: "limited", Qualifier: "2" });
      assert.equal((await scf.PublishVersion({ FunctionName: "limited" })).FunctionVersion, "4");
      await scf.DeleteFunction({ FunctionName: "limited" });
    });

    void test("LimitExceeded.Function at the configured functions per namespace", async () => {
      await scf.CreateNamespace({ Namespace: "small" });
      for (const name of ["f1", "f2", "f3"]) await createNodeFunction(scf, name, { Namespace: "small" });
      await expectScfError(createNodeFunction(scf, "f4", { Namespace: "small" }), "LimitExceeded.Function");
      for (const name of ["f1", "f2", "f3"]) await scf.DeleteFunction({ FunctionName: name, Namespace: "small" });
      await scf.DeleteNamespace({ Namespace: "small" });
    });

    void test("FailedOperation.* when the function is not Active", async () => {
      await createNodeFunction(scf, "stuck");
      const record = await server.quiver.store.getFunction(SCOPE, "default", "stuck");
      assert.ok(record);
      assert.ok(await server.quiver.store.transitionFunction(record.id, ["Active"], { status: "Creating", now: Date.now() }));
      assert.equal((await scf.GetFunction({ FunctionName: "stuck" })).Status, "Creating");
      await expectScfError(scf.PublishVersion({ FunctionName: "stuck" }), "FailedOperation.PublishVersion");
      await expectScfError(scf.UpdateFunctionCode({ FunctionName: "stuck", ZipFile: zip }), "FailedOperation.UpdateFunctionCode");
      await expectScfError(scf.UpdateFunctionConfiguration({ FunctionName: "stuck", Timeout: 9 }), "FailedOperation.UpdateFunctionConfiguration");

      // UpdateFailed: still not publishable, but a new update repairs it.
      assert.ok(await server.quiver.store.transitionFunction(record.id, ["Creating"], { status: "UpdateFailed", statusReason: "simulated", now: Date.now() }));
      const failed = await scf.GetFunction({ FunctionName: "stuck" });
      assert.equal(failed.Status, "UpdateFailed");
      assert.equal(failed.StatusDesc, "simulated");
      await expectScfError(scf.PublishVersion({ FunctionName: "stuck" }), "FailedOperation.PublishVersion");
      assert.deepEqual((await scf.ListVersionByFunction({ FunctionName: "stuck" })).FunctionVersion, ["$LATEST"]);
      await scf.UpdateFunctionCode({ FunctionName: "stuck", ZipFile: await nodeZipBase64("repaired") });
      assert.equal((await scf.GetFunction({ FunctionName: "stuck" })).Status, "Active");
      assert.equal((await scf.PublishVersion({ FunctionName: "stuck" })).FunctionVersion, "1");
    });
  });

  void describe("rate limits", () => {
    void test("RequestLimitExceeded above the configured rate, per account", async () => {
      const codes: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        try {
          await scf.ListNamespaces({});
          codes.push("ok");
        } catch (error) {
          codes.push(String((error as { code?: string }).code));
        }
      }
      assert.ok(codes.includes("RequestLimitExceeded"), `expected a RequestLimitExceeded among ${codes.join(", ")}`);
      assert.deepEqual(new Set(codes), new Set(["ok", "RequestLimitExceeded"]));
      // Another account has its own budget, and other actions are not limited by this one.
      assert.equal((await scfClient(server, BOB).ListNamespaces({})).TotalCount, 1);
      assert.equal((await scf.GetFunction({ FunctionName: "target" })).FunctionName, "target");
    });
  });
});
