import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import type { FunctionRecord, Scope } from "../../core/model.js";
import type { ListTriggersQuery, MetadataStore } from "../../core/ports.js";
import type { TriggerRecord, TriggerSettings } from "../../core/triggers.js";
import { activeFunction, alias, freshScope, httpSettings, plan, rejectsWith, tick, trigger, type SuiteContext } from "./fixtures.js";

const TIMER: TriggerSettings = {
  kind: "timer",
  origin: "scf",
  scheduleKind: "cron",
  expression: "0 */5 * * * * *",
  schedule: { kind: "cron", cron: "0 */5 * * * * *", timezone: "UTC" },
  payload: "hello",
};

const apig = (functionId: string, name: string, path: string): TriggerRecord => trigger(functionId, name, { settings: httpSettings("apig", path) });

const everything: ListTriggersQuery = { offset: 0, limit: 100, order: "ASC", orderBy: "createdAt" };

async function names(store: MetadataStore, functionId: string, query: Partial<ListTriggersQuery> = {}): Promise<string[]> {
  return (await store.listTriggers(functionId, { ...everything, ...query })).items.map((t) => t.name);
}

/** The APIG triggers of a scope as `function/trigger path`, the way the front door sees them. */
async function apigRoutes(store: MetadataStore, scope: Scope): Promise<string[]> {
  return (await store.findApigTriggers(scope)).map(({ fn, trigger: t }) => `${fn.name}${t.settings.kind === "http" ? t.settings.path : ""}`).sort();
}

export function triggerCases({ harness }: SuiteContext): void {
  void describe("triggers", () => {
    /** A function with versions "1" and "2" and alias "live" → 1. */
    async function withQualifiers(name: string, scope: Scope = freshScope()): Promise<FunctionRecord> {
      const { store } = harness();
      const fn = await activeFunction(store, scope, name);
      await store.publishVersion(fn.id, plan());
      await store.publishVersion(fn.id, plan());
      await store.insertAlias(alias(fn.id, "live", "1"), 10);
      return fn;
    }

    void test("insert, get by id and by name; another function does not see it", async () => {
      const { store } = harness();
      const fn = await withQualifiers("ins");
      const t = trigger(fn.id, "web", { enabled: false, settings: { ...httpSettings(), cors: { origins: ["*"], methods: ["GET"], headers: [], exposeHeaders: [], maxAgeSec: 5, credentials: false } } });
      assert.deepEqual(await store.insertTrigger(t, 10), t);
      assert.deepEqual(await store.getTrigger(fn.id, t.id), t, "settings, extras and enabled round-trip");
      assert.deepEqual(await store.getTriggerByName(fn.id, "web"), t);
      const other = await activeFunction(store, freshScope(), "other");
      assert.equal(await store.getTrigger(other.id, t.id), null);
      assert.equal(await store.getTriggerByName(other.id, "web"), null);
      assert.equal(await store.getTrigger(fn.id, "f".repeat(32)), null);
      const timer = trigger(fn.id, "tick", { settings: TIMER, extras: {} });
      assert.deepEqual(await store.insertTrigger(timer, 10), timer);
      assert.deepEqual(await store.getTriggerByName(fn.id, "tick"), timer);
    });

    void test("list: filters by qualifier, kind, name and description; order by creation or update time; paging", async () => {
      const { store } = harness();
      const fn = await withQualifiers("list");
      await store.insertTrigger(trigger(fn.id, "alpha", { qualifier: "$LATEST", description: "Public API" }), 10);
      await store.insertTrigger(trigger(fn.id, "beta", { qualifier: "1", description: "internal api" }), 10);
      await store.insertTrigger(trigger(fn.id, "gamma", { qualifier: "live", settings: TIMER }), 10);
      const delta = await store.insertTrigger(trigger(fn.id, "delta", { qualifier: "$DEFAULT" }), 10);
      assert.deepEqual(await names(store, fn.id), ["alpha", "beta", "gamma", "delta"]);
      assert.deepEqual(await names(store, fn.id, { order: "DESC" }), ["delta", "gamma", "beta", "alpha"]);
      await store.updateTrigger(fn.id, (await store.getTriggerByName(fn.id, "alpha"))?.id ?? "", { description: "Public API v2", now: tick() });
      assert.deepEqual(await names(store, fn.id, { orderBy: "updatedAt" }), ["beta", "gamma", "delta", "alpha"]);
      assert.deepEqual(await names(store, fn.id, { orderBy: "updatedAt", order: "DESC" }), ["alpha", "delta", "gamma", "beta"]);
      assert.deepEqual(await names(store, fn.id, { qualifier: "1" }), ["beta"]);
      assert.deepEqual(await names(store, fn.id, { qualifier: "$DEFAULT" }), ["delta"]);
      assert.deepEqual(await names(store, fn.id, { kind: "timer" }), ["gamma"]);
      assert.deepEqual(await names(store, fn.id, { kind: "http" }), ["alpha", "beta", "delta"]);
      assert.deepEqual(await names(store, fn.id, { nameContains: "ta" }), ["beta", "delta"]);
      assert.deepEqual(await names(store, fn.id, { descriptionContains: "API" }), ["alpha"], "the description filter is case-sensitive");
      assert.deepEqual(await names(store, fn.id, { kind: "http", qualifier: "$LATEST" }), ["alpha"]);
      const page = await store.listTriggers(fn.id, { ...everything, offset: 1, limit: 2 });
      assert.deepEqual(page.items.map((t) => t.name), ["beta", "gamma"]);
      assert.equal(page.total, 4);
      const filtered = await store.listTriggers(fn.id, { ...everything, kind: "http", offset: 2, limit: 5 });
      assert.deepEqual({ names: filtered.items.map((t) => t.name), total: filtered.total }, { names: ["delta"], total: 3 }, "the total counts the filtered list");
      assert.deepEqual((await store.listTriggers(fn.id, { ...everything, offset: 10 })).items, []);
      assert.deepEqual((await store.listTriggers(fn.id, { ...everything, offset: 10 })).total, 4);
      assert.deepEqual(await store.getTrigger(fn.id, delta.id), delta);
      assert.deepEqual(await store.listTriggers(randomUUID(), everything), { items: [], total: 0 });
    });

    void test("TriggerAlreadyExists: a name is taken per function, whatever the kind or qualifier", async () => {
      const { store } = harness();
      const fn = await withQualifiers("dup");
      await store.insertTrigger(trigger(fn.id, "same"), 10);
      await rejectsWith(store.insertTrigger(trigger(fn.id, "same", { settings: TIMER, qualifier: "1" }), 10), "TriggerAlreadyExists", "trigger");
      const other = await activeFunction(store, freshScope(), "dup2");
      await store.insertTrigger(trigger(other.id, "same"), 10);
      assert.deepEqual(await names(store, fn.id), ["same"], "a refused insert leaves nothing");
    });

    void test("TriggerLimitExceeded: at most maxPerKind triggers of one kind per function, over all qualifiers", async () => {
      const { store } = harness();
      const fn = await withQualifiers("limit");
      await store.insertTrigger(trigger(fn.id, "h1"), 2);
      await store.insertTrigger(trigger(fn.id, "h2", { qualifier: "1", settings: httpSettings("api-gateway") }), 2);
      await rejectsWith(store.insertTrigger(trigger(fn.id, "h3", { qualifier: "live" }), 2), "TriggerLimitExceeded");
      await store.insertTrigger(trigger(fn.id, "t1", { settings: TIMER }), 2);
      await store.insertTrigger(trigger(fn.id, "t2", { settings: TIMER }), 2);
      await rejectsWith(store.insertTrigger(trigger(fn.id, "t3", { settings: TIMER }), 2), "TriggerLimitExceeded");
      assert.equal((await store.listTriggers(fn.id, everything)).total, 4);
      const h1 = await store.getTriggerByName(fn.id, "h1");
      assert.equal(await store.deleteTrigger(fn.id, h1?.id ?? ""), true);
      await store.insertTrigger(trigger(fn.id, "h3"), 2);
    });

    void test("TriggerPathTaken: an APIG path is served by one trigger per scope", async () => {
      const { store } = harness();
      const scope = freshScope();
      const a = await activeFunction(store, scope, "a");
      const b = await activeFunction(store, scope, "b");
      const first = await store.insertTrigger(apig(a.id, "api", "/orders"), 10);
      await rejectsWith(store.insertTrigger(apig(a.id, "api2", "/orders"), 10), "TriggerPathTaken", "trigger");
      await rejectsWith(store.insertTrigger(apig(b.id, "api", "/orders"), 10), "TriggerPathTaken", "trigger");
      await store.insertTrigger(apig(b.id, "api", "/orders/"), 10);
      await store.insertTrigger(apig(b.id, "other", "/Orders"), 10);
      await store.insertTrigger(trigger(b.id, "url", { settings: httpSettings("function-url", "/orders") }), 10);
      const elsewhere = await activeFunction(store, freshScope(), "c");
      await store.insertTrigger(apig(elsewhere.id, "api", "/orders"), 10);
      // Updates: a trigger keeps its own path; it cannot take another's.
      const moved = await store.updateTrigger(a.id, first.id, { settings: httpSettings("apig", "/orders"), description: "same path", now: tick() });
      assert.equal(moved?.description, "same path");
      const bApi = await store.getTriggerByName(b.id, "api");
      await rejectsWith(store.updateTrigger(b.id, bApi?.id ?? "", { settings: httpSettings("apig", "/orders"), now: tick() }), "TriggerPathTaken", "trigger");
      assert.deepEqual(await store.getTriggerByName(b.id, "api"), bApi, "a refused update changes nothing");
      // A deleted trigger frees its path.
      assert.equal(await store.deleteTrigger(a.id, first.id), true);
      await store.updateTrigger(b.id, bApi?.id ?? "", { settings: httpSettings("apig", "/orders"), now: tick() });
      assert.deepEqual(await apigRoutes(store, scope), ["b/Orders", "b/orders"], "only APIG triggers, only this scope");
    });

    void test("the qualifier must exist: $LATEST, a version, an alias, the implicit $DEFAULT", async () => {
      const { store } = harness();
      const fn = await withQualifiers("qual");
      for (const qualifier of ["$LATEST", "1", "2", "live", "$DEFAULT"]) {
        const t = await store.insertTrigger(trigger(fn.id, `on-${qualifier.replace("$", "")}`, { qualifier }), 10);
        assert.equal(t.qualifier, qualifier);
      }
      await rejectsWith(store.insertTrigger(trigger(fn.id, "bad", { qualifier: "3" }), 10), "VersionNotFound", "qualifier");
      await rejectsWith(store.insertTrigger(trigger(fn.id, "bad", { qualifier: "gone" }), 10), "VersionNotFound", "qualifier");
      await rejectsWith(store.insertTrigger(trigger(fn.id, "bad", { qualifier: "latest" }), 10), "VersionNotFound", "qualifier");
      await rejectsWith(store.insertTrigger(trigger(randomUUID(), "bad"), 10), "FunctionNotFound", "function");
      assert.equal(await store.getTriggerByName(fn.id, "bad"), null);
    });

    void test("update: applies the patch, keeps name, kind and creation time, re-checks the qualifier", async () => {
      const { store } = harness();
      const fn = await withQualifiers("upd");
      const t = await store.insertTrigger(trigger(fn.id, "web"), 10);
      const now = tick();
      const settings = { ...httpSettings(), auth: "signed" as const };
      const updated = await store.updateTrigger(fn.id, t.id, { qualifier: "live", enabled: false, description: "", settings, extras: { scf: {} }, now });
      assert.deepEqual(updated, { ...t, qualifier: "live", enabled: false, description: "", settings, extras: { scf: {} }, updatedAt: now });
      assert.deepEqual(await store.getTrigger(fn.id, t.id), updated);
      const partial = await store.updateTrigger(fn.id, t.id, { enabled: true, now: now + 1 });
      assert.deepEqual(partial, { ...updated, enabled: true, updatedAt: now + 1 }, "absent fields keep their value");
      await rejectsWith(store.updateTrigger(fn.id, t.id, { qualifier: "9", now: tick() }), "VersionNotFound", "qualifier");
      await rejectsWith(store.updateTrigger(fn.id, t.id, { settings: TIMER, now: tick() }), "InvalidParameter", "trigger");
      await rejectsWith(store.updateTrigger(fn.id, t.id, { settings: httpSettings("apig", "/x"), now: tick() }), "InvalidParameter", "trigger");
      assert.deepEqual(await store.getTrigger(fn.id, t.id), partial, "a refused update changes nothing");
      assert.equal(await store.updateTrigger(fn.id, "0".repeat(32), { enabled: false, now: tick() }), null);
      await rejectsWith(store.updateTrigger(randomUUID(), t.id, { enabled: false, now: tick() }), "FunctionNotFound", "function");
    });

    void test("delete one, those of a qualifier, or all", async () => {
      const { store } = harness();
      const fn = await withQualifiers("del");
      const one = await store.insertTrigger(trigger(fn.id, "one"), 10);
      await store.insertTrigger(trigger(fn.id, "v1a", { qualifier: "1" }), 10);
      await store.insertTrigger(trigger(fn.id, "v1b", { qualifier: "1", settings: TIMER }), 10);
      await store.insertTrigger(trigger(fn.id, "live", { qualifier: "live" }), 10);
      await store.insertTrigger(trigger(fn.id, "head", { qualifier: "$LATEST", settings: TIMER }), 10);
      assert.equal(await store.deleteTrigger(fn.id, one.id), true);
      assert.equal(await store.deleteTrigger(fn.id, one.id), false);
      const other = await activeFunction(store, freshScope(), "del2");
      const kept = await store.insertTrigger(trigger(other.id, "kept"), 10);
      assert.equal(await store.deleteTrigger(fn.id, kept.id), false, "only the function's own triggers");
      assert.equal(await store.deleteTriggers(fn.id, "1"), 2);
      assert.deepEqual(await names(store, fn.id), ["live", "head"]);
      assert.equal(await store.deleteTriggers(fn.id, "2"), 0);
      assert.equal(await store.deleteTriggers(fn.id, null), 2);
      assert.deepEqual(await names(store, fn.id), []);
      assert.deepEqual(await store.getTrigger(other.id, kept.id), kept);
    });

    void test("deleting the function deletes its triggers and frees their APIG paths", async () => {
      const { store } = harness();
      const scope = freshScope();
      const fn = await withQualifiers("cascade", scope);
      const t = await store.insertTrigger(apig(fn.id, "api", "/cascade"), 10);
      await store.insertTrigger(trigger(fn.id, "v1", { qualifier: "1" }), 10);
      assert.deepEqual(await apigRoutes(store, scope), ["cascade/cascade"]);
      assert.equal(await store.deleteFunction(fn.id), true);
      assert.equal(await store.getTrigger(fn.id, t.id), null);
      assert.deepEqual(await store.listTriggers(fn.id, everything), { items: [], total: 0 });
      assert.deepEqual(await apigRoutes(store, scope), []);
      const next = await activeFunction(store, scope, "cascade");
      await store.insertTrigger(apig(next.id, "api", "/cascade"), 10);
      await rejectsWith(store.insertTrigger(trigger(fn.id, "late"), 10), "FunctionNotFound", "function");
    });

    void test("QualifierHasTriggers: a version or alias with triggers bound to it is not deleted", async () => {
      const { store } = harness();
      const fn = await withQualifiers("bound");
      await store.insertAlias(alias(fn.id, "beta", "2"), 10);
      const onVersion = await store.insertTrigger(trigger(fn.id, "on-2", { qualifier: "2" }), 10);
      const onAlias = await store.insertTrigger(trigger(fn.id, "on-beta", { qualifier: "beta", settings: TIMER }), 10);
      await store.insertAlias(alias(fn.id, "gamma", "$LATEST"), 10);
      await store.insertTrigger(trigger(fn.id, "on-gamma", { qualifier: "gamma" }), 10);
      await store.deleteAlias(fn.id, "beta").then(
        () => assert.fail("the alias was deleted"),
        (error: unknown) => assert.match(String((error as Error).message), /on-beta/, "the message names the trigger"),
      );
      await rejectsWith(store.deleteAlias(fn.id, "beta"), "QualifierHasTriggers", "alias");
      assert.ok(await store.getAlias(fn.id, "beta"), "the alias is still there");
      assert.equal(await store.deleteTrigger(fn.id, onAlias.id), true);
      assert.equal(await store.deleteAlias(fn.id, "beta"), true, "free once its triggers are gone");
      assert.equal(await store.deleteAlias(fn.id, "beta"), false);
      await rejectsWith(store.deleteVersion(fn.id, "2"), "QualifierHasTriggers", "version");
      assert.ok(await store.getVersion(fn.id, "2"));
      await store.updateTrigger(fn.id, onVersion.id, { qualifier: "$LATEST", now: tick() });
      assert.equal(await store.deleteVersion(fn.id, "2"), true, "free once no trigger is bound to it");
      assert.equal(await store.deleteVersion(fn.id, "1").catch((e: unknown) => (e as { code?: string }).code), "VersionInUse", "an alias still routes to 1");
      await rejectsWith(store.updateTrigger(fn.id, onVersion.id, { qualifier: "2", now: tick() }), "VersionNotFound", "qualifier");
    });

    void test("two concurrent inserts over the limit: exactly one wins", async () => {
      const { store } = harness();
      const fn = await withQualifiers("race");
      for (let i = 0; i < 9; i += 1) await store.insertTrigger(trigger(fn.id, `t${i}`), 10);
      const outcomes = await Promise.allSettled([store.insertTrigger(trigger(fn.id, "x"), 10), store.insertTrigger(trigger(fn.id, "y"), 10)]);
      assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 1);
      const refused = outcomes.find((o) => o.status === "rejected");
      assert.equal((refused?.reason as { code?: string } | undefined)?.code, "TriggerLimitExceeded");
      assert.equal((await store.listTriggers(fn.id, everything)).total, 10);
    });

    void test("one function URL per qualifier, also when two creates race", async () => {
      const { store, openPeer, multiNode } = harness();
      const peer = multiNode && openPeer ? await openPeer() : store;
      const fn = await withQualifiers("urls");
      const url = (name: string, qualifier: string): TriggerRecord => trigger(fn.id, name, { qualifier, settings: httpSettings("function-url") });
      await store.insertTrigger(url("on-live", "live"), 10);
      await store.insertTrigger(url("on-1", "1"), 10);
      await store.insertTrigger(trigger(fn.id, "gateway-on-live", { qualifier: "live" }), 10);
      await rejectsWith(store.insertTrigger(url("second", "live"), 10), "TriggerPathTaken", "trigger");
      const outcomes = await Promise.allSettled([store.insertTrigger(url("a", "2"), 10), peer.insertTrigger(url("b", "2"), 10)]);
      assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 1);
      for (const o of outcomes) if (o.status === "rejected") assert.equal((o.reason as { code?: string }).code, "TriggerPathTaken");
    });

    void test("concurrent inserts of one APIG path on different functions: exactly one wins", async () => {
      const { store, openPeer, multiNode } = harness();
      const peer = multiNode && openPeer ? await openPeer() : store;
      const scope = freshScope();
      const fns = await Promise.all(Array.from({ length: 6 }, (_, i) => activeFunction(store, scope, `f${i}`)));
      const outcomes = await Promise.allSettled(fns.map((fn, i) => (i % 2 ? peer : store).insertTrigger(apig(fn.id, "api", "/same"), 10)));
      assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 1);
      for (const o of outcomes) if (o.status === "rejected") assert.equal((o.reason as { code?: string }).code, "TriggerPathTaken");
      assert.equal((await store.findApigTriggers(scope)).length, 1);
    });

    void test("a trigger insert and a delete of its alias never cross: no trigger is left bound to a deleted alias", async () => {
      const { store } = harness();
      const fn = await withQualifiers("cross");
      await store.insertAlias(alias(fn.id, "temp", "1"), 10);
      const [inserted, deleted] = await Promise.allSettled([store.insertTrigger(trigger(fn.id, "t", { qualifier: "temp" }), 10), store.deleteAlias(fn.id, "temp")]);
      const bound = (await store.getTriggerByName(fn.id, "t")) !== null;
      const aliasExists = (await store.getAlias(fn.id, "temp")) !== null;
      assert.ok(!bound || aliasExists, `trigger bound: ${bound}; alias exists: ${aliasExists} (${inserted.status}, ${deleted.status})`);
    });
  });
}
