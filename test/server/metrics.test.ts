/**
 * `GET /metrics`: the Prometheus text format (read by a strict parser of the format), counters
 * that match the invocations and API requests made, the label cap, and the token rule: open on
 * a loopback listener, a bearer token required beyond it.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/config.js";
import { createQuiver } from "../../src/server/app.js";
import { after, before, describe, it } from "../helpers/node-test.js";
import { parseExposition, type Exposition } from "../helpers/prometheus.js";
import { startQuiver, testConfig, testDirs, type TestQuiver } from "../helpers/quiver.js";
import { createFunction, errorCode, invoke, scfClient } from "../helpers/scf-client.js";
import { sendTc3 } from "../helpers/tc3.js";
import { ALICE } from "../helpers/accounts.js";

const HANDLER = `
exports.main_handler = async (event) => {
  if (event.fail) throw new Error("failed on purpose");
  return "ok";
};
`;

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Exposition> {
  const response = await fetch(`${url}/metrics`, { headers });
  assert.equal(response.status, 200, await response.clone().text());
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

describe("/metrics", () => {
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
  });
  after(async () => {
    await server.stop();
  });

  it("counts invocations by function, version and result, and times them", async () => {
    const scf = scfClient(server);
    await createFunction(scf, { name: "counted", files: { "index.js": HANDLER } });
    for (let i = 0; i < 3; i++) assert.equal((await invoke(scf, "counted")).InvokeResult, 0);
    for (let i = 0; i < 2; i++) assert.notEqual((await invoke(scf, "counted", { fail: true })).InvokeResult, 0);
    await scf.PublishVersion({ FunctionName: "counted" });
    assert.equal((await invoke(scf, "counted", {}, { Qualifier: "1" })).InvokeResult, 0);

    const m = await scrape(server.url);
    const fn = { account: "alice", region: "ap-guangzhou", namespace: "default", function: "counted" };
    assert.equal(m.types.get("quiver_invocations_total"), "counter");
    assert.equal(m.sum("quiver_invocations_total", { ...fn, version: "$LATEST", source: "invoke", result: "success" }), 3);
    assert.equal(m.sum("quiver_invocations_total", { ...fn, version: "$LATEST", result: "function-error" }), 2);
    assert.equal(m.sum("quiver_invocations_total", { ...fn, version: "1", result: "success" }), 1);
    assert.equal(m.sum("quiver_invocations_total", fn), 6);
    assert.equal(m.sum("quiver_invocation_duration_seconds_count", { ...fn, version: "$LATEST" }), 5);
    assert.equal(m.sum("quiver_invocation_duration_seconds_bucket", { ...fn, version: "$LATEST", le: "+Inf" }), 5);
    // One instance served $LATEST (started once), another version 1.
    assert.equal(m.sum("quiver_cold_start_seconds_count", { ...fn, version: "$LATEST" }), 1);
    assert.equal(m.sum("quiver_cold_start_seconds_count", { ...fn, version: "1" }), 1);
    assert.equal(m.sum("quiver_version_publishes_total", { account: "alice" }), 1);
    assert.equal(m.sum("quiver_instances", { runtime: "nodejs18.15", state: "idle" }), 2);
    assert.equal(m.sum("quiver_pool_instances"), 2);
    assert.equal(m.sum("quiver_pool_max_instances"), server.config.engine.maxInstancesTotal);
    assert.equal(m.find("quiver_queue_length", { queue: "async" }).length, 1);
  });

  it("counts API requests by dialect, action and error code", async () => {
    const scf = scfClient(server);
    const before = await scrape(server.url);
    const count = (m: Exposition, action: string, code: string): number => m.sum("quiver_api_requests_total", { dialect: "scf", action, code });
    await scf.ListFunctions({});
    await scf.ListFunctions({});
    assert.equal(await errorCode(scf.GetFunction({ FunctionName: "no-such-function" })), "ResourceNotFound.Function");
    const unknown = await sendTc3(server.url, { action: "NoSuchAction", body: "{}", secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey });
    assert.ok(unknown.body.Response.Error);

    const m = await scrape(server.url);
    assert.equal(count(m, "ListFunctions", "OK") - count(before, "ListFunctions", "OK"), 2);
    assert.equal(count(m, "GetFunction", "FunctionNotFound") - count(before, "GetFunction", "FunctionNotFound"), 1);
    // A made-up action name never becomes a label value.
    assert.equal(count(m, "_unknown", "UnknownAction") - count(before, "_unknown", "UnknownAction"), 1);
    assert.equal(m.find("quiver_api_requests_total", { action: "NoSuchAction" }).length, 0);
    assert.ok(m.sum("quiver_api_request_duration_seconds_count", { dialect: "scf", action: "ListFunctions" }) >= 2);
  });

  it("times the store and reports the process", async () => {
    const m = await scrape(server.url);
    assert.ok(m.sum("quiver_store_operation_seconds_count", { operation: "getFunction", outcome: "ok" }) > 0);
    assert.equal(m.types.get("process_cpu_user_seconds_total"), "counter");
    assert.ok(m.sum("process_resident_memory_bytes") > 0);
    assert.equal(m.types.get("nodejs_eventloop_lag_seconds"), "gauge");
  });
});

describe("/metrics label cap", () => {
  it("gives the first functions and versions their own labels and counts the rest as _other", async () => {
    const server = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, metrics: { maxFunctions: 1, maxVersionsPerFunction: 1 } });
    try {
      const scf = scfClient(server);
      await createFunction(scf, { name: "first", files: { "index.js": HANDLER } });
      await createFunction(scf, { name: "second", files: { "index.js": HANDLER } });
      await scf.PublishVersion({ FunctionName: "first" });
      await invoke(scf, "first");
      await invoke(scf, "first", {}, { Qualifier: "1" });
      await invoke(scf, "second");
      await invoke(scf, "second");
      const m = await scrape(server.url);
      assert.equal(m.sum("quiver_invocations_total", { function: "first", version: "$LATEST" }), 1);
      assert.equal(m.sum("quiver_invocations_total", { function: "first", version: "_other" }), 1);
      assert.equal(m.sum("quiver_invocations_total", { account: "_other", namespace: "_other", function: "_other", version: "_other" }), 2);
      assert.equal(m.find("quiver_invocations_total", { function: "second" }).length, 0);
    } finally {
      await server.stop();
    }
  });
});

describe("/metrics access", () => {
  it("is open on a loopback listener", async () => {
    const server = await startQuiver({ mode: "inject" });
    try {
      const response = await server.inject({ method: "GET", url: "/metrics" });
      assert.equal(response.statusCode, 200);
      parseExposition(response.body);
    } finally {
      await server.stop();
    }
  });

  it("needs the token beyond loopback, and is refused there without one", async () => {
    const token = "metrics-token-0123456789";
    for (const metrics of [{ token }, {}]) {
      const dirs = testDirs();
      const quiver = await createQuiver(parseConfig({ ...testConfig({ metrics }, dirs), host: "0.0.0.0" }));
      try {
        const url = (await quiver.listen()).replace("0.0.0.0", "127.0.0.1");
        const bare = await fetch(`${url}/metrics`);
        const wrong = await fetch(`${url}/metrics`, { headers: { authorization: "Bearer metrics-token-WRONG-456789" } });
        if (metrics.token === undefined) {
          assert.equal(bare.status, 403, "without a token, nobody reads /metrics beyond loopback");
          assert.match(await bare.text(), /--metrics-token/);
          continue;
        }
        assert.equal(bare.status, 401);
        assert.equal(bare.headers.get("www-authenticate"), 'Bearer realm="metrics"');
        assert.equal(wrong.status, 401);
        const m = await scrape(url, { authorization: `Bearer ${token}` });
        assert.ok(m.samples.length > 0);
      } finally {
        await quiver.close();
        dirs.remove();
      }
    }
  });
});
