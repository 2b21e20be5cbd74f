/**
 * What a function sees: SCF's context keys, SCF's built-in environment and the function's own
 * variables — and nothing of Quiver's: not its environment (secrets, NODE_EXTRA_CA_CERTS), not
 * the server process's /proc entries, not the data dir.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ACCOUNTS } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createFunction, invoke, REGION, scfClient } from "../helpers/scf-client.js";

const SECRET = "quiver-test-secret-value-7f3a";

const NODE = `
const fs = require("node:fs");
function attempt(f) { try { f(); return "allowed"; } catch (e) { return e.code ?? String(e); } }
exports.main_handler = async (event, context) => ({
  context,
  env: { ...process.env },
  dataDir: attempt(() => fs.readdirSync(event.dataDir)),
  database: attempt(() => fs.readFileSync(event.dataDir + "/quiver.db")),
  serverEnviron: attempt(() => fs.readFileSync("/proc/" + event.serverPid + "/environ")),
  uid: process.getuid(),
});
`;

const PYTHON = `
import os

def attempt(f):
    try:
        f()
        return "allowed"
    except OSError as e:
        return e.__class__.__name__

def main_handler(event, context):
    return {
        "context": context,
        "env": dict(os.environ),
        "dataDir": attempt(lambda: os.listdir(event["dataDir"])),
        "serverEnviron": attempt(lambda: open("/proc/%d/environ" % event["serverPid"], "rb").read()),
        "uid": os.getuid(),
    }
`;

interface Seen {
  context: Record<string, unknown>;
  env: Record<string, string>;
  dataDir: string;
  database?: string;
  serverEnviron: string;
  uid: number;
}

const alice = ACCOUNTS[0];

describe("the function's view of its environment", () => {
  let server: TestQuiver;
  const saved = { secret: process.env.QUIVER_TEST_SECRET, ca: process.env.NODE_EXTRA_CA_CERTS };
  before(async () => {
    // Secrets in the server's own environment must never reach a function.
    process.env.QUIVER_TEST_SECRET = SECRET;
    process.env.NODE_EXTRA_CA_CERTS = "/etc/ssl/certs/ca-certificates.crt";
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, engine: { prewarm: { nodejs: 1, python: 1 } } });
    await server.quiver.engine.ready();
  });
  after(async () => {
    await server.stop();
    for (const [k, v] of [["QUIVER_TEST_SECRET", saved.secret], ["NODE_EXTRA_CA_CERTS", saved.ca]] as const) {
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    }
  });

  for (const family of ["nodejs", "python"] as const) {
    it(`${family}: SCF context keys, built-in env, own env vars and nothing else`, async () => {
      const scf = scfClient(server);
      const { dataDir } = server;
      const name = `env-${family}`;
      const runtime = family === "python" ? "Python3.9" : "Nodejs18.15";
      await createFunction(scf, {
        name,
        runtime,
        files: family === "python" ? { "index.py": PYTHON } : { "index.js": NODE },
        memory: 256,
        timeout: 7,
        env: { GREETING: "hello", SECOND: "2" },
      });
      await scf.PublishVersion({ FunctionName: name });
      for (const qualifier of ["$LATEST", "1"]) {
        // The server runs in this test process: the function tries to read its environment by pid.
        const r = await invoke(scf, name, { dataDir, serverPid: process.pid }, { Qualifier: qualifier });
        assert.equal(r.InvokeResult, 0, r.ErrMsg);
        const seen = JSON.parse(r.RetMsg) as Seen;

        const userEnv = { GREETING: "hello", SECOND: "2", SCF_NAMESPACE: "default" };
        const expectedContext: Record<string, unknown> = {
          memory_limit_in_mb: 256,
          time_limit_in_ms: 7000,
          request_id: r.FunctionRequestId,
          environment: JSON.stringify(userEnv),
          environ: "GREETING=hello;SECOND=2;SCF_NAMESPACE=default",
          function_version: qualifier,
          function_name: name,
          namespace: "default",
          tencentcloud_region: REGION,
          tencentcloud_appid: alice?.appId,
          tencentcloud_uin: alice?.uin,
        };
        if (family === "nodejs") expectedContext.callbackWaitsForEmptyEventLoop = true;
        assert.deepEqual(seen.context, expectedContext);

        const env = seen.env;
        assert.equal(env.GREETING, "hello");
        assert.equal(env.SECOND, "2");
        assert.equal(env.SCF_FUNCTIONNAME, name);
        assert.equal(env.SCF_FUNCTIONVERSION, qualifier);
        assert.equal(env.SCF_NAMESPACE, "default");
        assert.equal(env.SCF_RUNTIME, family === "python" ? "Python3.9" : "Nodejs18.15");
        assert.equal(env.TENCENTCLOUD_REGION, REGION);
        assert.equal(env.TENCENTCLOUD_APPID, alice?.appId);
        assert.equal(env.TENCENTCLOUD_UIN, alice?.uin);
        assert.equal(env.TENCENTCLOUD_RUNENV, "SCF");
        assert.equal(env.TENCENTCLOUD_TZ, "UTC");
        assert.ok(env.USER_CODE_ROOT);
        const allowed = new Set([
          "GREETING", "SECOND",
          "SCF_RUNTIME", "SCF_FUNCTIONNAME", "SCF_FUNCTIONVERSION", "SCF_NAMESPACE",
          "TENCENTCLOUD_REGION", "TENCENTCLOUD_APPID", "TENCENTCLOUD_UIN", "TENCENTCLOUD_RUNENV", "TENCENTCLOUD_TZ", "USER_CODE_ROOT",
          "PATH", "HOME", "TMPDIR", "PWD", "LANG",
          family === "python" ? "PYTHONPATH" : "NODE_PATH",
        ]);
        assert.deepEqual(Object.keys(env).filter((k) => !allowed.has(k)), [], "no variable beyond the documented ones");
        assert.ok(!JSON.stringify(seen).includes(SECRET), "the server's secret is invisible");

        assert.notEqual(seen.uid, 0, "functions do not run as root");
        assert.notEqual(seen.dataDir, "allowed", "the data dir is unreadable");
        if (family === "nodejs") assert.notEqual(seen.database, "allowed", "the database is unreadable");
        assert.notEqual(seen.serverEnviron, "allowed", "the server's /proc environ is unreadable");
      }
    });
  }
});
