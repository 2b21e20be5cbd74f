import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { freshScope, rejectsWith, tick, activeFunction, type SuiteContext } from "./fixtures.js";

export function namespaceCases({ harness }: SuiteContext): void {
  void describe("namespaces", () => {
    const ns = (name: string, description = ""): { name: string; description: string; createdAt: number; updatedAt: number } => {
      const now = tick();
      return { name, description, createdAt: now, updatedAt: now };
    };

    void test("insert, get, update; a second insert of the same name returns false", async () => {
      const { store } = harness();
      const scope = freshScope();
      const created = ns("team", "first");
      assert.equal(await store.insertNamespace(scope, created, 5), true);
      assert.deepEqual(await store.getNamespace(scope, "team"), created);
      assert.equal(await store.insertNamespace(scope, ns("team", "again"), 5), false);
      assert.equal((await store.getNamespace(scope, "team"))?.description, "first");
      assert.equal(await store.updateNamespace(scope, "team", "second", created.updatedAt + 5), true);
      assert.deepEqual(await store.getNamespace(scope, "team"), { ...created, description: "second", updatedAt: created.updatedAt + 5 });
      assert.equal(await store.updateNamespace(scope, "missing", "x", tick()), false);
      assert.equal(await store.getNamespace(freshScope(), "team"), null, "other accounts do not see it");
    });

    void test("the quota counts only namespaces created explicitly", async () => {
      const { store } = harness();
      const scope = freshScope();
      assert.equal(await store.insertNamespace(scope, ns("default"), null), true);
      assert.equal(await store.insertNamespace(scope, ns("pkg"), null), true);
      assert.equal(await store.insertNamespace(scope, ns("a"), 2), true);
      assert.equal(await store.insertNamespace(scope, ns("b"), 2), true);
      await rejectsWith(store.insertNamespace(scope, ns("c"), 2), "NamespaceLimitExceeded");
      assert.equal(await store.insertNamespace(scope, ns("implicit-beyond-quota"), null), true, "implicit ones are never refused");
      assert.equal(await store.insertNamespace(freshScope(), ns("c"), 2), true, "quotas are per account");
    });

    void test("concurrent explicit inserts never exceed the quota", async () => {
      const { store } = harness();
      const scope = freshScope();
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.insertNamespace(scope, ns(`n${i}`), 3)));
      assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 3);
      assert.equal((await store.listNamespaces(scope, { offset: 0, limit: 100, order: "ASC", orderBy: "name" })).total, 3);
    });

    void test("delete: false when missing, NamespaceNotEmpty while functions remain", async () => {
      const { store } = harness();
      const scope = freshScope();
      assert.equal(await store.deleteNamespace(scope, "nope"), false);
      await store.insertNamespace(scope, ns("busy"), 5);
      const fn = await activeFunction(store, scope, "f", { namespace: "busy" });
      await rejectsWith(store.deleteNamespace(scope, "busy"), "NamespaceNotEmpty", "namespace");
      assert.ok(await store.getNamespace(scope, "busy"));
      assert.equal(await store.deleteFunction(fn.id), true);
      assert.equal(await store.deleteNamespace(scope, "busy"), true);
      assert.equal(await store.getNamespace(scope, "busy"), null);
    });

    void test("list: order by name or update time, both directions, paging, filters", async () => {
      const { store } = harness();
      const scope = freshScope();
      for (const [name, description] of [["beta", "Second Team"], ["alpha", "first team"], ["Gamma", "third"], ["delta", "team four"]] as const) {
        await store.insertNamespace(scope, ns(name, description), 10);
      }
      const list = (q: Partial<Parameters<typeof store.listNamespaces>[1]>) =>
        store.listNamespaces(scope, { offset: 0, limit: 10, order: "ASC", orderBy: "name", ...q });
      const names = async (q: Partial<Parameters<typeof store.listNamespaces>[1]>): Promise<string[]> => (await list(q)).items.map((n) => n.name);
      assert.deepEqual(await names({}), ["Gamma", "alpha", "beta", "delta"], "byte order, as SQLite compares");
      assert.deepEqual(await names({ order: "DESC" }), ["delta", "beta", "alpha", "Gamma"]);
      assert.deepEqual(await names({ orderBy: "updatedAt" }), ["beta", "alpha", "Gamma", "delta"]);
      assert.deepEqual(await names({ orderBy: "updatedAt", order: "DESC" }), ["delta", "Gamma", "alpha", "beta"]);
      const page = await list({ offset: 1, limit: 2 });
      assert.deepEqual(page.items.map((n) => n.name), ["alpha", "beta"]);
      assert.equal(page.total, 4);
      assert.equal((await list({ offset: 10 })).total, 4, "the total does not depend on the page");
      assert.deepEqual(await names({ nameContains: "ta" }), ["beta", "delta"]);
      assert.deepEqual(await names({ descriptionContains: "team" }), ["alpha", "delta"], "description filter is case-sensitive");
    });
  });
}
