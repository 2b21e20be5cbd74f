import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, test } from "../helpers/node-test.js";
import { FsBlobStore } from "../../src/blobs/fs-blob-store.js";
import { ZipInspector } from "../../src/code/zip-inspector.js";
import { QuiverError } from "../../src/core/errors.js";
import { subPathUnder, type NewTrigger } from "../../src/core/functions/triggers.js";
import { MAX_TRIGGERS_PER_KIND } from "../../src/core/limits.js";
import type { FunctionRef, Scope } from "../../src/core/model.js";
import { AliasRouter } from "../../src/core/routing.js";
import { FunctionService } from "../../src/core/service.js";
import type { HttpTriggerSettings } from "../../src/core/triggers.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempDir } from "../helpers/accounts.js";
import { NODE_FUNCTION_CONFIG } from "../helpers/function-config.js";
import { nodeZip } from "../helpers/zip.js";

const apig = (path: string, matchMode: "prefix" | "exact" = "prefix"): HttpTriggerSettings =>
  ({ kind: "http", flavour: "apig", auth: "none", path, matchMode, methods: ["ANY"], cors: null, timeoutMs: null });

void describe("subPathUnder", () => {
  test("prefix triggers serve their path and whole segments under it", () => {
    assert.equal(subPathUnder(apig("/api"), "/api"), "");
    assert.equal(subPathUnder(apig("/api"), "/api/"), "/");
    assert.equal(subPathUnder(apig("/api"), "/api/users/7"), "/users/7");
    assert.equal(subPathUnder(apig("/api"), "/apix"), null, "not a segment of /api");
    assert.equal(subPathUnder(apig("/api"), "/"), null);
    assert.equal(subPathUnder(apig("/api/"), "/api/x"), "/x");
    assert.equal(subPathUnder(apig("/"), "/"), "");
    assert.equal(subPathUnder(apig("/"), "/anything/at/all"), "/anything/at/all");
  });

  test("exact triggers serve only their path", () => {
    assert.equal(subPathUnder(apig("/api", "exact"), "/api"), "");
    assert.equal(subPathUnder(apig("/api", "exact"), "/api/x"), null);
    assert.equal(subPathUnder(apig("/", "exact"), "/x"), null);
  });
});

void describe("service.triggers", () => {
  const dir = tempDir();
  let store: SqliteStore;
  let service: FunctionService;
  let clock = 1_000;
  const scope: Scope = { accountId: "acct", region: "r" };
  const ref = (name: string): FunctionRef => ({ scope, namespace: "default", name });
  const input = (name: string, settings: HttpTriggerSettings = apig(`/${name}`)): NewTrigger =>
    ({ name, qualifier: "$LATEST", enabled: true, description: "", settings, extras: {} });

  before(async () => {
    store = new SqliteStore(join(dir.path, "q.db"));
    service = new FunctionService({
      store,
      blobs: new FsBlobStore(join(dir.path, "blobs")),
      inspector: new ZipInspector(),
      clock: { now: () => (clock += 1) },
      ids: { uuid: () => randomUUID().toUpperCase() },
      router: new AliasRouter(),
    });
    for (const name of ["shop", "admin"]) {
      await service.functions.create(scope, { namespace: "default", name, config: NODE_FUNCTION_CONFIG, code: { zip: await nodeZip(name), fileName: "" }, maxFunctions: 10 });
    }
  });
  after(async () => {
    await store.close();
    dir.remove();
  });

  test("create assigns a 32-hex id, the function and the times; get by id or name", async () => {
    const created = await service.triggers.create(ref("shop"), input("orders"));
    assert.match(created.id, /^[0-9a-f]{32}$/);
    assert.equal(created.createdAt, created.updatedAt);
    assert.deepEqual((await service.triggers.get(ref("shop"), { id: created.id })).trigger, created);
    assert.deepEqual((await service.triggers.get(ref("shop"), { name: "orders" })).trigger, created);
    await assert.rejects(service.triggers.get(ref("admin"), { name: "orders" }), (e: unknown) => e instanceof QuiverError && e.code === "TriggerNotFound" && e.subject === "trigger");
    await assert.rejects(service.triggers.create(ref("ghost"), input("x")), (e: unknown) => e instanceof QuiverError && e.code === "FunctionNotFound");
  });

  test("update and delete answer TriggerNotFound for an unknown id", async () => {
    const notFound = (e: unknown): boolean => e instanceof QuiverError && e.code === "TriggerNotFound";
    await assert.rejects(service.triggers.update(ref("shop"), "0".repeat(32), { enabled: false }), notFound);
    await assert.rejects(service.triggers.delete(ref("shop"), "0".repeat(32)), notFound);
    const t = await service.triggers.create(ref("admin"), input("switch"));
    const updated = await service.triggers.update(ref("admin"), t.id, { enabled: false });
    assert.equal(updated.enabled, false);
    assert.ok(updated.updatedAt > t.updatedAt, "the service stamps the time");
    await service.triggers.delete(ref("admin"), t.id);
    await assert.rejects(service.triggers.delete(ref("admin"), t.id), notFound);
  });

  test("findApigRoute: exact or prefix, the longest path wins, other scopes and flavours never match", async () => {
    await service.triggers.create(ref("shop"), input("root", apig("/")));
    await service.triggers.create(ref("admin"), input("admin", apig("/orders/admin")));
    await service.triggers.create(ref("admin"), input("exact", apig("/orders/report", "exact")));
    await service.triggers.create(ref("shop"), input("url", { ...apig("/orders/url"), flavour: "function-url" }));
    const route = async (path: string, where: Scope = scope): Promise<string | null> => {
      const found = await service.triggers.findApigRoute(where, path);
      return found && `${found.fn.name}:${found.trigger.name}:${found.subPath}`;
    };
    assert.equal(await route("/orders"), "shop:orders:");
    assert.equal(await route("/orders/7"), "shop:orders:/7");
    assert.equal(await route("/orders/admin/users"), "admin:admin:/users");
    assert.equal(await route("/orders/report"), "admin:exact:");
    assert.equal(await route("/orders/report/x"), "shop:orders:/report/x", "an exact trigger serves only its path");
    assert.equal(await route("/orders/url"), "shop:orders:/url", "a function URL is not an APIG route");
    assert.equal(await route("/other"), "shop:root:/other");
    assert.equal(await route("/orders", { accountId: "acct", region: "elsewhere" }), null);
  });

  test("the limit per kind is MAX_TRIGGERS_PER_KIND", async () => {
    await service.functions.create(scope, { namespace: "default", name: "busy", config: NODE_FUNCTION_CONFIG, code: { zip: await nodeZip("busy"), fileName: "" }, maxFunctions: 10 });
    // API-gateway triggers: a qualifier has one function URL, any number of these.
    const gateway = { ...apig("/"), flavour: "api-gateway" } as const;
    for (let i = 0; i < MAX_TRIGGERS_PER_KIND; i += 1) await service.triggers.create(ref("busy"), input(`t${i}`, gateway));
    await assert.rejects(service.triggers.create(ref("busy"), input("one-more", gateway)), (e: unknown) => e instanceof QuiverError && e.code === "TriggerLimitExceeded");
    const { page } = await service.triggers.list(ref("busy"), { kind: "http", offset: 0, limit: 100, order: "ASC", orderBy: "createdAt" });
    assert.equal(page.total, MAX_TRIGGERS_PER_KIND);
    assert.equal(await service.triggers.deleteAll(ref("busy"), "$LATEST"), MAX_TRIGGERS_PER_KIND);
    assert.equal(await service.triggers.deleteAll(ref("busy"), null), 0);
  });
});
