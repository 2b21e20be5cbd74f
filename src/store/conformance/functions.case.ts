import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import type { FunctionStatus } from "../../core/model.js";
import { activeFunction, alias, CONFIG, code, freshScope, plan, rejectsWith, tick, type SuiteContext } from "./fixtures.js";

export function functionCases({ harness }: SuiteContext): void {
  void describe("functions", () => {
    void test("insert starts in Creating with empty counters; get by name and by id", async () => {
      const { store } = harness();
      const scope = freshScope();
      const now = tick();
      const fn = await store.insertFunction({ id: randomUUID(), scope, namespace: "default", name: "f", config: CONFIG, now, maxFunctions: 5 });
      assert.deepEqual(fn, {
        id: fn.id, scope, namespace: "default", name: "f", status: "Creating", statusReason: "", config: CONFIG, code: null,
        revision: 0, lastVersionNumber: 0, createdAt: now, updatedAt: now,
      });
      assert.deepEqual(await store.getFunction(scope, "default", "f"), fn);
      assert.deepEqual(await store.getFunctionById(fn.id), fn);
      assert.equal(await store.getFunction(scope, "other", "f"), null);
      assert.equal(await store.getFunction(freshScope(), "default", "f"), null);
      assert.equal(await store.getFunctionById(randomUUID()), null);
    });

    void test("FunctionAlreadyExists and FunctionLimitExceeded (per namespace)", async () => {
      const { store } = harness();
      const scope = freshScope();
      const insert = (name: string, namespace = "default") => store.insertFunction({ id: randomUUID(), scope, namespace, name, config: CONFIG, now: tick(), maxFunctions: 2 });
      await insert("a");
      await rejectsWith(insert("a"), "FunctionAlreadyExists", "function");
      await insert("b");
      await rejectsWith(insert("c"), "FunctionLimitExceeded");
      await insert("c", "other");
      await insert("a", "other");
    });

    void test("concurrent inserts of one name: exactly one wins", async () => {
      const { store } = harness();
      const scope = freshScope();
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => store.insertFunction({ id: randomUUID(), scope, namespace: "default", name: "same", config: CONFIG, now: tick(), maxFunctions: 50 })));
      assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 1);
    });

    void test("transition is compare-and-set on the status", async () => {
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), "cas");
      assert.equal(fn.revision, 1, "a change bumps the revision");
      assert.equal(await store.transitionFunction(fn.id, ["Updating"], { status: "Active", now: tick() }), null, "status did not match");
      assert.equal(await store.transitionFunction(randomUUID(), ["Active"], { status: "Updating", now: tick() }), null, "no such function");
      const now = tick();
      const updating = await store.transitionFunction(fn.id, ["Active", "UpdateFailed"], { status: "Updating", statusReason: "busy", now });
      assert.deepEqual(updating, { ...fn, status: "Updating", statusReason: "busy", updatedAt: now }, "nothing else changes");
      const config = { ...CONFIG, memoryMb: 256 };
      const done = await store.transitionFunction(fn.id, ["Updating"], { status: "Active", config, code: code("v2"), changed: true, now: tick() });
      assert.equal(done?.revision, 2);
      assert.deepEqual(done?.config, config);
      assert.deepEqual(done?.code, code("v2"));
      assert.equal(done?.statusReason, "busy", "the reason stays unless given");
    });

    void test("concurrent transitions from one status: exactly one wins", async () => {
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), "race");
      const results = await Promise.all(Array.from({ length: 20 }, () => store.transitionFunction(fn.id, ["Active"], { status: "Updating", changed: true, now: tick() })));
      assert.equal(results.filter((r) => r !== null).length, 1);
      assert.equal((await store.getFunctionById(fn.id))?.revision, 2);
    });

    void test("listTransient returns functions in transient statuses only", async () => {
      const { store } = harness();
      const scope = freshScope();
      const statuses: FunctionStatus[] = ["Creating", "Updating", "Publishing", "Deleting", "Active", "CreateFailed", "UpdateFailed", "PublishFailed", "DeleteFailed"];
      const ids = new Map<string, FunctionStatus>();
      for (const status of statuses) {
        const fn = await activeFunction(store, scope, status);
        await store.transitionFunction(fn.id, ["Active"], { status, now: tick() });
        ids.set(fn.id, status);
      }
      const transient = (await store.listTransient()).filter((fn) => ids.has(fn.id)).map((fn) => fn.status).sort();
      assert.deepEqual(transient, ["Deleting", "Publishing", "Updating"].concat("Creating").sort());
    });

    void test("delete removes the function with its versions and aliases", async () => {
      const { store } = harness();
      const scope = freshScope();
      const fn = await activeFunction(store, scope, "gone");
      await store.publishVersion(fn.id, plan());
      await store.insertAlias(alias(fn.id, "live", "1"), 10);
      assert.equal(await store.deleteFunction(fn.id), true);
      assert.equal(await store.deleteFunction(fn.id), false);
      assert.equal(await store.getFunctionById(fn.id), null);
      assert.equal(await store.getVersion(fn.id, "1"), null);
      assert.deepEqual(await store.listAliases(fn.id), []);
      const again = await activeFunction(store, scope, "gone");
      assert.equal((await store.publishVersion(again.id, plan())).name, "1", "a new function with the same name starts afresh");
    });

    void test("list: namespace filter, name and description search (case-insensitive), ordering, paging", async () => {
      const { store } = harness();
      const scope = freshScope();
      for (const [name, namespace, description] of [["beta", "default", "Hello"], ["alpha", "default", "other"], ["Gamma", "ns2", "say HELLO"], ["delta", "ns2", "x"]] as const) {
        await activeFunction(store, scope, name, { namespace, config: { ...CONFIG, description } });
      }
      type Q = Parameters<typeof store.listFunctions>[1];
      const names = async (q: Partial<Q>): Promise<string[]> => (await store.listFunctions(scope, { offset: 0, limit: 10, order: "ASC", orderBy: "name", ...q })).items.map((f) => f.name);
      assert.deepEqual(await names({}), ["Gamma", "alpha", "beta", "delta"]);
      assert.deepEqual(await names({ orderBy: "createdAt" }), ["beta", "alpha", "Gamma", "delta"]);
      assert.deepEqual(await names({ orderBy: "createdAt", order: "DESC" }), ["delta", "Gamma", "alpha", "beta"]);
      assert.deepEqual(await names({ namespace: "ns2" }), ["Gamma", "delta"]);
      assert.deepEqual(await names({ nameContains: "GAM" }), ["Gamma"]);
      assert.deepEqual(await names({ descriptionContains: "hello" }), ["Gamma", "beta"]);
      const page = await store.listFunctions(scope, { offset: 2, limit: 1, order: "DESC", orderBy: "name" });
      assert.deepEqual(page.items.map((f) => f.name), ["alpha"]);
      assert.equal(page.total, 4);
      const first = (await store.listFunctions(scope, { offset: 0, limit: 1, order: "ASC", orderBy: "updatedAt" })).items[0];
      assert.equal(first?.name, "beta");
    });
  });
}
