import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "../helpers/node-test.js";
import { FsBlobStore } from "../../src/blobs/fs-blob-store.js";
import { ZipInspector } from "../../src/code/zip-inspector.js";
import type { FunctionStatus, Scope } from "../../src/core/model.js";
import { AliasRouter } from "../../src/core/routing.js";
import { FunctionService } from "../../src/core/service.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempDir } from "../helpers/accounts.js";
import { nodeZip } from "../helpers/zip.js";
import { NODE_FUNCTION_CONFIG } from "../helpers/function-config.js";

const SCOPE: Scope = { accountId: "acct", region: "ap-guangzhou" };
const CONFIG = NODE_FUNCTION_CONFIG;

void describe("FunctionService.recover", () => {
  const dir = tempDir();
  let store: SqliteStore;
  let service: FunctionService;
  let clock = 1_000;
  let ids = 0;

  before(() => {
    store = new SqliteStore(join(dir.path, "q.db"));
    service = new FunctionService({
      store,
      blobs: new FsBlobStore(join(dir.path, "blobs")),
      inspector: new ZipInspector(),
      clock: { now: () => (clock += 1) },
      ids: { uuid: () => `id-${(ids += 1)}` },
      router: new AliasRouter(),
    });
  });
  after(async () => {
    await store.close();
    dir.remove();
  });

  async function functionIn(name: string, status: FunctionStatus): Promise<string> {
    const fn = await service.functions.create(SCOPE, { namespace: "default", name, config: CONFIG, code: { zip: await nodeZip(name), fileName: "" }, maxFunctions: 50 });
    if (status !== "Active") assert.ok(await store.transitionFunction(fn.id, ["Active"], { status, now: clock }));
    return fn.id;
  }

  void test("settles every transient status and leaves settled ones alone", async () => {
    const cases: readonly (readonly [string, FunctionStatus, FunctionStatus])[] = [
      ["creating", "Creating", "CreateFailed"],
      ["updating", "Updating", "UpdateFailed"],
      ["publishing", "Publishing", "Active"],
      ["deleting", "Deleting", "DeleteFailed"],
      ["active", "Active", "Active"],
      ["create-failed", "CreateFailed", "CreateFailed"],
      ["update-failed", "UpdateFailed", "UpdateFailed"],
    ];
    const before = new Map<string, Awaited<ReturnType<typeof store.getFunctionById>>>();
    for (const [name, status] of cases) before.set(name, await store.getFunctionById(await functionIn(name, status)));

    assert.equal(await service.functions.recover(), 4, "four functions were stuck");
    for (const [name, from, to] of cases) {
      const fn = await service.functions.get({ scope: SCOPE, namespace: "default", name });
      assert.equal(fn.status, to, `${name}: ${from} → ${to}`);
      const old = before.get(name);
      assert.deepEqual(fn.code, old?.code, `${name}: code untouched`);
      assert.deepEqual(fn.config, old?.config, `${name}: configuration untouched`);
      assert.equal(fn.revision, old?.revision, `${name}: revision untouched`);
      if (from !== to) assert.match(fn.statusReason, /restart/);
      else assert.equal(fn.statusReason, old?.statusReason);
    }
    assert.equal(await service.functions.recover(), 0, "recovery is idempotent");
  });

  void test("a recovered UpdateFailed function can be updated and published again", async () => {
    const id = await functionIn("again", "Updating");
    await service.functions.recover();
    const updated = await service.functions.updateCode({ scope: SCOPE, namespace: "default", name: "again" }, { zip: await nodeZip("again, new"), fileName: "" });
    assert.equal(updated.id, id);
    assert.equal(updated.status, "Active");
    assert.equal(updated.statusReason, "");
    const { version } = await service.versions.publish({ scope: SCOPE, namespace: "default", name: "again" }, { description: "", naming: { kind: "next-number" }, maxVersions: 10, expectedSha512: null });
    assert.equal(version.name, "1");
    assert.deepEqual(version.code, updated.code);
  });
});
