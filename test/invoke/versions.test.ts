/**
 * Invoke runs exactly the version asked for: `$LATEST` and a published version each run their
 * own code and their own configuration snapshot (env vars, memory, timeout), for every handler
 * style (Node CJS, ESM, async, callback; Python). Also InvokeFunction and its `$DEFAULT`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { call, createFunction, invoke, scfClient } from "../helpers/scf-client.js";
import { zipBase64 } from "../helpers/zip.js";

type Style = "cjs" | "esm" | "callback" | "python";

/** Code that reports its own revision and what it sees of its configuration. */
function code(style: Style, rev: number): Record<string, string> {
  const body = `{ rev: ${rev}, foo: process.env.FOO ?? null, mem: ctx.memory_limit_in_mb, limit: ctx.time_limit_in_ms, ver: ctx.function_version, envVer: process.env.SCF_FUNCTIONVERSION, echo: event.x ?? null }`;
  switch (style) {
    case "cjs":
      return { "index.js": `exports.main_handler = async (event, ctx) => (${body});\n` };
    case "esm":
      return { "index.mjs": `export const main_handler = async (event, ctx) => { await new Promise((r) => setTimeout(r, 1)); return ${body}; };\n` };
    case "callback":
      return { "index.js": `exports.main_handler = (event, ctx, callback) => { setTimeout(() => callback(null, ${body}), 5); };\n` };
    case "python":
      return {
        "index.py": [
          "import os",
          "def main_handler(event, ctx):",
          `    return {"rev": ${rev}, "foo": os.environ.get("FOO"), "mem": ctx["memory_limit_in_mb"], "limit": ctx["time_limit_in_ms"], "ver": ctx["function_version"], "envVer": os.environ.get("SCF_FUNCTIONVERSION"), "echo": event.get("x")}`,
          "",
        ].join("\n"),
      };
  }
}

describe("Invoke runs the version asked for", () => {
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
  });
  after(async () => {
    await server.stop();
  });

  for (const style of ["cjs", "esm", "callback", "python"] as const) {
    it(`${style}: $LATEST and version 1 each run their own code and configuration`, async () => {
      const scf = scfClient(server);
      const name = `ver-${style}`;
      const runtime = style === "python" ? "Python3.9" : "Nodejs18.15";
      await createFunction(scf, { name, runtime, files: code(style, 1), env: { FOO: "one" }, memory: 128, timeout: 3 });
      // Warm the head so a stale instance would be reused if keys were wrong.
      assert.deepEqual(await call(scf, name, { x: "a" }), { rev: 1, foo: "one", mem: 128, limit: 3000, ver: "$LATEST", envVer: "$LATEST", echo: "a" });

      const published = await scf.PublishVersion({ FunctionName: name });
      assert.equal(published.FunctionVersion, "1");
      await scf.UpdateFunctionCode({ FunctionName: name, Handler: "index.main_handler", Code: { ZipFile: await zipOf(style, 2) } });
      await scf.UpdateFunctionConfiguration({ FunctionName: name, MemorySize: 256, Timeout: 5, Environment: { Variables: [{ Key: "FOO", Value: "two" }] } });

      assert.deepEqual(await call(scf, name, { x: "b" }), { rev: 2, foo: "two", mem: 256, limit: 5000, ver: "$LATEST", envVer: "$LATEST", echo: "b" });
      assert.deepEqual(await call(scf, name, { x: "c" }, { Qualifier: "1" }), { rev: 1, foo: "one", mem: 128, limit: 3000, ver: "1", envVer: "1", echo: "c" });
      // Explicit $LATEST and the default are the same thing.
      assert.deepEqual(await call(scf, name, { x: "d" }, { Qualifier: "$LATEST" }), { rev: 2, foo: "two", mem: 256, limit: 5000, ver: "$LATEST", envVer: "$LATEST", echo: "d" });
    });
  }

  it("InvokeFunction defaults to $DEFAULT ($LATEST until the alias changes) and takes an Event", async () => {
    const scf = scfClient(server);
    const name = "invfn";
    await createFunction(scf, { name, files: code("cjs", 1), env: { FOO: "one" } });
    await scf.PublishVersion({ FunctionName: name });
    await scf.UpdateFunctionCode({ FunctionName: name, Handler: "index.main_handler", Code: { ZipFile: await zipOf("cjs", 2) } });

    const viaDefault = await scf.InvokeFunction({ FunctionName: name, Event: JSON.stringify({ x: "e" }) });
    assert.equal(viaDefault.Result?.InvokeResult, 0);
    assert.equal((JSON.parse(viaDefault.Result?.RetMsg ?? "null") as { rev: number }).rev, 2);
    // Without an Event the handler gets {}.
    const noEvent = await scf.InvokeFunction({ FunctionName: name });
    assert.equal((JSON.parse(noEvent.Result?.RetMsg ?? "null") as { echo: unknown }).echo, null);

    await scf.UpdateAlias({ FunctionName: name, Name: "$DEFAULT", FunctionVersion: "1" });
    const afterAlias = await scf.InvokeFunction({ FunctionName: name, Event: "{}" });
    assert.equal((JSON.parse(afterAlias.Result?.RetMsg ?? "null") as { rev: number; ver: string }).rev, 1);
    // Invoke still defaults to $LATEST.
    assert.equal(((await call(scf, name)) as { rev: number }).rev, 2);
    // Qualifier $DEFAULT on Invoke goes through the alias too.
    assert.equal(((await call(scf, name, {}, { Qualifier: "$DEFAULT" })) as { rev: number }).rev, 1);
    // InvokeFunction with an explicit version.
    const explicit = await scf.InvokeFunction({ FunctionName: name, Qualifier: "$LATEST", Event: "{}" });
    assert.equal((JSON.parse(explicit.Result?.RetMsg ?? "null") as { rev: number }).rev, 2);
  });

  it("RetMsg carries a returned string as it is, other values as JSON", async () => {
    const scf = scfClient(server);
    await createFunction(scf, { name: "retmsg", files: { "index.js": "exports.main_handler = async (e) => e.kind === 'str' ? 'hello from scf' : e.kind === 'none' ? undefined : [1, { a: null }];\n" } });
    assert.equal((await invoke(scf, "retmsg", { kind: "str" })).RetMsg, "hello from scf");
    assert.equal((await invoke(scf, "retmsg", { kind: "arr" })).RetMsg, '[1,{"a":null}]');
    assert.equal((await invoke(scf, "retmsg", { kind: "none" })).RetMsg, "null");
  });
});

function zipOf(style: Style, rev: number): Promise<string> {
  return zipBase64(code(style, rev));
}
