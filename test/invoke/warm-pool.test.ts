/**
 * Warm instances follow what can still run: an alias in use keeps one warm instance of every
 * version it routes to (so a canary, promotion or rollback is served warm), and deleting a
 * version, deleting a function or replacing the head retires the instances of the old code.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { call, createFunction, scfClient } from "../helpers/scf-client.js";
import { zipBase64 } from "../helpers/zip.js";
import { eventually } from "../helpers/eventually.js";

const versionCode = (n: number): Record<string, string> => ({ "index.js": `exports.main_handler = async () => ${n};\n` });

/** Instance keys of the engine with at least one instance, by the function's versions. */
function warmKeys(server: TestQuiver): string[] {
  return Object.entries(server.quiver.engine.stats().perKey)
    .filter(([, s]) => s.instances > 0)
    .map(([key]) => key);
}

describe("warm instances follow aliases and deletes", () => {
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    const scf = scfClient(server);
    await createFunction(scf, { name: "canary", files: versionCode(1) });
    await scf.PublishVersion({ FunctionName: "canary" });
    await scf.UpdateFunctionCode({ FunctionName: "canary", Handler: "index.main_handler", ZipFile: await zipBase64(versionCode(2)) });
    await scf.PublishVersion({ FunctionName: "canary" });
  });
  after(async () => {
    await server.stop();
  });

  it("an alias in use warms the version it does not route this call to, and a rollback runs on it", async () => {
    const scf = scfClient(server);
    await scf.CreateAlias({ FunctionName: "canary", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: [{ Version: "2", Weight: 0 }] } });
    assert.equal(await call(scf, "canary", {}, { Qualifier: "live" }), 1);
    // Version 2 got no traffic, yet it is kept warm because the alias routes to it.
    await eventually(() => warmKeys(server).filter((k) => /\/v[12]\//.test(k)).length === 2, { what: "both alias versions are warm" });
    const before = warmKeys(server).length;
    await scf.UpdateAlias({ FunctionName: "canary", Name: "live", FunctionVersion: "2" });
    assert.equal(await call(scf, "canary", {}, { Qualifier: "live" }), 2);
    // Served by the pre-warmed instance: no new instance was needed.
    assert.equal(warmKeys(server).length, before);
  });

  it("deleting a version retires its warm instances", async () => {
    const scf = scfClient(server);
    await scf.UpdateFunctionCode({ FunctionName: "canary", Handler: "index.main_handler", ZipFile: await zipBase64(versionCode(3)) });
    const { FunctionVersion } = await scf.PublishVersion({ FunctionName: "canary" });
    assert.equal(await call(scf, "canary", {}, { Qualifier: String(FunctionVersion) }), 3);
    const count = (): number => warmKeys(server).length;
    const withThree = count();
    await scf.DeleteFunctionVersion({ FunctionName: "canary", Qualifier: String(FunctionVersion) });
    await eventually(() => count() === withThree - 1, { what: "the deleted version's instance is retired" });
  });

  it("replacing the head retires the old head's instances, and deleting the function retires all", async () => {
    const scf = scfClient(server);
    assert.equal(await call(scf, "canary"), 3);
    const heads = (): number => warmKeys(server).filter((k) => k.includes("/head/")).length;
    assert.equal(heads(), 1);
    await scf.UpdateFunctionCode({ FunctionName: "canary", Handler: "index.main_handler", ZipFile: await zipBase64(versionCode(4)) });
    await eventually(() => heads() === 0, { what: "the old head is retired" });
    assert.equal(await call(scf, "canary"), 4);
    await scf.DeleteFunction({ FunctionName: "canary" });
    await eventually(() => warmKeys(server).length === 0, { what: "every instance of the deleted function is retired" });
  });
});

describe("idle retirement spares versions an alias routes to", () => {
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} }, engine: { idleTimeoutMs: 200 } });
    const scf = scfClient(server);
    await createFunction(scf, { name: "pinned", files: versionCode(1) });
    await scf.PublishVersion({ FunctionName: "pinned" });
    await createFunction(scf, { name: "loose", files: versionCode(7) });
  });
  after(async () => {
    await server.stop();
  });

  it("keeps the alias's version warm past the idle timeout while plain instances retire", async () => {
    const scf = scfClient(server);
    await scf.CreateAlias({ FunctionName: "pinned", Name: "live", FunctionVersion: "1" });
    assert.equal(await call(scf, "pinned", {}, { Qualifier: "live" }), 1);
    assert.equal(await call(scf, "loose"), 7);
    await eventually(() => !warmKeys(server).some((k) => k.includes("/head/")), { what: "the plain head instance idles out" });
    // Instead of sleeping past more idle sweeps: a fresh plain instance idling out too shows
    // that sweeps have kept running, each past the alias version's idle time.
    assert.equal(await call(scf, "loose"), 7);
    await eventually(() => !warmKeys(server).some((k) => k.includes("/head/")), { what: "the second plain head instance idles out" });
    assert.equal(warmKeys(server).filter((k) => /\/v1\//.test(k)).length, 1, "the alias's version is still warm");
  });
});
