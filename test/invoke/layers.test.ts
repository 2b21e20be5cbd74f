/**
 * What a function sees of its layers at run time: their files merged under /opt in the order
 * bound (a later layer's file wins), `require` and `import` of modules from them in Node.js and
 * Python, a published version running the layers it was published with after the head's change,
 * FunctionGraph dependencies the same way, and the same modules found without a sandbox.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { createBody, fg, fgClient, invoke as fgInvoke, resultOf, urnOf, wire } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { call, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { eventually } from "../helpers/eventually.js";
import { zipBase64 } from "../helpers/zip.js";

const NODE_HANDLER = `
const fs = require("node:fs");
exports.main_handler = async () => ({
  greet: require("greet"),
  shout: require("shout"),
  data: fs.existsSync("/opt/data.txt") ? fs.readFileSync("/opt/data.txt", "utf8") : null,
  nodePath: process.env.NODE_PATH,
});
`;

const PYTHON_HANDLER = `
import pymod
import toplevel

def main_handler(event, context):
    return {"pymod": pymod.VALUE, "toplevel": toplevel.VALUE}
`;

async function publish(scf: ScfClient, name: string, files: Record<string, string>, runtimes = ["Nodejs18.15"]): Promise<number> {
  const { LayerVersion } = await scf.PublishLayerVersion({ LayerName: name, CompatibleRuntimes: runtimes, Content: { ZipFile: await zipBase64(files) } });
  assert.ok(LayerVersion !== undefined);
  return LayerVersion;
}

async function createWithLayers(scf: ScfClient, name: string, files: Record<string, string>, layers: [string, number][], runtime = "Nodejs18.15"): Promise<void> {
  await scf.CreateFunction({
    FunctionName: name,
    Runtime: runtime,
    Handler: "index.main_handler",
    Timeout: 30,
    Code: { ZipFile: await zipBase64(files) },
    Layers: layers.map(([LayerName, LayerVersion]) => ({ LayerName, LayerVersion })),
  });
}

function layerSuite(title: string, isolation: "auto" | "none"): void {
  void describe(title, () => {
    let server: TestQuiver;
    let scf: ScfClient;
    /** Known once an instance has started. */
    const sandboxed = (): boolean => server.quiver.engine.stats().isolation === "sandbox";

    before(async () => {
      server = await startQuiver({ engine: { isolation } });
      scf = scfClient(server);
    });
    after(async () => server?.stop());

    void it("Node.js: require finds modules of every layer; a later layer's file replaces an earlier one's", async () => {
      const base = await publish(scf, "base", {
        "nodejs/node_modules/greet/index.js": 'module.exports = "hello from base";',
        "data.txt": "base",
      });
      const extra = await publish(scf, "extra", {
        "nodejs/node_modules/greet/index.js": 'module.exports = "hello from extra";',
        "node_modules/shout/index.js": 'module.exports = "SHOUT";',
        "data.txt": "extra",
      });
      await createWithLayers(scf, "node-layers", { "index.js": NODE_HANDLER }, [["base", base], ["extra", extra]]);
      const seen = (await call(scf, "node-layers")) as Record<string, string | null>;
      assert.equal(seen["greet"], "hello from extra", "the later layer wins");
      assert.equal(seen["shout"], "SHOUT", "both NODE_PATH entries are searched");
      if (sandboxed()) {
        assert.equal(seen["data"], "extra", "the merged layers are at /opt");
        assert.match(seen["nodePath"] ?? "", /\/opt\/nodejs\/node_modules:\/opt\/node_modules:\/opt$/);
      }
    });

    void it("Python: import finds modules in a layer's python/ and at its root", async () => {
      const py = await publish(scf, "pylib", { "python/pymod.py": "VALUE = 'from python/'\n", "toplevel.py": "VALUE = 'from the root'\n" }, ["Python3.9"]);
      await createWithLayers(scf, "py-layers", { "index.py": PYTHON_HANDLER }, [["pylib", py]], "Python3.9");
      assert.deepEqual(await call(scf, "py-layers"), { pymod: "from python/", toplevel: "from the root" });
    });

    void it("a published version keeps running its layers after the head's layers change", async () => {
      const one = await publish(scf, "versioned", { "nodejs/node_modules/greet/index.js": 'module.exports = "one";', "node_modules/shout/index.js": 'module.exports = "s";' });
      await createWithLayers(scf, "pinned", { "index.js": NODE_HANDLER }, [["versioned", one]]);
      assert.equal(((await call(scf, "pinned")) as Record<string, string>)["greet"], "one");
      const { FunctionVersion } = await scf.PublishVersion({ FunctionName: "pinned" });
      const two = await publish(scf, "versioned", { "nodejs/node_modules/greet/index.js": 'module.exports = "two";', "node_modules/shout/index.js": 'module.exports = "s";' });
      await scf.UpdateFunctionConfiguration({ FunctionName: "pinned", Layers: [{ LayerName: "versioned", LayerVersion: two }] });
      assert.equal(((await call(scf, "pinned")) as Record<string, string>)["greet"], "two", "the head runs its new layer at once");
      assert.equal(((await call(scf, "pinned", {}, { Qualifier: FunctionVersion })) as Record<string, string>)["greet"], "one", "the version its own");
      // SCF lets the layer version be deleted; the version still runs it.
      await scf.DeleteLayerVersion({ LayerName: "versioned", LayerVersion: one });
      server.quiver.engine.retire("");
      assert.equal(((await call(scf, "pinned", {}, { Qualifier: FunctionVersion })) as Record<string, string>)["greet"], "one", "a cold start after the delete");
    });

    void it("a cold start of code and layers shown before takes their ready-made copies and sees the same files", async () => {
      const layer = await publish(scf, "spared", {
        "nodejs/node_modules/greet/index.js": 'module.exports = "spared";',
        "node_modules/shout/index.js": 'module.exports = "S";',
        // Next to /opt's own function/ (FunctionGraph's paths): merged, not moved.
        "function/extra.txt": "extra",
        "data.txt": "top",
      });
      const handler = `
const fs = require("node:fs");
exports.main_handler = async () => ({
  greet: require("greet"), shout: require("shout"), lib: require("./lib/deep/x.js"),
  extra: fs.existsSync("/opt/function/extra.txt") ? fs.readFileSync("/opt/function/extra.txt", "utf8") : null,
  runtimeLinks: fs.existsSync("/opt/function/runtime"),
  data: fs.existsSync("/opt/data.txt") ? fs.readFileSync("/opt/data.txt", "utf8") : null,
});`;
      await createWithLayers(scf, "spares", { "index.js": handler, "lib/deep/x.js": 'module.exports = "deep";' }, [["spared", layer]]);
      const first = await call(scf, "spares");
      const { engine } = server.quiver;
      const before = engine.stats().spares;
      if (sandboxed()) await eventually(() => engine.stats().spares.ready >= before.ready + 2, { what: "spares of the code and the layers are made" });
      engine.retire("");
      await eventually(() => engine.stats().states["idle"] === 0, { what: "the warm instance is gone" });
      assert.deepEqual(await call(scf, "spares"), first, "the same view from a spare as from links");
      assert.equal(engine.stats().spares.taken - before.taken, sandboxed() ? 2 : 0, "the code's and the layers' spares were taken (only sandboxes are shown copies)");
      if (sandboxed()) assert.deepEqual(first, { greet: "spared", shout: "S", lib: "deep", extra: "extra", runtimeLinks: true, data: "top" });
    });

    void it("FunctionGraph: a function's dependencies are found by require, its code still at its own root", async () => {
      const client = fgClient(server.url);
      const body = new fg.CreateDependencyRequestBody().withDependType("zip").withRuntime("Node.js18.15").withName("fg-dep")
        .withDependFile(await zipBase64({ "node_modules/fgdep/index.js": 'module.exports = "from a dependency";' }));
      const dep = wire(await client.createDependencyVersion(new fg.CreateDependencyVersionRequest().withBody(body)));
      const code = Buffer.from(await zipBase64({ "index.js": 'exports.handler = async () => ({ dep: require("fgdep"), root: process.env.RUNTIME_CODE_ROOT });' }), "base64");
      await client.createFunction(new fg.CreateFunctionRequest().withBody(createBody(code, "fg-layers").withDependVersionList([String(dep["id"])])));
      const result = resultOf(await fgInvoke(client, urnOf("fg-layers")));
      assert.equal(result["dep"], "from a dependency");
      if (sandboxed()) assert.equal(result["root"], "/opt/function/code");
    });
  });
}

layerSuite("layers at run time (the host's best isolation)", "auto");
layerSuite("layers at run time without a sandbox (isolation none)", "none");

