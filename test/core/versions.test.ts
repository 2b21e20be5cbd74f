import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "../helpers/node-test.js";
import { FsBlobStore } from "../../src/blobs/fs-blob-store.js";
import { ZipInspector } from "../../src/code/zip-inspector.js";
import { headFirst, type PageWindow } from "../../src/core/functions/versions.js";
import type { FunctionRef, Page } from "../../src/core/model.js";
import { AliasRouter } from "../../src/core/routing.js";
import { FunctionService } from "../../src/core/service.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempDir } from "../helpers/accounts.js";
import { nodeZip } from "../helpers/zip.js";
import { NODE_FUNCTION_CONFIG } from "../helpers/function-config.js";

void describe("headFirst", () => {
  const published = ["3", "2", "1"];
  const read = async (window: PageWindow): Promise<Page<string>> => ({ items: published.slice(window.offset, window.offset + window.limit), total: published.length });

  test("every page is the same window of the list head, then published versions", async () => {
    const whole = ["head", ...published];
    for (let offset = 0; offset <= whole.length + 1; offset += 1) {
      for (let limit = 1; limit <= whole.length + 1; limit += 1) {
        const page = await headFirst("head", { offset, limit }, read);
        assert.deepEqual(page.items, whole.slice(offset, offset + limit), `offset ${offset}, limit ${limit}`);
        assert.equal(page.total, whole.length, "the head is counted");
      }
    }
  });

  test("a function without published versions lists only its head", async () => {
    const page = await headFirst("head", { offset: 0, limit: 20 }, async () => ({ items: [], total: 0 }));
    assert.deepEqual(page, { items: ["head"], total: 1 });
  });
});

const CONFIG = NODE_FUNCTION_CONFIG;

void describe("Versions.list", () => {
  const dir = tempDir();
  let store: SqliteStore;
  let service: FunctionService;
  let clock = 1_000;
  let ids = 0;
  const ref: FunctionRef = { scope: { accountId: "acct", region: "r" }, namespace: "default", name: "f" };

  before(async () => {
    store = new SqliteStore(join(dir.path, "q.db"));
    service = new FunctionService({
      store,
      blobs: new FsBlobStore(join(dir.path, "blobs")),
      inspector: new ZipInspector(),
      clock: { now: () => (clock += 1) },
      ids: { uuid: () => `id-${(ids += 1)}` },
      router: new AliasRouter(),
    });
    await service.functions.create(ref.scope, { namespace: ref.namespace, name: ref.name, config: CONFIG, code: { zip: await nodeZip("f"), fileName: "" }, maxFunctions: 10 });
    for (let i = 0; i < 3; i += 1) await service.versions.publish(ref, { description: `v${i + 1}`, naming: { kind: "next-number" }, maxVersions: 10, expectedSha512: null });
  });
  after(async () => {
    await store.close();
    dir.remove();
  });

  const names = (page: Page<{ version: { name: string } | null }>): string[] => page.items.map((item) => item.version?.name ?? "head");

  test("the head comes first, then the published versions in the order asked for", async () => {
    const newest = await service.versions.list(ref, { offset: 0, limit: 10, order: "DESC", orderBy: "createdAt" });
    assert.deepEqual(names(newest), ["head", "3", "2", "1"]);
    assert.equal(newest.total, 4);
    assert.equal(newest.items[0]?.fn.name, "f", "the head carries the function");
    const oldest = await service.versions.list(ref, { offset: 0, limit: 10, order: "ASC", orderBy: "createdAt" });
    assert.deepEqual(names(oldest), ["head", "1", "2", "3"]);
  });

  test("offset and limit page through head and versions together", async () => {
    const pages = [];
    for (let offset = 0; offset < 4; offset += 2) pages.push(...names(await service.versions.list(ref, { offset, limit: 2, order: "DESC", orderBy: "createdAt" })));
    assert.deepEqual(pages, ["head", "3", "2", "1"]);
  });

  test("an unknown function is FunctionNotFound", async () => {
    await assert.rejects(service.versions.list({ ...ref, name: "nope" }, { offset: 0, limit: 10, order: "DESC", orderBy: "createdAt" }), { code: "FunctionNotFound" });
  });
});
