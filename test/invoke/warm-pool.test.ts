/**
 * Warm instances follow what can still run: an alias in use keeps one warm instance of every
 * version it routes to (so a canary, promotion or rollback is served warm), and deleting a
 * version, deleting a function or replacing the head retires the instances of the old code.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, createFunction, startServer, zip, type TestServer } from "../helpers/invoke-server.js";

const versionCode = (n: number): Record<string, string> => ({ "index.js": `exports.main_handler = async () => ${n};\n` });

/** Instance keys of the engine with at least one instance, by the function's versions. */
function warmKeys(server: TestServer): string[] {
  return Object.entries(server.quiver.engine.stats().perKey)
    .filter(([, s]) => s.instances > 0)
    .map(([key]) => key);
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe("warm instances follow aliases and deletes", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
    const { scf } = server;
    await createFunction(scf, { name: "canary", files: versionCode(1) });
    await scf.PublishVersion({ FunctionName: "canary" });
    await scf.UpdateFunctionCode({ FunctionName: "canary", Handler: "index.main_handler", ZipFile: await zip(versionCode(2)) });
    await scf.PublishVersion({ FunctionName: "canary" });
  });
  after(async () => {
    await server.close();
  });

  it("an alias in use warms the version it does not route this call to, and a rollback runs on it", async () => {
    const { scf } = server;
    await scf.CreateAlias({ FunctionName: "canary", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: [{ Version: "2", Weight: 0 }] } });
    assert.equal(await call(scf, "canary", {}, { Qualifier: "live" }), 1);
    // Version 2 got no traffic, yet it is kept warm because the alias routes to it.
    await eventually(() => warmKeys(server).filter((k) => /\/v[12]\//.test(k)).length === 2, "both alias versions are warm");
    const before = warmKeys(server).length;
    await scf.UpdateAlias({ FunctionName: "canary", Name: "live", FunctionVersion: "2" });
    assert.equal(await call(scf, "canary", {}, { Qualifier: "live" }), 2);
    // Served by the pre-warmed instance: no new instance was needed.
    assert.equal(warmKeys(server).length, before);
  });

  it("deleting a version retires its warm instances", async () => {
    const { scf } = server;
    await scf.UpdateFunctionCode({ FunctionName: "canary", Handler: "index.main_handler", ZipFile: await zip(versionCode(3)) });
    const { FunctionVersion } = await scf.PublishVersion({ FunctionName: "canary" });
    assert.equal(await call(scf, "canary", {}, { Qualifier: String(FunctionVersion) }), 3);
    const count = (): number => warmKeys(server).length;
    const withThree = count();
    await scf.DeleteFunctionVersion({ FunctionName: "canary", Qualifier: String(FunctionVersion) });
    await eventually(() => count() === withThree - 1, "the deleted version's instance is retired");
  });

  it("replacing the head retires the old head's instances, and deleting the function retires all", async () => {
    const { scf } = server;
    assert.equal(await call(scf, "canary"), 3);
    const heads = (): number => warmKeys(server).filter((k) => k.includes("/head/")).length;
    assert.equal(heads(), 1);
    await scf.UpdateFunctionCode({ FunctionName: "canary", Handler: "index.main_handler", ZipFile: await zip(versionCode(4)) });
    await eventually(() => heads() === 0, "the old head is retired");
    assert.equal(await call(scf, "canary"), 4);
    await scf.DeleteFunction({ FunctionName: "canary" });
    await eventually(() => warmKeys(server).length === 0, "every instance of the deleted function is retired");
  });
});

describe("idle retirement spares versions an alias routes to", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ idleTimeoutMs: 200 });
    const { scf } = server;
    await createFunction(scf, { name: "pinned", files: versionCode(1) });
    await scf.PublishVersion({ FunctionName: "pinned" });
    await createFunction(scf, { name: "loose", files: versionCode(7) });
  });
  after(async () => {
    await server.close();
  });

  it("keeps the alias's version warm past the idle timeout while plain instances retire", async () => {
    const { scf } = server;
    await scf.CreateAlias({ FunctionName: "pinned", Name: "live", FunctionVersion: "1" });
    assert.equal(await call(scf, "pinned", {}, { Qualifier: "live" }), 1);
    assert.equal(await call(scf, "loose"), 7);
    await eventually(() => !warmKeys(server).some((k) => k.includes("/head/")), "the plain head instance idles out");
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(warmKeys(server).filter((k) => /\/v1\//.test(k)).length, 1, "the alias's version is still warm");
  });
});
