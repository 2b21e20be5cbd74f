/**
 * Asynchronous invocations (`InvocationType: "Event"`): accepted with a FunctionRequestId,
 * observable through GetAsyncEventStatus (RUNNING → FINISHED / FAILED), private to the account,
 * and durable: accepted invocations survive the server being SIGKILLed and finish after restart.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { BOB } from "../helpers/accounts.js";
import { startQuiver, testDirs, type TestQuiver } from "../helpers/quiver.js";
import { createFunction, errorCode, scfClient, waitAsync, type ScfClient } from "../helpers/scf-client.js";
import { zipBase64 } from "../helpers/zip.js";

const SLOW = `
exports.main_handler = async (event) => {
  await new Promise((r) => setTimeout(r, event.ms ?? 0));
  if (event.fail) throw new Error("async failure");
  return { done: event.n ?? null };
};
`;

async function invokeAsync(scf: ScfClient, name: string, event: unknown): Promise<string> {
  const r = await scf.Invoke({ FunctionName: name, InvocationType: "Event", ClientContext: JSON.stringify(event) });
  const id = r.Result?.FunctionRequestId ?? "";
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.equal(r.Result?.RetMsg, "");
  return id;
}

describe("asynchronous invocations", () => {
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    await createFunction(scfClient(server), { name: "slow", files: { "index.js": SLOW }, timeout: 10 });
  });
  after(async () => {
    await server.stop();
  });

  it("RUNNING then FINISHED; a failing function ends FAILED with its status code", async () => {
    const scf = scfClient(server);
    const ok = await invokeAsync(scf, "slow", { ms: 800, n: 1 });
    const first = (await scf.GetAsyncEventStatus({ InvokeRequestId: ok })).Result;
    assert.equal(first?.Status, "RUNNING");
    assert.equal(first?.InvokeRequestId, ok);
    const done = await waitAsync(scf, ok);
    assert.equal(done.Status, "FINISHED");
    assert.equal(done.StatusCode, 200);

    const bad = await invokeAsync(scf, "slow", { fail: true });
    const failed = await waitAsync(scf, bad);
    assert.equal(failed.Status, "FAILED");
    assert.equal(failed.StatusCode, 430);
  });

  it("unknown ids and other accounts' ids are ResourceNotFound.AsyncEvent; events over 128 KB are refused", async () => {
    const scf = scfClient(server);
    assert.equal(await errorCode(scf.GetAsyncEventStatus({ InvokeRequestId: "00000000-0000-0000-0000-000000000000" })), "ResourceNotFound.AsyncEvent");
    const id = await invokeAsync(scf, "slow", { n: 2 });
    assert.equal(await errorCode(scfClient(server, BOB).GetAsyncEventStatus({ InvokeRequestId: id })), "ResourceNotFound.AsyncEvent");
    assert.equal((await waitAsync(scf, id)).Status, "FINISHED");
    const big = JSON.stringify({ pad: "x".repeat(130 * 1024) });
    assert.equal(await errorCode(scf.Invoke({ FunctionName: "slow", InvocationType: "Event", ClientContext: big })), "InvalidParameter.RequestTooLarge");
    // The same event is fine synchronously (limit 6 MB).
    const sync = await scf.Invoke({ FunctionName: "slow", ClientContext: big });
    assert.equal(sync.Result?.InvokeResult, 0);
  });

  it("an async invocation of a version runs that version", async () => {
    const scf = scfClient(server);
    await createFunction(scf, { name: "async-ver", files: { "index.js": "exports.main_handler = async () => 1;" } });
    await scf.PublishVersion({ FunctionName: "async-ver" });
    await scf.UpdateFunctionCode({ FunctionName: "async-ver", Handler: "index.main_handler", ZipFile: await zipBase64({ "index.js": "exports.main_handler = async () => { throw new Error('v2 fails'); };" }) });
    const v1 = await scf.Invoke({ FunctionName: "async-ver", Qualifier: "1", InvocationType: "Event", ClientContext: "{}" });
    const latest = await invokeAsync(scf, "async-ver", {});
    assert.equal((await waitAsync(scf, v1.Result?.FunctionRequestId ?? "")).Status, "FINISHED");
    assert.equal((await waitAsync(scf, latest)).Status, "FAILED");

    // ListAsyncEvents shows both, newest first, and filters by status, qualifier and id.
    const all = await scf.ListAsyncEvents({ FunctionName: "async-ver" });
    assert.equal(all.TotalCount, 2);
    assert.deepEqual(all.EventList.map((e) => e.InvokeRequestId), [latest, v1.Result?.FunctionRequestId]);
    assert.deepEqual(all.EventList.map((e) => [e.Qualifier, e.Status, e.InvokeType]), [["$LATEST", "FAILED", "invoke"], ["1", "FINISHED", "invoke"]]);
    assert.ok(all.EventList.every((e) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(e.StartTime) && e.EndTime !== ""));
    const failedOnly = await scf.ListAsyncEvents({ FunctionName: "async-ver", Status: ["FAILED"] });
    assert.deepEqual(failedOnly.EventList.map((e) => e.InvokeRequestId), [latest]);
    const byVersion = await scf.ListAsyncEvents({ FunctionName: "async-ver", Qualifier: "1", Order: "ASC" });
    assert.deepEqual(byVersion.EventList.map((e) => e.InvokeRequestId), [v1.Result?.FunctionRequestId]);
    const byId = await scf.ListAsyncEvents({ FunctionName: "async-ver", InvokeRequestId: latest, Limit: 1 });
    assert.equal(byId.TotalCount, 1);
    assert.equal(await errorCode(scf.ListAsyncEvents({ FunctionName: "no-such-function" })), "ResourceNotFound.Function");
  });
});

describe("accepted async invocations survive a SIGKILL of the server", () => {
  it("every accepted invocation reaches FINISHED after a restart on the same data dir", async () => {
    const dirs = testDirs();
    // Two at a time: when the server dies some are running and some still queued.
    const engine = { asyncConcurrency: 2 };
    let server = await startQuiver({ mode: "process", dirs, rateLimits: { enabled: false, overrides: {} }, engine });
    try {
      await createFunction(scfClient(server), { name: "durable", files: { "index.js": SLOW }, timeout: 10 });
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) ids.push(await invokeAsync(scfClient(server), "durable", { ms: 1500, n }));
      await server.kill();

      server = await startQuiver({ mode: "process", dirs, rateLimits: { enabled: false, overrides: {} }, engine });
      for (const id of ids) {
        const status = await waitAsync(scfClient(server), id, 40_000);
        assert.equal(status.Status, "FINISHED", `invocation ${id}`);
        assert.equal(status.StatusCode, 200);
      }
      // And the restarted server serves synchronous invokes as usual.
      const r = await scfClient(server).Invoke({ FunctionName: "durable", ClientContext: '{"n":9}' });
      assert.equal(r.Result?.RetMsg, '{"done":9}');
    } finally {
      await server.stop();
      dirs.remove();
    }
  });
});
