import assert from "node:assert/strict";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createNodeFunction, expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { nodeZip, nodeZipBase64 } from "../helpers/zip.js";

const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** Every GetFunction response field the API documents (reference §8). */
const GET_FUNCTION_FIELDS = [
  "ModTime", "CodeInfo", "Description", "Triggers", "Handler", "CodeSize", "Timeout", "FunctionVersion", "MemorySize", "Runtime",
  "FunctionName", "VpcConfig", "UseGpu", "Environment", "CodeResult", "CodeError", "ErrNo", "Namespace", "Role", "InstallDependency",
  "Status", "StatusDesc", "ClsLogsetId", "ClsTopicId", "FunctionId", "Tags", "EipConfig", "AccessInfo", "Type", "L5Enable", "Layers",
  "DeadLetterConfig", "AddTime", "PublicNetConfig", "OnsEnable", "CfsConfig", "AvailableStatus", "Qualifier", "InitTimeout",
  "StatusReasons", "AsyncRunEnable", "TraceEnable", "ImageConfig", "ProtocolType", "ProtocolParams", "InstanceConcurrencyConfig",
  "DnsCache", "IntranetConfig", "RequestId",
];
/** Fields the Go SDK models as int64: they must be JSON integers. */
const GET_FUNCTION_INTS = ["CodeSize", "Timeout", "MemorySize", "ErrNo", "InitTimeout"];

void describe("SCF control plane flow through the official SDK", () => {
  let server: TestQuiver;
  let scf: ScfClient;

  void before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false }, limits: { maxNamespaces: 3 } });
    scf = scfClient(server, ALICE);
  });
  void after(async () => server.stop());

  void describe("namespaces", () => {
    void test("default always exists and cannot be created or deleted", async () => {
      const list = await scf.ListNamespaces({});
      assert.deepEqual(list.Namespaces?.map((ns) => ns.Name), ["default"]);
      assert.equal(list.TotalCount, 1);
      const ns = list.Namespaces?.[0];
      assert.ok(ns);
      assert.equal(ns.Type, "default");
      assert.match(ns.AddTime ?? "", TIME);
      await expectScfError(scf.CreateNamespace({ Namespace: "default" }), "InvalidParameterValue.DefaultNamespace");
      await expectScfError(scf.DeleteNamespace({ Namespace: "default" }), "FailedOperation.DeleteNamespace");
      assert.deepEqual((await scf.ListNamespaces({})).Namespaces?.map((n) => n.Name), ["default"]);
    });

    void test("create, list, search, update and delete a namespace", async () => {
      await scf.CreateNamespace({ Namespace: "team-a", Description: "first team" });
      await expectScfError(scf.CreateNamespace({ Namespace: "team-a" }), "ResourceInUse.Namespace");
      const list = await scf.ListNamespaces({ Order: "ASC" });
      assert.deepEqual(list.Namespaces?.map((n) => n.Name), ["default", "team-a"]);
      assert.equal(list.Namespaces?.[1]?.Description, "first team");
      const found = await scf.ListNamespaces({ SearchKey: [{ Key: "Description", Value: "first" }] });
      assert.deepEqual(found.Namespaces?.map((n) => n.Name), ["team-a"]);

      await scf.UpdateNamespace({ Namespace: "team-a", Description: "renamed team" });
      const updated = await scf.ListNamespaces({ SearchKey: [{ Key: "Namespace", Value: "team" }] });
      assert.equal(updated.Namespaces?.[0]?.Description, "renamed team");
      await expectScfError(scf.UpdateNamespace({ Namespace: "nope", Description: "x" }), "ResourceNotFound.Namespace");

      await scf.DeleteNamespace({ Namespace: "team-a" });
      assert.deepEqual((await scf.ListNamespaces({})).Namespaces?.map((n) => n.Name), ["default"]);
      await expectScfError(scf.DeleteNamespace({ Namespace: "team-a" }), "ResourceNotFound.Namespace");
    });

    void test("a namespace with functions cannot be deleted", async () => {
      await scf.CreateNamespace({ Namespace: "busy" });
      await createNodeFunction(scf, "inBusy", { Namespace: "busy" });
      await expectScfError(scf.DeleteNamespace({ Namespace: "busy" }), "FailedOperation.DeleteNamespace");
      assert.equal((await scf.GetFunction({ FunctionName: "inBusy", Namespace: "busy" })).Status, "Active");
      await scf.DeleteFunction({ FunctionName: "inBusy", Namespace: "busy" });
      await scf.DeleteNamespace({ Namespace: "busy" });
    });

    void test("the namespace limit (default not counted)", async () => {
      await scf.CreateNamespace({ Namespace: "n1" });
      await scf.CreateNamespace({ Namespace: "n2" });
      await scf.CreateNamespace({ Namespace: "n3" });
      await expectScfError(scf.CreateNamespace({ Namespace: "n4" }), "LimitExceeded.Namespace");
      assert.equal((await scf.ListNamespaces({})).TotalCount, 4);
      await scf.DeleteNamespace({ Namespace: "n3" });
      await scf.CreateNamespace({ Namespace: "n4" });
      for (const name of ["n1", "n2", "n4"]) await scf.DeleteNamespace({ Namespace: name });
    });
  });

  void describe("functions", () => {
    void test("CreateFunction then GetFunction returns every documented field with Go-compatible types", async () => {
      const zip = await nodeZip("create");
      await scf.CreateFunction({
        FunctionName: "hello",
        Runtime: "Nodejs18.15",
        Handler: "index.main_handler",
        MemorySize: 256,
        Timeout: 10,
        Description: "says hello",
        Environment: { Variables: [{ Key: "GREETING", Value: "hi" }] },
        Code: { ZipFile: zip.toString("base64") },
      });
      await expectScfError(createNodeFunction(scf, "hello"), "ResourceInUse.Function");
      const fn = (await scf.GetFunction({ FunctionName: "hello" })) as unknown as Record<string, unknown>;
      for (const field of GET_FUNCTION_FIELDS) assert.ok(field in fn, `GetFunction lacks ${field}`);
      for (const field of GET_FUNCTION_INTS) assert.ok(Number.isInteger(fn[field]), `${field} must be an integer, got ${JSON.stringify(fn[field])}`);
      assert.equal(fn["FunctionName"], "hello");
      assert.equal(fn["FunctionVersion"], "$LATEST");
      assert.equal(fn["Qualifier"], "$LATEST");
      assert.equal(fn["Namespace"], "default");
      assert.equal(fn["Status"], "Active");
      assert.equal(fn["Runtime"], "Nodejs18.15");
      assert.equal(fn["Handler"], "index.main_handler");
      assert.equal(fn["MemorySize"], 256);
      assert.equal(fn["Timeout"], 10);
      assert.equal(fn["Description"], "says hello");
      assert.equal(fn["CodeSize"], zip.length);
      assert.equal(fn["CodeResult"], "success");
      assert.equal(fn["Type"], "Event");
      assert.deepEqual(fn["Environment"], { Variables: [{ Key: "GREETING", Value: "hi" }] });
      assert.match(String(fn["AddTime"]), TIME);
      assert.match(String(fn["ModTime"]), TIME);
      assert.equal(typeof fn["FunctionId"], "string");
      assert.ok(Array.isArray(fn["Triggers"]) && Array.isArray(fn["Layers"]) && Array.isArray(fn["Tags"]));
    });

    void test("UpdateFunctionCode replaces code and handler; UpdateFunctionConfiguration changes settings", async () => {
      const before = await scf.GetFunction({ FunctionName: "hello" });
      const zip = await nodeZip("a much longer second version of the code to change its size");
      await scf.UpdateFunctionCode({ FunctionName: "hello", ZipFile: zip.toString("base64"), Handler: "index.other_handler" });
      const afterCode = await scf.GetFunction({ FunctionName: "hello" });
      assert.equal(afterCode.CodeSize, zip.length);
      assert.notEqual(afterCode.CodeSize, before.CodeSize);
      assert.equal(afterCode.Handler, "index.other_handler");
      assert.equal(afterCode.MemorySize, 256, "configuration is kept by a code update");

      const nested = await nodeZip("nested form");
      await scf.UpdateFunctionCode({ FunctionName: "hello", Code: { ZipFile: nested.toString("base64") } });
      assert.equal((await scf.GetFunction({ FunctionName: "hello" })).CodeSize, nested.length);

      await scf.UpdateFunctionConfiguration({
        FunctionName: "hello",
        MemorySize: 512,
        Timeout: 30,
        Description: "updated",
        Environment: { Variables: [{ Key: "A", Value: "1" }, { Key: "B", Value: "2" }] },
      });
      const afterConfig = await scf.GetFunction({ FunctionName: "hello" });
      assert.equal(afterConfig.MemorySize, 512);
      assert.equal(afterConfig.Timeout, 30);
      assert.equal(afterConfig.Description, "updated");
      assert.deepEqual(afterConfig.Environment?.Variables, [{ Key: "A", Value: "1" }, { Key: "B", Value: "2" }]);
      assert.equal(afterConfig.CodeSize, nested.length, "code is kept by a configuration update");
      assert.equal(afterConfig.Handler, "index.other_handler");

      await scf.UpdateFunctionConfiguration({ FunctionName: "hello", Timeout: 5 });
      const partial = await scf.GetFunction({ FunctionName: "hello" });
      assert.equal(partial.Timeout, 5);
      assert.equal(partial.MemorySize, 512, "fields not sent are unchanged");
      assert.equal(partial.Description, "updated");
    });

    void test("ListFunctions pages, orders and searches", async () => {
      await scf.CreateNamespace({ Namespace: "listing" });
      for (const name of ["cherry", "apple", "banana", "apricot"]) {
        await createNodeFunction(scf, name, { Namespace: "listing", Description: `fruit ${name}` });
      }
      const all = await scf.ListFunctions({ Namespace: "listing" });
      assert.equal(all.TotalCount, 4);
      assert.deepEqual(all.Functions?.map((f) => f.FunctionName), ["apricot", "banana", "apple", "cherry"], "default: newest first");
      const asc = await scf.ListFunctions({ Namespace: "listing", Orderby: "FunctionName", Order: "ASC" });
      assert.deepEqual(asc.Functions?.map((f) => f.FunctionName), ["apple", "apricot", "banana", "cherry"]);
      const desc = await scf.ListFunctions({ Namespace: "listing", Orderby: "FunctionName", Order: "DESC" });
      assert.deepEqual(desc.Functions?.map((f) => f.FunctionName), ["cherry", "banana", "apricot", "apple"]);
      const addAsc = await scf.ListFunctions({ Namespace: "listing", Orderby: "AddTime", Order: "ASC" });
      assert.deepEqual(addAsc.Functions?.map((f) => f.FunctionName), ["cherry", "apple", "banana", "apricot"]);
      const page = await scf.ListFunctions({ Namespace: "listing", Orderby: "FunctionName", Order: "ASC", Offset: 1, Limit: 2 });
      assert.deepEqual(page.Functions?.map((f) => f.FunctionName), ["apricot", "banana"]);
      assert.equal(page.TotalCount, 4, "TotalCount counts all matches, not the page");
      const search = await scf.ListFunctions({ Namespace: "listing", SearchKey: "ap", Orderby: "FunctionName", Order: "ASC" });
      assert.deepEqual(search.Functions?.map((f) => f.FunctionName), ["apple", "apricot"]);
      assert.equal(search.TotalCount, 2);
      const item = asc.Functions?.[0];
      assert.ok(item);
      assert.equal(item.Namespace, "listing");
      assert.equal(item.Status, "Active");
      assert.equal(item.Runtime, "Nodejs18.15");
      assert.equal(item.Description, "fruit apple");
      assert.ok(Number.isInteger(all.TotalCount));
      const defaults = await scf.ListFunctions({});
      assert.deepEqual(defaults.Functions?.map((f) => f.FunctionName), ["hello"], "without Namespace, default is listed");
      await expectScfError(scf.ListFunctions({ Namespace: "ghost" }), "ResourceNotFound.Namespace");
    });
  });

  void describe("versions", () => {
    void test("PublishVersion returns exactly the documented fields", async () => {
      await createNodeFunction(scf, "versioned", { MemorySize: 128, Timeout: 3 });
      const code = await scf.GetFunction({ FunctionName: "versioned" });
      const v1 = (await scf.PublishVersion({ FunctionName: "versioned", Description: "first" })) as unknown as Record<string, unknown>;
      assert.deepEqual(Object.keys(v1).sort(), ["CodeSize", "Description", "FunctionVersion", "Handler", "MemorySize", "Namespace", "RequestId", "Runtime", "Timeout"]);
      assert.equal(v1["FunctionVersion"], "1");
      assert.equal(v1["CodeSize"], code.CodeSize);
      assert.equal(v1["MemorySize"], 128);
      assert.equal(v1["Timeout"], 3);
      assert.equal(v1["Description"], "first");
      assert.equal(v1["Handler"], "index.main_handler");
      assert.equal(v1["Runtime"], "Nodejs18.15");
      assert.equal(v1["Namespace"], "default");
      for (const field of ["CodeSize", "MemorySize", "Timeout"]) assert.ok(Number.isInteger(v1[field]));
      assert.equal(typeof v1["RequestId"], "string");
    });

    void test("ListVersionByFunction includes $LATEST and supports Order, Offset and Limit", async () => {
      await scf.UpdateFunctionConfiguration({ FunctionName: "versioned", MemorySize: 256 });
      assert.equal((await scf.PublishVersion({ FunctionName: "versioned", Description: "second" })).FunctionVersion, "2");
      assert.equal((await scf.PublishVersion({ FunctionName: "versioned", Description: "third" })).FunctionVersion, "3");

      const all = await scf.ListVersionByFunction({ FunctionName: "versioned" });
      assert.deepEqual(all.FunctionVersion, ["$LATEST", "3", "2", "1"]);
      assert.equal(all.TotalCount, 4);
      assert.ok(Number.isInteger(all.TotalCount));
      assert.deepEqual(all.Versions?.map((v) => v.Version), ["$LATEST", "3", "2", "1"]);
      assert.deepEqual(all.Versions?.map((v) => v.Description), ["", "third", "second", "first"]);
      assert.ok(all.Versions, "ListVersionByFunction returns Versions");
      for (const v of all.Versions) {
        assert.equal(v.Status, "Active");
        assert.match(v.AddTime ?? "", TIME);
        assert.match(v.ModTime ?? "", TIME);
      }
      const asc = await scf.ListVersionByFunction({ FunctionName: "versioned", Order: "ASC", OrderBy: "AddTime" });
      assert.deepEqual(asc.FunctionVersion, ["$LATEST", "1", "2", "3"]);
      const byMod = await scf.ListVersionByFunction({ FunctionName: "versioned", Order: "DESC", OrderBy: "ModTime" });
      assert.deepEqual(byMod.FunctionVersion, ["$LATEST", "3", "2", "1"]);
      const first = await scf.ListVersionByFunction({ FunctionName: "versioned", Offset: 0, Limit: 2 });
      assert.deepEqual(first.FunctionVersion, ["$LATEST", "3"]);
      assert.equal(first.TotalCount, 4);
      const second = await scf.ListVersionByFunction({ FunctionName: "versioned", Offset: 2, Limit: 2 });
      assert.deepEqual(second.FunctionVersion, ["2", "1"]);
      const one = await scf.ListVersionByFunction({ FunctionName: "versioned", Limit: 1 });
      assert.deepEqual(one.FunctionVersion, ["$LATEST"]);
      const beyond = await scf.ListVersionByFunction({ FunctionName: "versioned", Offset: 10 });
      assert.deepEqual(beyond.FunctionVersion, []);
      await expectScfError(scf.ListVersionByFunction({ FunctionName: "versioned", Order: "sideways" }), "InvalidParameterValue.Order");
    });

    void test("GetFunction with a Qualifier returns that version's frozen configuration", async () => {
      const v1 = await scf.GetFunction({ FunctionName: "versioned", Qualifier: "1" });
      assert.equal(v1.FunctionVersion, "1");
      assert.equal(v1.Qualifier, "1");
      assert.equal(v1.MemorySize, 128);
      assert.equal(v1.Status, "Active");
      const v2 = await scf.GetFunction({ FunctionName: "versioned", Qualifier: "2" });
      assert.equal(v2.MemorySize, 256);
      const latest = await scf.GetFunction({ FunctionName: "versioned", Qualifier: "$LATEST" });
      assert.equal(latest.FunctionVersion, "$LATEST");
      await expectScfError(scf.GetFunction({ FunctionName: "versioned", Qualifier: "99" }), "ResourceNotFound.Version");
    });

    void test("deleting versions, and numbers are never reused", async () => {
      await scf.DeleteFunction({ FunctionName: "versioned", Qualifier: "3" });
      await expectScfError(scf.GetFunction({ FunctionName: "versioned", Qualifier: "3" }), "ResourceNotFound.Version");
      await scf.DeleteFunctionVersion({ FunctionName: "versioned", Qualifier: "1" });
      await expectScfError(scf.GetFunction({ FunctionName: "versioned", Qualifier: "1" }), "ResourceNotFound.Version");
      await expectScfError(scf.DeleteFunctionVersion({ FunctionName: "versioned", Qualifier: "1" }), "ResourceNotFound.Version");
      assert.deepEqual((await scf.ListVersionByFunction({ FunctionName: "versioned" })).FunctionVersion, ["$LATEST", "2"]);
      // 3 was the highest and was deleted; the next publish must not hand it out again.
      assert.equal((await scf.PublishVersion({ FunctionName: "versioned" })).FunctionVersion, "4");
      assert.deepEqual((await scf.ListVersionByFunction({ FunctionName: "versioned" })).FunctionVersion, ["$LATEST", "4", "2"]);
      assert.equal((await scf.GetFunction({ FunctionName: "versioned" })).Status, "Active", "$LATEST is untouched");
      await expectScfError(scf.DeleteFunctionVersion({ FunctionName: "versioned", Qualifier: "$LATEST" }), "InvalidParameterValue.Qualifier");
    });

    void test("DeleteFunction without a Qualifier removes the function and all its versions", async () => {
      await scf.DeleteFunction({ FunctionName: "versioned" });
      await expectScfError(scf.GetFunction({ FunctionName: "versioned" }), "ResourceNotFound.Function");
      await expectScfError(scf.GetFunction({ FunctionName: "versioned", Qualifier: "2" }), "ResourceNotFound.Function");
      await expectScfError(scf.ListVersionByFunction({ FunctionName: "versioned" }), "ResourceNotFound.Function");
      await expectScfError(scf.DeleteFunction({ FunctionName: "versioned" }), "ResourceNotFound.Function");
      // The name is free again.
      await scf.CreateFunction({ FunctionName: "versioned", Runtime: "Python3.9", Handler: "index.main_handler", Code: { ZipFile: await nodeZipBase64() } });
      assert.equal((await scf.GetFunction({ FunctionName: "versioned" })).Runtime, "Python3.9");
    });
  });
});
