/**
 * SCF provisioned and reserved concurrency through the official Node SDK: every action, its
 * fields and errors, and what they do to the engine (instances started, kept warm, released,
 * calls refused over the reserved concurrency).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { eventually } from "../helpers/eventually.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createFunction, expectScfError, invoke, scfClient, type ScfClient } from "../helpers/scf-client.js";

const SCOPE = { accountId: ALICE.name, region: "ap-guangzhou" };
const HELLO = { "index.js": "exports.main_handler = async (event) => ({ hello: event.who ?? 'world' });\n" };
/** Runs for `event.ms`: calls that stay busy while the test makes another one (the duration is what is tested, not an order forced by waiting). */
const HOLD = { "index.js": "exports.main_handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms ?? 0)); return 'done'; };\n" };

/** Instances of a function's version `seq` in the engine (every convention and context). */
function instancesOf(server: TestQuiver, functionId: string, seq: number): { instances: number; idle: number } {
  const out = { instances: 0, idle: 0 };
  for (const [key, s] of Object.entries(server.quiver.engine.stats().perKey)) {
    if (!key.startsWith(`${functionId}/v${seq}/`)) continue;
    out.instances += s.instances;
    out.idle += s.idle;
  }
  return out;
}

async function functionId(server: TestQuiver, name: string): Promise<string> {
  const fn = await server.quiver.store.getFunction(SCOPE, "default", name);
  assert.ok(fn, `function ${name} exists`);
  return fn.id;
}

type Allocated = NonNullable<Awaited<ReturnType<ScfClient["GetProvisionedConcurrencyConfig"]>>["Allocated"]>[number];

async function allocated(scf: ScfClient, name: string, qualifier: string): Promise<Allocated | undefined> {
  const r = await scf.GetProvisionedConcurrencyConfig({ FunctionName: name, Qualifier: qualifier });
  return r.Allocated?.[0];
}

void describe("SCF provisioned concurrency", () => {
  let server: TestQuiver;
  let scf: ScfClient;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false }, engine: { maxInstancesTotal: 6 } });
    scf = scfClient(server, ALICE);
  });
  after(async () => server.stop());

  test("a version's instances start, report Done with the count actually running, and serve the first call warm", async () => {
    await createFunction(scf, { name: "warm", files: HELLO });
    await scf.PublishVersion({ FunctionName: "warm" });
    const id = await functionId(server, "warm");
    await scf.PutProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "1", VersionProvisionedConcurrencyNum: 2 });
    const first = await allocated(scf, "warm", "1");
    assert.equal(first?.AllocatedProvisionedConcurrencyNum, 2);
    assert.ok((first?.AvailableProvisionedConcurrencyNum ?? -1) <= 2);
    const done = await eventually(async () => {
      const a = await allocated(scf, "warm", "1");
      return a?.Status === "Done" ? a : null;
    }, { timeoutMs: 30_000, what: "the provisioned instances to be Done" });
    assert.equal(done.AvailableProvisionedConcurrencyNum, 2);
    assert.equal(done.StatusReason, "");
    assert.deepEqual(instancesOf(server, id, 1), { instances: 2, idle: 2 });
    const listing = await scf.GetProvisionedConcurrencyConfig({ FunctionName: "warm" });
    assert.deepEqual(listing.Allocated?.map((a) => [a.Qualifier, a.TriggerActions]), [["1", []]]);
    assert.equal(listing.UnallocatedConcurrencyNum, 4, "6 instances on the machine, 2 provisioned");
    const item = (await scf.ListFunctions({})).Functions?.find((f) => f.FunctionName === "warm");
    assert.equal(item?.TotalProvisionedConcurrencyMem, 256, "2 instances of 128 MB");
    assert.equal(item?.ReservedConcurrencyMem, null);

    const coldStarts: string[] = [];
    const stop = server.quiver.engine.watchColdStarts((target) => coldStarts.push(target.version));
    try {
      const r = await invoke(scf, "warm", { who: "first" }, { Qualifier: "1" });
      assert.equal(r.InvokeResult, 0, r.ErrMsg);
      assert.deepEqual(JSON.parse(r.RetMsg), { hello: "first" });
    } finally {
      stop();
    }
    assert.deepEqual(coldStarts, [], "the first call after Done ran on a provisioned instance");
    assert.deepEqual(instancesOf(server, id, 1), { instances: 2, idle: 2 });
  });

  test("another account can neither see nor change a config, and its own are its own", async () => {
    const bob = scfClient(server, BOB);
    await expectScfError(bob.GetProvisionedConcurrencyConfig({ FunctionName: "warm" }), "ResourceNotFound.Function");
    await expectScfError(bob.PutProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "1", VersionProvisionedConcurrencyNum: 0 }), "ResourceNotFound.Function");
    await expectScfError(bob.DeleteProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "1" }), "ResourceNotFound.Function");
    await expectScfError(bob.PutReservedConcurrencyConfig({ FunctionName: "warm", ReservedConcurrencyMem: 0 }), "ResourceNotFound.Function");
    // A function of the same name in Bob's account is another function, with no config.
    await createFunction(bob, { name: "warm", files: HELLO });
    await bob.PublishVersion({ FunctionName: "warm" });
    assert.deepEqual((await bob.GetProvisionedConcurrencyConfig({ FunctionName: "warm" })).Allocated, []);
    assert.equal((await allocated(scf, "warm", "1"))?.AllocatedProvisionedConcurrencyNum, 2, "Alice's config is untouched");
    assert.equal((await invoke(scf, "warm", {}, { Qualifier: "1" })).InvokeResult, 0);
  });

  test("lowering the count retires the surplus; raising it starts instances again", async () => {
    const id = await functionId(server, "warm");
    // Lowering the count retires the surplus; raising it starts one again.
    await scf.PutProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "1", VersionProvisionedConcurrencyNum: 1 });
    await eventually(() => instancesOf(server, id, 1).instances === 1, { what: "one instance left" });
    await scf.PutProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "1", VersionProvisionedConcurrencyNum: 2 });
    await eventually(async () => (await allocated(scf, "warm", "1"))?.Status === "Done", { timeoutMs: 30_000, what: "Done again" });
    assert.equal(instancesOf(server, id, 1).instances, 2);
  });

  test("refused: $LATEST, an unknown version or function, more instances than the machine runs, a dynamic type", async () => {
    await expectScfError(scf.PutProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "$LATEST", VersionProvisionedConcurrencyNum: 1 }), "InvalidParameterValue.Qualifier");
    await expectScfError(scf.PutProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "9", VersionProvisionedConcurrencyNum: 1 }), "ResourceNotFound.Version");
    await expectScfError(scf.PutProvisionedConcurrencyConfig({ FunctionName: "ghost", Qualifier: "1", VersionProvisionedConcurrencyNum: 1 }), "ResourceNotFound.Function");
    const over = await expectScfError(scf.PutProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "1", VersionProvisionedConcurrencyNum: 7 }), "FailedOperation.ProvisionedExceedAvailable");
    assert.match(over.message, /--max-instances/);
    assert.match(over.message, /at most 6/);
    await expectScfError(scf.PutProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "1", VersionProvisionedConcurrencyNum: 1, ProvisionedType: "ConcurrencyUtilizationTracking" }), "InvalidParameterValue.ProvisionType");
    await expectScfError(scf.GetProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "9" }), "ResourceNotFound.Version");
    await expectScfError(scf.DeleteProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "9" }), "ResourceNotFound.Version");
    await expectScfError(scf.PutProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "1", VersionProvisionedConcurrencyNum: -1 }), "InvalidParameterValue");
    assert.equal((await allocated(scf, "warm", "1"))?.AllocatedProvisionedConcurrencyNum, 2, "nothing refused changed the config");
  });

  test("TriggerActions: names and crons checked with their documented codes", async () => {
    const put = (actions: unknown[]) => scf.PutProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "1", VersionProvisionedConcurrencyNum: 2, TriggerActions: actions as never });
    const action = (name: string, cron: string, num = 1) => ({ TriggerName: name, TriggerProvisionedConcurrencyNum: num, TriggerCronConfig: cron });
    await expectScfError(put([action("up", "0 0 25 * * * *")]), "InvalidParameterValue.TriggerCronConfig");
    await expectScfError(put([action("9up", "0 0 9 * * * *")]), "InvalidParameterValue.ProvisionTriggerName");
    await expectScfError(put([action("up", "0 0 9 * * * *"), action("up", "0 0 10 * * * *")]), "InvalidParameterValue.ProvisionTriggerNameDuplicate");
    await expectScfError(put([action("up", "0 0 9 * * * *"), action("down", "0 0 9 * * * *")]), "InvalidParameterValue.ProvisionTriggerCronConfigDuplicate");
    await expectScfError(put([action("up", "0 0 9 * * * *", -2)]), "InvalidParameterValue.TriggerProvisionedConcurrencyNum");
    await expectScfError(put([action("up", "0 0 9 * * * *", 7)]), "FailedOperation.ProvisionedExceedAvailable");
    // A change that fires in 2099 only: the count stays 2 while the tests run.
    await put([action("up", "0 0 9 1 1 ? 2099", 3)]);
    const a = await allocated(scf, "warm", "1");
    assert.deepEqual(a?.TriggerActions, [{ TriggerName: "up", TriggerProvisionedConcurrencyNum: 3, TriggerCronConfig: "0 0 9 1 1 ? 2099" }]);
    assert.equal(a?.AllocatedProvisionedConcurrencyNum, 2);
  });

  test("a version that cannot load reports Failed with the reason, and no instance is left", async () => {
    await createFunction(scf, { name: "broken", files: HELLO, handler: "missing.main_handler" });
    await scf.PublishVersion({ FunctionName: "broken" });
    const id = await functionId(server, "broken");
    await scf.PutProvisionedConcurrencyConfig({ FunctionName: "broken", Qualifier: "1", VersionProvisionedConcurrencyNum: 1 });
    const failed = await eventually(async () => {
      const a = await allocated(scf, "broken", "1");
      return a?.Status === "Failed" ? a : null;
    }, { timeoutMs: 30_000, what: "Failed" });
    assert.equal(failed.AvailableProvisionedConcurrencyNum, 0);
    assert.match(failed.StatusReason ?? "", /could not be loaded/);
    assert.equal(instancesOf(server, id, 1).instances, 0);
    await scf.DeleteProvisionedConcurrencyConfig({ FunctionName: "broken", Qualifier: "1" });
  });

  test("after a restart the configs are there and their instances start again", async () => {
    await server.restart();
    scf = scfClient(server, ALICE);
    const id = await functionId(server, "warm");
    await eventually(async () => (await allocated(scf, "warm", "1"))?.Status === "Done", { timeoutMs: 30_000, what: "Done after the restart" });
    assert.equal(instancesOf(server, id, 1).instances, 2);
  });

  test("deleting the config, or the version, releases the instances", async () => {
    const id = await functionId(server, "warm");
    await scf.DeleteProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "1" });
    assert.deepEqual((await scf.GetProvisionedConcurrencyConfig({ FunctionName: "warm" })).Allocated, []);
    await eventually(() => instancesOf(server, id, 1).instances === 0, { what: "the instances of version 1 to go" });
    // Deleting again is not an error: nothing is kept.
    await scf.DeleteProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "1" });

    await scf.PublishVersion({ FunctionName: "warm" });
    await scf.PutProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "2", VersionProvisionedConcurrencyNum: 1 });
    await eventually(() => instancesOf(server, id, 2).instances === 1, { timeoutMs: 30_000, what: "version 2's instance" });
    await scf.DeleteFunctionVersion({ FunctionName: "warm", Qualifier: "2" });
    await eventually(() => instancesOf(server, id, 2).instances === 0, { what: "version 2's instance to go with it" });
    assert.deepEqual((await scf.GetProvisionedConcurrencyConfig({ FunctionName: "warm" })).Allocated, []);
  });

  test("an alias keeps its version's instances", async () => {
    await scf.PublishVersion({ FunctionName: "warm" });
    await scf.CreateAlias({ FunctionName: "warm", Name: "live", FunctionVersion: "3" });
    const id = await functionId(server, "warm");
    await scf.PutProvisionedConcurrencyConfig({ FunctionName: "warm", Qualifier: "live", VersionProvisionedConcurrencyNum: 1 });
    await eventually(async () => (await allocated(scf, "warm", "live"))?.Status === "Done", { timeoutMs: 30_000, what: "the alias's instance" });
    assert.equal(instancesOf(server, id, 3).instances, 1);
    await scf.DeleteAlias({ FunctionName: "warm", Name: "live" });
    await eventually(() => instancesOf(server, id, 3).instances === 0, { what: "the alias's instance to go with it" });
  });
});

void describe("SCF scheduled provisioned concurrency (virtual clock)", () => {
  let server: TestQuiver;
  let scf: ScfClient;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false }, timers: { clock: "virtual", clockStart: "2030-01-01T00:00:00Z" } });
    scf = scfClient(server, ALICE);
  });
  after(async () => server.stop());

  const advance = async (ms: number): Promise<void> => {
    const r = await fetch(`${server.url}/quiver/v1/clock/advance`, { method: "POST", body: JSON.stringify({ ms }) });
    assert.equal(r.status, 200);
  };

  test("the count follows the crons up and down", async () => {
    await createFunction(scf, { name: "daily", files: HELLO });
    await scf.PublishVersion({ FunctionName: "daily" });
    const id = await functionId(server, "daily");
    await scf.PutProvisionedConcurrencyConfig({
      FunctionName: "daily",
      Qualifier: "1",
      VersionProvisionedConcurrencyNum: 0,
      TriggerActions: [
        { TriggerName: "morning", TriggerProvisionedConcurrencyNum: 2, TriggerCronConfig: "0 0 9 * * * *" },
        { TriggerName: "evening", TriggerProvisionedConcurrencyNum: 0, TriggerCronConfig: "0 0 18 * * * *" },
      ],
    });
    assert.deepEqual(await allocated(scf, "daily", "1"), { Qualifier: "1", AllocatedProvisionedConcurrencyNum: 0, AvailableProvisionedConcurrencyNum: 0, Status: "Done", StatusReason: "", TriggerActions: [
      { TriggerName: "morning", TriggerProvisionedConcurrencyNum: 2, TriggerCronConfig: "0 0 9 * * * *" },
      { TriggerName: "evening", TriggerProvisionedConcurrencyNum: 0, TriggerCronConfig: "0 0 18 * * * *" },
    ] });
    assert.equal(instancesOf(server, id, 1).instances, 0);
    await advance(9 * 3_600_000 - 1_000);
    assert.equal((await allocated(scf, "daily", "1"))?.AllocatedProvisionedConcurrencyNum, 0, "08:59:59: not yet");
    await advance(1_000);
    assert.equal((await allocated(scf, "daily", "1"))?.AllocatedProvisionedConcurrencyNum, 2, "09:00: scaled up");
    await eventually(async () => (await allocated(scf, "daily", "1"))?.Status === "Done", { timeoutMs: 30_000, what: "two instances up" });
    assert.equal(instancesOf(server, id, 1).instances, 2);
    await advance(9 * 3_600_000);
    assert.equal((await allocated(scf, "daily", "1"))?.AllocatedProvisionedConcurrencyNum, 0, "18:00: scaled down");
    await eventually(() => instancesOf(server, id, 1).instances === 0, { what: "the instances released at 18:00" });
  });
});

void describe("SCF reserved concurrency and account totals", () => {
  let server: TestQuiver;
  let scf: ScfClient;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false } });
    scf = scfClient(server, ALICE);
  });
  after(async () => server.stop());

  test("reserved memory caps concurrent executions: the call over it is refused with 432, then runs once there is room", async () => {
    await createFunction(scf, { name: "capped", files: HOLD, memory: 128, timeout: 60 });
    await scf.PutReservedConcurrencyConfig({ FunctionName: "capped", ReservedConcurrencyMem: 256 });
    assert.equal((await scf.GetReservedConcurrencyConfig({ FunctionName: "capped" })).ReservedMem, 256);
    const held = [invoke(scf, "capped", { ms: 6_000 }), invoke(scf, "capped", { ms: 6_000 })];
    await eventually(() => (server.quiver.engine.stats().states["busy"] ?? 0) === 2, { timeoutMs: 5_000, what: "two executions running" });
    const refused = await invoke(scf, "capped", {});
    assert.equal(refused.InvokeResult, 432);
    assert.match((JSON.parse(refused.ErrMsg) as { errorMessage: string }).errorMessage, /reserved concurrency \(256 MB/);
    assert.equal((server.quiver.engine.stats().states["busy"] ?? 0), 2, "the refused call never reached an instance");
    for (const r of await Promise.all(held)) assert.equal(r.InvokeResult, 0, r.ErrMsg);
    assert.equal((await invoke(scf, "capped", {})).InvokeResult, 0);
  });

  test("zero reserved memory refuses every call; deleting the setting lifts the cap", async () => {
    await scf.PutReservedConcurrencyConfig({ FunctionName: "capped", ReservedConcurrencyMem: 0 });
    assert.equal((await invoke(scf, "capped", {})).InvokeResult, 432);
    await scf.DeleteReservedConcurrencyConfig({ FunctionName: "capped" });
    assert.equal((await scf.GetReservedConcurrencyConfig({ FunctionName: "capped" })).ReservedMem, null);
    assert.equal((await invoke(scf, "capped", {})).InvokeResult, 0);
    await expectScfError(scf.GetReservedConcurrencyConfig({ FunctionName: "ghost" }), "ResourceNotFound.Function");
    await expectScfError(scf.PutReservedConcurrencyConfig({ FunctionName: "ghost", ReservedConcurrencyMem: 128 }), "ResourceNotFound.Function");
  });

  test("the namespace total bounds reserved memory; GetAccount shows usage and limits", async () => {
    await createFunction(scf, { name: "other", files: HELLO });
    await scf.PutTotalConcurrencyConfig({ TotalConcurrencyMem: 1000 });
    await scf.PutReservedConcurrencyConfig({ FunctionName: "capped", ReservedConcurrencyMem: 600 });
    await expectScfError(scf.PutReservedConcurrencyConfig({ FunctionName: "other", ReservedConcurrencyMem: 500 }), "LimitExceeded.FunctionReservedConcurrencyMemory");
    await expectScfError(scf.PutTotalConcurrencyConfig({ TotalConcurrencyMem: 599 }), "FailedOperation.ReservedExceedTotal");
    await expectScfError(scf.PutTotalConcurrencyConfig({ TotalConcurrencyMem: 2000, Namespace: "ghost" }), "ResourceNotFound.Namespace");
    const items = (await scf.ListFunctions({ Order: "ASC", Orderby: "FunctionName" })).Functions ?? [];
    assert.deepEqual(items.map((f) => [f.FunctionName, f.ReservedConcurrencyMem]), [["capped", 600], ["other", null]]);
    const account = await scf.GetAccount();
    assert.deepEqual(account.AccountUsage, {
      NamespacesCount: 1,
      Namespace: [{ Functions: ["capped", "other"], Namespace: "default", FunctionsCount: 2, TotalConcurrencyMem: 1000, TotalAllocatedConcurrencyMem: 600, TotalAllocatedProvisionedMem: 0 }],
      TotalConcurrencyMem: 1000,
      TotalAllocatedConcurrencyMem: 600,
      UserConcurrencyMemLimit: 1000,
    });
    const limit = account.AccountLimit?.Namespace?.[0];
    assert.equal(account.AccountLimit?.NamespacesCount, 5);
    assert.equal(limit?.FunctionsCount, 50);
    assert.equal(limit?.ConcurrentExecutions, 64);
    assert.equal(limit?.TimeoutLimit, 900);
    assert.equal(limit?.Trigger?.Timer, 10);
    // Another account sees none of it.
    const bob = await scfClient(server, BOB).GetAccount();
    assert.equal(bob.AccountUsage?.TotalAllocatedConcurrencyMem, 0);
  });
});

void describe("SCF provisioned concurrency within the reserved concurrency", () => {
  let server: TestQuiver;
  let scf: ScfClient;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false } });
    scf = scfClient(server, ALICE);
  });
  after(async () => server.stop());

  test("provisioned instances (× their memory) must fit in the reserved memory, whichever is put second: FailedOperation.ProvisionedExceedReserved", async () => {
    await createFunction(scf, { name: "within", files: HELLO, memory: 128 });
    await scf.PublishVersion({ FunctionName: "within" });
    await scf.CreateAlias({ FunctionName: "within", Name: "live", FunctionVersion: "1" });
    await scf.PutReservedConcurrencyConfig({ FunctionName: "within", ReservedConcurrencyMem: 256 });

    const over = await expectScfError(scf.PutProvisionedConcurrencyConfig({ FunctionName: "within", Qualifier: "1", VersionProvisionedConcurrencyNum: 3 }), "FailedOperation.ProvisionedExceedReserved");
    assert.match(over.message, /384 MB .*over its reserved concurrency of 256 MB/);
    await scf.PutProvisionedConcurrencyConfig({ FunctionName: "within", Qualifier: "1", VersionProvisionedConcurrencyNum: 1 });
    // The alias's configs count with the version's; a scheduled peak counts at its peak.
    const peak = [{ TriggerName: "peak", TriggerProvisionedConcurrencyNum: 2, TriggerCronConfig: "0 0 9 * * * *" }];
    await expectScfError(scf.PutProvisionedConcurrencyConfig({ FunctionName: "within", Qualifier: "live", VersionProvisionedConcurrencyNum: 1, TriggerActions: peak }), "FailedOperation.ProvisionedExceedReserved");
    await scf.PutProvisionedConcurrencyConfig({ FunctionName: "within", Qualifier: "live", VersionProvisionedConcurrencyNum: 1 });
    assert.deepEqual((await scf.GetProvisionedConcurrencyConfig({ FunctionName: "within" })).Allocated?.map((a) => [a.Qualifier, a.AllocatedProvisionedConcurrencyNum]), [["1", 1], ["live", 1]]);

    // Lowering the reserved memory below what is provisioned is refused and changes nothing.
    const lowered = await expectScfError(scf.PutReservedConcurrencyConfig({ FunctionName: "within", ReservedConcurrencyMem: 128 }), "FailedOperation.ProvisionedExceedReserved");
    assert.match(lowered.message, /128 MB is less than the 256 MB/);
    assert.equal((await scf.GetReservedConcurrencyConfig({ FunctionName: "within" })).ReservedMem, 256);

    // Deleting the reservation lifts the check; so does deleting the provisioned configs.
    await scf.DeleteReservedConcurrencyConfig({ FunctionName: "within" });
    await scf.PutProvisionedConcurrencyConfig({ FunctionName: "within", Qualifier: "1", VersionProvisionedConcurrencyNum: 3 });
    await scf.DeleteProvisionedConcurrencyConfig({ FunctionName: "within", Qualifier: "1" });
    await scf.DeleteProvisionedConcurrencyConfig({ FunctionName: "within", Qualifier: "live" });
    await scf.PutReservedConcurrencyConfig({ FunctionName: "within", ReservedConcurrencyMem: 128 });
    assert.equal((await scf.GetReservedConcurrencyConfig({ FunctionName: "within" })).ReservedMem, 128);
  });
});
