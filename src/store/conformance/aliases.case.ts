import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { activeFunction, alias, freshScope, plan, rejectsWith, tick, type SuiteContext } from "./fixtures.js";

export function aliasCases({ harness }: SuiteContext): void {
  void describe("aliases", () => {
    async function withVersions(name: string, count: number): Promise<string> {
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), name);
      for (let i = 0; i < count; i += 1) await store.publishVersion(fn.id, plan());
      return fn.id;
    }

    void test("insert, get, list in creation order", async () => {
      const { store } = harness();
      const id = await withVersions("ins", 2);
      const a = alias(id, "prod", "1", { kind: "rules", version: "2", combine: "and", rules: [{ key: "User", method: "exact", expression: "x" }] });
      assert.deepEqual(await store.insertAlias(a, 10), a);
      assert.deepEqual(await store.getAlias(id, "prod"), a);
      const b = alias(id, "beta", "$LATEST");
      await store.insertAlias(b, 10);
      assert.deepEqual(await store.listAliases(id), [a, b]);
      assert.equal(await store.getAlias(id, "none"), null);
    });

    void test("AliasAlreadyExists, AliasLimitExceeded ($DEFAULT not counted), VersionNotFound", async () => {
      const { store } = harness();
      const id = await withVersions("refuse", 1);
      await store.insertAlias(alias(id, "$DEFAULT", "$LATEST"), 1);
      await store.insertAlias(alias(id, "one", "1"), 1);
      await rejectsWith(store.insertAlias(alias(id, "one", "1"), 5), "AliasAlreadyExists", "alias");
      await rejectsWith(store.insertAlias(alias(id, "two", "1"), 1), "AliasLimitExceeded");
      await rejectsWith(store.insertAlias(alias(id, "two", "7"), 5), "VersionNotFound", "aliasVersion");
      await rejectsWith(store.insertAlias(alias(id, "two", "1", { kind: "weighted", version: "8", weight: 0.5 }), 5), "VersionNotFound", "aliasVersion");
      assert.equal(await store.getAlias(id, "two"), null, "a refused insert leaves nothing");
    });

    void test("alias changes need the function: FunctionNotFound once it is deleted", async () => {
      const { store } = harness();
      const id = await withVersions("gone", 1);
      assert.equal(await store.deleteFunction(id), true);
      await rejectsWith(store.insertAlias(alias(id, "a", "1"), 5), "FunctionNotFound", "function");
      await rejectsWith(store.updateAlias(id, "a", { version: "1", description: "", routing: { kind: "none" } }, tick(), false), "FunctionNotFound", "function");
      await rejectsWith(store.updateAlias(id, "$DEFAULT", { version: "$LATEST", description: "", routing: { kind: "none" } }, tick(), true), "FunctionNotFound", "function");
      assert.deepEqual(await store.listAliases(id), []);
    });

    void test("routing invariants: the additional version differs from the main one, a weight is a share from 0 to 1", async () => {
      const { store } = harness();
      const id = await withVersions("invariants", 2);
      await rejectsWith(store.insertAlias(alias(id, "same", "1", { kind: "weighted", version: "1", weight: 0.5 }), 5), "InvalidParameter", "routing");
      await rejectsWith(store.insertAlias(alias(id, "heavy", "1", { kind: "weighted", version: "2", weight: 1.5 }), 5), "InvalidParameter", "routing");
      assert.deepEqual(await store.listAliases(id), [], "nothing refused was written");
      const ok = await store.insertAlias(alias(id, "ok", "1", { kind: "weighted", version: "2", weight: 1 }), 5);
      const sameRules = { kind: "rules", version: "2", combine: "or", rules: [{ key: "User", method: "exact", expression: "x" }] } as const;
      await rejectsWith(store.updateAlias(id, "ok", { version: "2", description: "", routing: sameRules }, tick(), false), "InvalidParameter", "routing");
      assert.deepEqual(await store.getAlias(id, "ok"), ok, "a refused update changes nothing");
    });

    void test("update replaces target and routing, bumps the revision, keeps createdAt", async () => {
      const { store } = harness();
      const id = await withVersions("upd", 2);
      const a = await store.insertAlias(alias(id, "prod", "1"), 10);
      const now = tick();
      const routing = { kind: "weighted", version: "1", weight: 0.25 } as const;
      const updated = await store.updateAlias(id, "prod", { version: "2", description: "new", routing }, now, false);
      assert.deepEqual(updated, { ...a, version: "2", description: "new", routing, revision: a.revision + 1, updatedAt: now });
      assert.deepEqual(await store.getAlias(id, "prod"), updated);
      await rejectsWith(store.updateAlias(id, "prod", { version: "9", description: "", routing: { kind: "none" } }, tick(), false), "VersionNotFound", "aliasVersion");
      await rejectsWith(store.updateAlias(id, "prod", { version: "1", description: "", routing: { kind: "weighted", version: "8", weight: 0.5 } }, tick(), false), "VersionNotFound", "aliasVersion");
      assert.deepEqual(await store.getAlias(id, "prod"), updated, "a refused update changes nothing");
      assert.equal(await store.updateAlias(id, "missing", { version: "1", description: "", routing: { kind: "none" } }, tick(), false), null);
      const upserted = await store.updateAlias(id, "$DEFAULT", { version: "$LATEST", description: "", routing: { kind: "none" } }, now, true);
      assert.equal(upserted?.revision, 1);
      assert.equal(upserted?.createdAt, now);
      assert.deepEqual(await store.getAlias(id, "$DEFAULT"), upserted);
    });

    void test("delete", async () => {
      const { store } = harness();
      const id = await withVersions("del", 1);
      await store.insertAlias(alias(id, "x", "1"), 10);
      assert.equal(await store.deleteAlias(id, "x"), true);
      assert.equal(await store.deleteAlias(id, "x"), false);
      assert.equal(await store.deleteVersion(id, "1"), true, "the version is free once no alias routes to it");
    });

    void test("an alias change and a version delete never cross: the alias never points at a deleted version", async () => {
      const { store } = harness();
      const id = await withVersions("cross", 2);
      await store.insertAlias(alias(id, "a", "1"), 10);
      const [updated, deleted] = await Promise.allSettled([
        store.updateAlias(id, "a", { version: "2", description: "", routing: { kind: "none" } }, tick(), false),
        store.deleteVersion(id, "2"),
      ]);
      const target = (await store.getAlias(id, "a"))?.version;
      const exists = (await store.getVersion(id, "2")) !== null;
      assert.ok(target !== "2" || exists, `alias points at ${String(target)}; version 2 exists: ${exists} (${updated.status}, ${deleted.status})`);
    });
  });
}
