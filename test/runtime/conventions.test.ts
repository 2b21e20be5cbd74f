import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import type { Engine } from "../../src/runtime/index.js";
import { fixture, request, succeeded, type Fixture } from "./helpers.js";

type Json = Record<string, unknown>;

const ok = (o: { error: unknown; result: string }): Json => succeeded(o) as Json;

const NODE_DUMP = "exports.main_handler = async (e, ctx) => ({ ctx, env: process.env });";
const NODE_FGS = `exports.handler = async (e, ctx) => {
  ctx.getLogger().info('via logger');
  return { id: ctx.getRequestID(), name: ctx.getFunctionName(), ver: ctx.getVersion(), mem: ctx.getMemorySize(),
    cpu: ctx.getCPUNumber(), run: ctx.getRunningTimeInSeconds(), left: ctx.getRemainingTimeInMilliSeconds(),
    pid: ctx.getProjectID(), pkg: ctx.getPackage(), ud: ctx.getUserData('COLOR'), ak: ctx.getAccessKey(),
    sk: ctx.getSecretKey(), tok: ctx.getToken(), env: process.env };
};`;
const PY_FGS = `import os
def handler(event, context):
    context.getLogger().info('via logger')
    return {'id': context.getRequestID(), 'name': context.getFunctionName(), 'mem': context.getMemorySize(),
            'ud': context.getUserData('COLOR'), 'left': context.getRemainingTimeInMilliSeconds(),
            'snake': context.get_function_name(), 'env': dict(os.environ)}
`;

void describe("handler conventions and environment", () => {
  let f: Fixture;
  let engine: Engine;
  before(async () => {
    // Secrets in the engine's own environment must never reach a function.
    process.env.QUIVER_TEST_SECRET = "s3cret";
    process.env.NODE_EXTRA_CA_CERTS ??= "/etc/ssl/certs/ca-certificates.crt";
    f = await fixture();
    engine = f.engine({ prewarm: { nodejs: 1, python: 1 } });
    await engine.ready();
  });
  after(() => engine.close());

  void it("gives Node SCF functions the documented context and env, and nothing else", async () => {
    const sha = await f.zip({ "index.js": NODE_DUMP });
    const req = request({ sha, environment: { COLOR: "blue" }, memoryMb: 256, timeoutSec: 7 });
    const { ctx, env } = ok(await engine.invoke(req)) as { ctx: Json; env: Record<string, string> };
    assert.equal(ctx.request_id, req.requestId);
    assert.equal(ctx.memory_limit_in_mb, 256);
    assert.equal(ctx.time_limit_in_ms, 7000);
    assert.equal(ctx.function_name, "fn");
    assert.equal(ctx.function_version, "$LATEST");
    assert.equal(ctx.namespace, "default");
    assert.equal(ctx.tencentcloud_region, "ap-guangzhou");
    assert.equal(ctx.tencentcloud_appid, "1250000000");
    assert.equal(ctx.tencentcloud_uin, "100000000001");
    assert.equal(ctx.callbackWaitsForEmptyEventLoop, true);
    assert.deepEqual(JSON.parse(ctx.environment as string), { COLOR: "blue", SCF_NAMESPACE: "default" });
    assert.equal(ctx.environ, "COLOR=blue;SCF_NAMESPACE=default");
    assert.equal(env.COLOR, "blue");
    assert.equal(env.SCF_FUNCTIONNAME, "fn");
    assert.equal(env.SCF_FUNCTIONVERSION, "$LATEST");
    assert.equal(env.SCF_NAMESPACE, "default");
    assert.equal(env.SCF_RUNTIME, "Nodejs18.15");
    assert.equal(env.TENCENTCLOUD_RUNENV, "SCF");
    assert.equal(env.TENCENTCLOUD_APPID, "1250000000");
    assert.equal(env.TENCENTCLOUD_UIN, "100000000001");
    assert.equal(env.TENCENTCLOUD_REGION, "ap-guangzhou");
    // In a sandbox the code is at SCF's documented path; without one, in place in the cache.
    if (engine.stats().isolation === "sandbox") assert.equal(env.USER_CODE_ROOT, "/var/user");
    else assert.ok(env.USER_CODE_ROOT?.endsWith(sha), env.USER_CODE_ROOT);
    assert.equal(env.NODE_EXTRA_CA_CERTS, undefined);
    assert.equal(env.QUIVER_TEST_SECRET, undefined);
    assert.equal(env.NODE_OPTIONS, undefined);
  });

  void it("gives Python SCF functions a dict context and the same env", async () => {
    const sha = await f.zip({ "index.py": "import os\ndef main_handler(event, context):\n    return {'ctx': context, 'env': dict(os.environ)}\n" });
    const req = request({ sha, family: "python", environment: { COLOR: "red" } });
    const { ctx, env } = ok(await engine.invoke(req)) as { ctx: Json; env: Record<string, string> };
    assert.equal(ctx.request_id, req.requestId);
    assert.equal(ctx.tencentcloud_appid, "1250000000");
    assert.equal(env.COLOR, "red");
    assert.equal(env.SCF_RUNTIME, "Python3.9");
    assert.equal(env.QUIVER_TEST_SECRET, undefined);
    assert.equal(env.NODE_EXTRA_CA_CERTS, undefined);
  });

  void it("gives Node FunctionGraph functions context methods and RUNTIME_* vars", async () => {
    const sha = await f.zip({ "index.js": NODE_FGS });
    const req = request({ sha, handler: "index.handler", convention: "fgs", environment: { COLOR: "green" }, timeoutSec: 5, contextValues: { projectId: "proj1" } });
    const o = await engine.invoke(req);
    const r = ok(o) as Json & { env: Record<string, string> };
    assert.equal(r.id, req.requestId);
    assert.equal(r.name, "fn");
    assert.equal(r.ver, "latest", "FunctionGraph names the head latest");
    assert.equal(r.mem, 128);
    assert.equal(r.cpu, 300, "128 MB: 128/128*100 + 200 millicores");
    assert.equal(r.run, 5);
    assert.ok((r.left as number) > 4000 && (r.left as number) <= 5000);
    assert.equal(r.pid, "proj1");
    assert.equal(r.pkg, "default");
    assert.equal(r.ud, "green");
    assert.equal(r.ak, "");
    assert.equal(r.sk, "");
    assert.equal(r.tok, "");
    assert.match(o.log, /via logger/);
    assert.equal(r.env.RUNTIME_FUNC_NAME, "fn");
    assert.equal(r.env.RUNTIME_PROJECT_ID, "proj1");
    assert.equal(r.env.RUNTIME_HANDLER, "index.handler");
    assert.equal(r.env.RUNTIME_TIMEOUT, "5");
    assert.equal(r.env.RUNTIME_MEMORY, "128");
    assert.deepEqual(JSON.parse(r.env.RUNTIME_USERDATA ?? ""), { COLOR: "green" });
    if (engine.stats().isolation === "sandbox") assert.equal(r.env.RUNTIME_CODE_ROOT, "/opt/function/code");
    else assert.ok(r.env.RUNTIME_CODE_ROOT?.endsWith(sha), r.env.RUNTIME_CODE_ROOT);
    assert.equal(r.env.COLOR, "green");
    assert.equal(r.env.SCF_FUNCTIONNAME, undefined);
    assert.equal(r.env.QUIVER_TEST_SECRET, undefined);
  });

  void it("gives Python FunctionGraph functions the same methods (camel and snake case)", async () => {
    const sha = await f.zip({ "index.py": PY_FGS });
    const req = request({ sha, family: "python", handler: "index.handler", convention: "fgs", environment: { COLOR: "teal" } });
    const o = await engine.invoke(req);
    const r = ok(o) as Json & { env: Record<string, string> };
    assert.equal(r.id, req.requestId);
    assert.equal(r.name, "fn");
    assert.equal(r.snake, "fn");
    assert.equal(r.mem, 128);
    assert.equal(r.ud, "teal");
    assert.ok((r.left as number) > 0);
    assert.match(o.log, /via logger/);
    assert.equal(r.env.RUNTIME_FUNC_VERSION, "latest");
  });
});
