import assert from "node:assert/strict";
import { eventually } from "../helpers/eventually.js";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { startQuiver, testDirs, type QuiverProcess, type TestQuiver } from "../helpers/quiver.js";
import { createNodeFunction, expectScfError, scfClient } from "../helpers/scf-client.js";
import { nodeZip } from "../helpers/zip.js";

const SCOPE = { accountId: ALICE.name, region: "ap-guangzhou" };

void describe("SCF data survives restarts", () => {
  let server: TestQuiver;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false } });
  });
  after(async () => server.stop());

  void test("close and start again on the same data directory: everything is still there", async () => {
    const alice = scfClient(server, ALICE);
    const bob = scfClient(server, BOB);
    await alice.CreateNamespace({ Namespace: "kept", Description: "survives" });
    const zip = await nodeZip("kept code");
    await alice.CreateFunction({ FunctionName: "keeper", Namespace: "kept", Runtime: "Nodejs18.15", Handler: "index.main_handler", MemorySize: 256, Code: { ZipFile: zip.toString("base64") } });
    await alice.PublishVersion({ FunctionName: "keeper", Namespace: "kept", Description: "one" });
    await alice.PublishVersion({ FunctionName: "keeper", Namespace: "kept", Description: "two" });
    await alice.DeleteFunctionVersion({ FunctionName: "keeper", Namespace: "kept", Qualifier: "2" });
    await createNodeFunction(bob, "bobs");

    await server.restart();
    const alice2 = scfClient(server, ALICE);
    const ns = await alice2.ListNamespaces({});
    assert.deepEqual(ns.Namespaces?.map((n) => [n.Name, n.Description]), [["default", ""], ["kept", "survives"]]);
    const fn = await alice2.GetFunction({ FunctionName: "keeper", Namespace: "kept" });
    assert.equal(fn.CodeSize, zip.length);
    assert.equal(fn.MemorySize, 256);
    assert.equal(fn.Status, "Active");
    assert.deepEqual((await alice2.ListVersionByFunction({ FunctionName: "keeper", Namespace: "kept" })).FunctionVersion, ["$LATEST", "1"]);
    // The deleted number 2 stays retired across the restart.
    assert.equal((await alice2.PublishVersion({ FunctionName: "keeper", Namespace: "kept" })).FunctionVersion, "3");
    const record = await server.quiver.store.getFunction(SCOPE, "kept", "keeper");
    assert.ok(record?.code);
    assert.deepEqual(await server.quiver.service.functions.readCode(record.code.sha256), zip);
    assert.equal((await scfClient(server, BOB).GetFunction({ FunctionName: "bobs" })).Status, "Active");
  });

  void test("a function caught mid-update by a crash restarts as UpdateFailed with its old code, and can be repaired", async () => {
    const scf = scfClient(server, ALICE);
    const zip = await nodeZip("before the crash");
    await scf.CreateFunction({ FunctionName: "crashy", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: zip.toString("base64") } });
    await scf.PublishVersion({ FunctionName: "crashy" });
    const record = await server.quiver.store.getFunction(SCOPE, "default", "crashy");
    assert.ok(record);
    // What a crash during UpdateFunctionCode leaves behind.
    assert.ok(await server.quiver.store.transitionFunction(record.id, ["Active"], { status: "Updating", now: Date.now() }));
    await server.restart();

    const after = scfClient(server, ALICE);
    const fn = await after.GetFunction({ FunctionName: "crashy" });
    assert.equal(fn.Status, "UpdateFailed");
    assert.match(fn.StatusDesc ?? "", /restart/);
    assert.equal(fn.CodeSize, zip.length, "the old code is intact");
    assert.equal((await after.GetFunction({ FunctionName: "crashy", Qualifier: "1" })).Status, "Active");
    await expectScfError(after.PublishVersion({ FunctionName: "crashy" }), "FailedOperation.PublishVersion");
    await after.UpdateFunctionConfiguration({ FunctionName: "crashy", Timeout: 4 });
    assert.equal((await after.GetFunction({ FunctionName: "crashy" })).Status, "Active");
    assert.equal((await after.PublishVersion({ FunctionName: "crashy" })).FunctionVersion, "2");
  });

  void test("a function caught mid-create restarts as CreateFailed and can be deleted and recreated", async () => {
    const scf = scfClient(server, ALICE);
    await createNodeFunction(scf, "half-made");
    const record = await server.quiver.store.getFunction(SCOPE, "default", "half-made");
    assert.ok(record);
    assert.ok(await server.quiver.store.transitionFunction(record.id, ["Active"], { status: "Creating", now: Date.now() }));
    await server.restart();
    const after = scfClient(server, ALICE);
    assert.equal((await after.GetFunction({ FunctionName: "half-made" })).Status, "CreateFailed");
    await expectScfError(after.PublishVersion({ FunctionName: "half-made" }), "FailedOperation.PublishVersion");
    await after.DeleteFunction({ FunctionName: "half-made" });
    await createNodeFunction(after, "half-made");
    assert.equal((await after.GetFunction({ FunctionName: "half-made" })).Status, "Active");
  });
});

void describe("SCF data survives kill -9", () => {
  void test("every accepted write is there after SIGKILL and a restart", { timeout: 60_000 }, async () => {
    const dirs = testDirs();
    // A real process, so that it can be SIGKILLed; both starts share the data dir.
    const serve = (): Promise<QuiverProcess> => startQuiver({ mode: "process", dirs, rateLimits: { enabled: false } });
    try {
      const first = await serve();
      const scf = scfClient(first, ALICE);
      await scf.CreateNamespace({ Namespace: "durable" });
      const zips = await Promise.all([nodeZip("k1"), nodeZip("k2, a little longer")]);
      await scf.CreateFunction({ FunctionName: "survivor", Namespace: "durable", Runtime: "Python3.9", Handler: "index.main_handler", Code: { ZipFile: zips[0]?.toString("base64") } });
      const published: string[] = [];
      for (let i = 0; i < 5; i += 1) published.push((await scf.PublishVersion({ FunctionName: "survivor", Namespace: "durable", Description: `d${i}` })).FunctionVersion ?? "");
      await scf.UpdateFunctionCode({ FunctionName: "survivor", Namespace: "durable", ZipFile: zips[1]?.toString("base64") });
      await scf.UpdateFunctionConfiguration({ FunctionName: "survivor", Namespace: "durable", MemorySize: 640 });
      for (let i = 0; i < 10; i += 1) await createNodeFunction(scf, `many-${i}`);

      first.child.kill("SIGKILL");
      assert.equal(await first.exited, "SIGKILL");

      const second = await serve();
      try {
        const scf2 = scfClient(second, ALICE);
        assert.deepEqual((await scf2.ListNamespaces({})).Namespaces?.map((n) => n.Name), ["default", "durable"]);
        const fn = await scf2.GetFunction({ FunctionName: "survivor", Namespace: "durable" });
        assert.equal(fn.Status, "Active");
        assert.equal(fn.CodeSize, zips[1]?.length);
        assert.equal(fn.MemorySize, 640);
        const versions = await scf2.ListVersionByFunction({ FunctionName: "survivor", Namespace: "durable", Order: "ASC" });
        assert.deepEqual(versions.FunctionVersion, ["$LATEST", ...published]);
        assert.deepEqual(published, ["1", "2", "3", "4", "5"]);
        assert.equal((await scf2.GetFunction({ FunctionName: "survivor", Namespace: "durable", Qualifier: "5" })).CodeSize, zips[0]?.length);
        assert.equal((await scf2.ListFunctions({ SearchKey: "many-", Limit: 100 })).TotalCount, 10);
        assert.equal((await scf2.PublishVersion({ FunctionName: "survivor", Namespace: "durable" })).FunctionVersion, "6");
      } finally {
        second.child.kill("SIGTERM");
        await second.exited;
      }
    } finally {
      dirs.remove();
    }
  });

  // The records' writer commits with synchronous = NORMAL (docs/observability.md): a batch it
  // committed is in the WAL and must survive the process being killed.
  void test("invocation records that could be read before SIGKILL are there after a restart", { timeout: 60_000 }, async () => {
    const dirs = testDirs();
    const serve = (): Promise<QuiverProcess> => startQuiver({ mode: "process", dirs, rateLimits: { enabled: false } });
    type Logs = { TotalCount?: number; Data?: { RequestId?: string }[] };
    const requestIds = async (server: QuiverProcess): Promise<string[]> => {
      const answer = (await scfClient(server, ALICE).GetFunctionLogs({ FunctionName: "recorded", Limit: 100 })) as Logs;
      return (answer.Data ?? []).map((row) => row.RequestId ?? "").sort();
    };
    try {
      const first = await serve();
      const scf = scfClient(first, ALICE);
      await createNodeFunction(scf, "recorded");
      const invoked: string[] = [];
      for (let i = 0; i < 10; i += 1) invoked.push((await scf.Invoke({ FunctionName: "recorded", ClientContext: JSON.stringify({ i }) })).Result?.FunctionRequestId ?? "");
      invoked.sort();
      await eventually(async () => ((await requestIds(first)).length === 10 ? true : null), { what: "the ten records written" });
      assert.deepEqual(await requestIds(first), invoked);

      first.child.kill("SIGKILL");
      assert.equal(await first.exited, "SIGKILL");
      const second = await serve();
      try {
        assert.deepEqual(await requestIds(second), invoked);
      } finally {
        second.child.kill("SIGTERM");
        await second.exited;
      }
    } finally {
      dirs.remove();
    }
  });
});
