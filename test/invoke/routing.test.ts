/**
 * Who can invoke what, and which version an alias runs: accounts are isolated; weighted
 * aliases split traffic exactly; RoutingKey rules (exact, range) pick the additional version;
 * UpdateAlias takes effect on the very next invoke. Also the concurrency cap and wait queue.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { BOB } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { call, createFunction, errorCode, invoke, waitAsync, scfClient } from "../helpers/scf-client.js";
import { zipBase64 } from "../helpers/zip.js";
import { eventually } from "../helpers/eventually.js";

const versionCode = (n: number): Record<string, string> => ({ "index.js": `exports.main_handler = async () => ${n};\n` });

describe("accounts and aliases", () => {
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    const scf = scfClient(server);
    await createFunction(scf, { name: "routed", files: versionCode(1) });
    await scf.PublishVersion({ FunctionName: "routed" });
    await scf.UpdateFunctionCode({ FunctionName: "routed", Handler: "index.main_handler", ZipFile: await zipBase64(versionCode(2)) });
    await scf.PublishVersion({ FunctionName: "routed" });
    await scf.UpdateFunctionCode({ FunctionName: "routed", Handler: "index.main_handler", ZipFile: await zipBase64(versionCode(3)) });
  });
  after(async () => {
    await server.stop();
  });

  it("one account cannot invoke another's function", async () => {
    const bob = scfClient(server, BOB);
    assert.equal(await errorCode(bob.Invoke({ FunctionName: "routed" })), "ResourceNotFound.Function");
    assert.equal(await errorCode(bob.Invoke({ FunctionName: "routed", Qualifier: "1" })), "ResourceNotFound.Function");
    assert.equal(await errorCode(bob.Invoke({ FunctionName: "routed", InvocationType: "Event" })), "ResourceNotFound.Function");
    assert.equal(await errorCode(bob.InvokeFunction({ FunctionName: "routed" })), "ResourceNotFound.Function");
    // Bob may have a function of the same name; each runs its own.
    await createFunction(bob, { name: "routed", files: versionCode(42) });
    assert.equal(await call(bob, "routed"), 42);
    assert.equal(await call(scfClient(server), "routed"), 3);
  });

  it("a 10 % weighted alias sends 9 to 11 of 100 invokes to the additional version", async () => {
    const scf = scfClient(server);
    await scf.CreateAlias({ FunctionName: "routed", Name: "canary", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: [{ Version: "2", Weight: 0.1 }] } });
    const counts = new Map<unknown, number>();
    for (let i = 0; i < 100; i++) {
      const v = await call(scf, "routed", {}, { Qualifier: "canary" });
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const two = counts.get(2) ?? 0;
    assert.ok(two >= 9 && two <= 11, `version 2 ran ${two} times`);
    assert.equal((counts.get(1) ?? 0) + two, 100);
    // InvokeFunction and async invokes honour the alias as well.
    const viaFn = await scf.InvokeFunction({ FunctionName: "routed", Qualifier: "canary" });
    assert.ok(["1", "2"].includes(viaFn.Result?.RetMsg ?? ""));
  });

  it("over 10,000 invokes a 10 % alias runs the additional version 1,000 times", async () => {
    const scf = scfClient(server);
    await scf.CreateAlias({ FunctionName: "routed", Name: "tenk", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: [{ Version: "2", Weight: 0.1 }] } });
    let two = 0;
    let left = 10_000;
    // 16 callers at once: the split is decided per invocation by one counter, so concurrency
    // does not change the total.
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (left > 0) {
        left -= 1;
        if ((await call(scf, "routed", {}, { Qualifier: "tenk" })) === 2) two += 1;
      }
    }));
    assert.ok(Math.abs(two - 1000) <= 1, `version 2 ran ${two} times of 10,000`);
  });

  it("RoutingKey rules: exact and range matches pick the additional version", async () => {
    const scf = scfClient(server);
    await scf.CreateAlias({
      FunctionName: "routed",
      Name: "byuser",
      FunctionVersion: "1",
      RoutingConfig: { AddtionVersionMatchs: [{ Version: "2", Key: "invoke.headers.User", Method: "exact", Expression: "vip" }] },
    });
    assert.equal(await call(scf, "routed", {}, { Qualifier: "byuser", RoutingKey: '{"User":"vip"}' }), 2);
    assert.equal(await call(scf, "routed", {}, { Qualifier: "byuser", RoutingKey: '{"User":"regular"}' }), 1);
    assert.equal(await call(scf, "routed", {}, { Qualifier: "byuser" }), 1);

    await scf.CreateAlias({
      FunctionName: "routed",
      Name: "byrange",
      FunctionVersion: "$LATEST",
      RoutingConfig: { AddtionVersionMatchs: [{ Version: "1", Key: "invoke.headers.Uid", Method: "range", Expression: "[10,20)" }] },
    });
    assert.equal(await call(scf, "routed", {}, { Qualifier: "byrange", RoutingKey: '{"Uid":"10"}' }), 1);
    assert.equal(await call(scf, "routed", {}, { Qualifier: "byrange", RoutingKey: '{"Uid":"19"}' }), 1);
    assert.equal(await call(scf, "routed", {}, { Qualifier: "byrange", RoutingKey: '{"Uid":"20"}' }), 3);
    assert.equal(await call(scf, "routed", {}, { Qualifier: "byrange", RoutingKey: '{"Uid":"abc"}' }), 3);
    const viaFn = await scf.InvokeFunction({ FunctionName: "routed", Qualifier: "byrange", RoutingKey: '{"Uid":"15"}' });
    assert.equal(viaFn.Result?.RetMsg, "1");
    assert.match(await errorCode(scf.Invoke({ FunctionName: "routed", Qualifier: "byrange", RoutingKey: "not json" })), /^InvalidParameter/);
  });

  it("UpdateAlias takes effect on the very next invoke", async () => {
    const scf = scfClient(server);
    await scf.CreateAlias({ FunctionName: "routed", Name: "live", FunctionVersion: "1" });
    assert.equal(await call(scf, "routed", {}, { Qualifier: "live" }), 1);
    await scf.UpdateAlias({ FunctionName: "routed", Name: "live", FunctionVersion: "2" });
    assert.equal(await call(scf, "routed", {}, { Qualifier: "live" }), 2);
    await scf.UpdateAlias({ FunctionName: "routed", Name: "live", FunctionVersion: "$LATEST" });
    assert.equal(await call(scf, "routed", {}, { Qualifier: "live" }), 3);
    await scf.UpdateAlias({ FunctionName: "routed", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: [{ Version: "2", Weight: 1 }] } });
    assert.equal(await call(scf, "routed", {}, { Qualifier: "live" }), 2);
    const log = await invoke(scf, "routed", {}, { Qualifier: "live", LogType: "Tail" });
    assert.match(log.Log, /Version: 2\b/, "the log names the version the alias chose");
    await scf.DeleteAlias({ FunctionName: "routed", Name: "live" });
    assert.equal(await errorCode(scf.Invoke({ FunctionName: "routed", Qualifier: "live" })), "ResourceNotFound.Qualifier");
  });
});

const SLEEPER = `
exports.main_handler = async (event) => {
  await new Promise((r) => setTimeout(r, event.ms ?? 0));
  return "slept " + (event.ms ?? 0);
};
`;

describe("concurrency cap and wait queue", () => {
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, engine: { maxInstancesPerFunction: 1, queueLimit: 1, queueTimeoutMs: 1500 } });
    await createFunction(scfClient(server), { name: "sleeper", files: { "index.js": SLEEPER }, timeout: 10 });
    await createFunction(scfClient(server), { name: "other", files: { "index.js": SLEEPER }, timeout: 10 });
    // Warm the single instance so the cases below measure queueing, not cold starts.
    assert.equal(await call(scfClient(server), "sleeper"), "slept 0");
  });
  after(async () => {
    await server.stop();
  });

  it("one runs, one waits and then succeeds, the overflow gets 432", async () => {
    const results = await Promise.all([600, 0, 0].map((ms) => invoke(scfClient(server), "sleeper", { ms })));
    const statuses = results.map((r) => r.InvokeResult).sort((a, b) => a - b);
    assert.deepEqual(statuses, [0, 0, 432], JSON.stringify(results.map((r) => r.ErrMsg)));
    const limited = results.find((r) => r.InvokeResult === 432);
    assert.equal(limited && JSON.parse(limited.ErrMsg).statusCode, 432);
    assert.equal(await call(scfClient(server), "sleeper"), "slept 0");
  });

  it("a waiter that outlives queueTimeoutMs gets 432; other functions are not affected", async () => {
    const long = invoke(scfClient(server), "sleeper", { ms: 4000 });
    // The long call takes the instance first: wait until the engine reports it busy.
    await eventually(() => server.quiver.engine.stats().states.busy === 1, { what: "the long call holds the instance" });
    const waiter = invoke(scfClient(server), "sleeper", { ms: 0 });
    assert.equal(await call(scfClient(server), "other", { ms: 0 }), "slept 0");
    assert.equal((await waiter).InvokeResult, 432);
    assert.equal((await long).InvokeResult, 0);
    assert.equal(await call(scfClient(server), "sleeper"), "slept 0");
  });

  it("async invocations that meet a busy function wait their turn instead of failing", async () => {
    const scf = scfClient(server);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await scf.Invoke({ FunctionName: "sleeper", InvocationType: "Event", ClientContext: '{"ms":300}' });
      ids.push(r.Result?.FunctionRequestId ?? "");
    }
    for (const id of ids) assert.equal((await waitAsync(scf, id)).Status, "FINISHED");
  });
});
