/**
 * The invocation read cache (core/read-cache.ts) on a real SQLite store: repeated reads stay in
 * memory; this process's writes, a change feed's announcements and a feed that is down all
 * send reads back to the store; a read on its way while an entry is dropped is not kept. The
 * same holds for the triggers an HTTP trigger's request looks up.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "../helpers/node-test.js";
import { tempDir } from "../helpers/accounts.js";
import { cachedReads } from "../../src/core/read-cache.js";
import type { ChangeFeed, MetadataStore } from "../../src/core/ports.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { activeFunction, alias, freshScope, httpSettings, plan, tick, trigger } from "../../src/store/conformance/fixtures.js";
import type { TriggerRecord } from "../../src/core/triggers.js";

/** An HTTP trigger of `functionId`; APIG-flavoured (served at `apigPath`) when a path is given. */
function httpTrigger(functionId: string, name: string, apigPath?: string): TriggerRecord {
  return trigger(functionId, name, apigPath === undefined ? {} : { settings: httpSettings("apig", apigPath) });
}

/** Counts the reads that reach the store, and can hold `getAlias` until released. */
function instrumented(store: MetadataStore): { store: MetadataStore; reads: Map<string, number>; holdAliases(): () => void } {
  const reads = new Map<string, number>();
  let gate: Promise<void> | null = null;
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string" || !property.startsWith("get")) return typeof value === "function" ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        reads.set(property, (reads.get(property) ?? 0) + 1);
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (property === "getAlias" && gate) await gate;
        return result;
      };
    },
  });
  return {
    store: wrapped,
    reads,
    holdAliases() {
      let release: () => void = () => undefined;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = null;
        release();
      };
    },
  };
}

/** A change feed under the test's control, standing for PostgreSQL's. */
function controlledFeed(): ChangeFeed & { live: boolean; changed(id: string): void; reset(): void } {
  const listeners: { changed(id: string): void; reset(): void }[] = [];
  return {
    live: true,
    subscribe: (listener) => void listeners.push(listener),
    settle: async () => undefined,
    changed: (id) => listeners.forEach((l) => l.changed(id)),
    reset: () => listeners.forEach((l) => l.reset()),
  };
}

describe("cached reads", () => {
  const dir = tempDir("quiver-read-cache-");
  const sqlite = new SqliteStore(join(dir.path, "q.db"));
  after(async () => {
    await sqlite.close();
    dir.remove();
  });

  async function setup(name: string, feed?: ChangeFeed): Promise<{ cached: MetadataStore; reads: Map<string, number>; holdAliases(): () => void; id: string; scope: ReturnType<typeof freshScope> }> {
    const scope = freshScope();
    const fn = await activeFunction(sqlite, scope, name);
    await sqlite.publishVersion(fn.id, plan());
    await sqlite.publishVersion(fn.id, plan());
    await sqlite.insertAlias(alias(fn.id, "live", "1"), 10);
    const probe = instrumented(sqlite);
    const base = feed ? Object.assign(Object.create(probe.store) as MetadataStore, { changes: feed }) : probe.store;
    return { cached: cachedReads(base), reads: probe.reads, holdAliases: probe.holdAliases, id: fn.id, scope };
  }

  it("serves repeated reads from memory, found and not found", async () => {
    const { cached, reads, id } = await setup("repeat");
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await cached.getAlias(id, "live"))?.version, "1");
      assert.equal((await cached.getVersion(id, "2"))?.name, "2");
      assert.equal(await cached.getVersion(id, "live"), null);
      assert.ok(await cached.getFunctionById(id));
    }
    assert.deepEqual(Object.fromEntries(reads), { getAlias: 1, getVersion: 2, getFunctionById: 1 });
  });

  it("this process's write is read back at once (SQLite: the only writer)", async () => {
    const { cached, id } = await setup("own-write");
    assert.equal((await cached.getAlias(id, "live"))?.version, "1");
    await cached.updateAlias(id, "live", { version: "2", description: "", routing: { kind: "none" } }, tick(), false);
    assert.equal((await cached.getAlias(id, "live"))?.version, "2");
    const published = await cached.publishVersion(id, plan());
    assert.equal((await cached.getVersion(id, published.name))?.name, published.name, "a version cached as missing is found once published");
  });

  it("an announced change drops the function's entry; a feed that is down is never trusted", async () => {
    const feed = controlledFeed();
    const { cached, reads, id } = await setup("feed", feed);
    await cached.getAlias(id, "live");
    await sqlite.updateAlias(id, "live", { version: "2", description: "", routing: { kind: "none" } }, tick(), false); // another node's write
    assert.equal((await cached.getAlias(id, "live"))?.version, "1", "not announced yet: the cached row");
    feed.changed(id);
    assert.equal((await cached.getAlias(id, "live"))?.version, "2");
    feed.live = false;
    const before = reads.get("getAlias") ?? 0;
    await cached.getAlias(id, "live");
    await cached.getAlias(id, "live");
    assert.equal(reads.get("getAlias"), before + 2, "every read goes to the store while the feed is down");
  });

  it("a read on its way while its entry is dropped is answered but not kept", async () => {
    const feed = controlledFeed();
    const { cached, reads, holdAliases, id } = await setup("race", feed);
    const release = holdAliases();
    const slow = cached.getAlias(id, "live"); // reads version 1, then waits
    await new Promise((resolve) => setImmediate(resolve));
    await sqlite.updateAlias(id, "live", { version: "2", description: "", routing: { kind: "none" } }, tick(), false);
    feed.changed(id);
    release();
    assert.equal((await slow)?.version, "1");
    assert.equal((await cached.getAlias(id, "live"))?.version, "2", "the stale answer was not kept");
    assert.equal(reads.get("getAlias"), 2);
  });

  it("triggers by name and a scope's APIG triggers are served from memory; this process's trigger writes are read back at once", async () => {
    const { cached, reads, id, scope } = await setup("triggers");
    const url = await cached.insertTrigger(httpTrigger(id, "url"), 10);
    for (let i = 0; i < 3; i += 1) {
      assert.equal((await cached.getTriggerByName(id, "url"))?.enabled, true);
      assert.equal(await cached.getTriggerByName(id, "nope"), null);
      assert.deepEqual(await cached.findApigTriggers(scope), []);
    }
    assert.equal(reads.get("getTriggerByName"), 2, "one read each, found and not found");
    await cached.updateTrigger(id, url.id, { enabled: false, now: tick() });
    assert.equal((await cached.getTriggerByName(id, "url"))?.enabled, false, "an update is read back");
    await cached.insertTrigger(httpTrigger(id, "nope", "/api"), 10);
    assert.equal((await cached.getTriggerByName(id, "nope"))?.name, "nope", "a trigger cached as missing is found once created");
    assert.deepEqual((await cached.findApigTriggers(scope)).map(({ trigger }) => trigger.name), ["nope"], "a new APIG trigger is routed at once");
    await cached.deleteTrigger(id, url.id);
    assert.equal(await cached.getTriggerByName(id, "url"), null, "a deleted trigger is gone at once");
    await cached.deleteTriggers(id, null);
    assert.deepEqual(await cached.findApigTriggers(scope), [], "every trigger of the function deleted");
  });

  it("an announced change drops the function's triggers and every scope's APIG triggers", async () => {
    const feed = controlledFeed();
    const { cached, reads, id, scope } = await setup("trigger-feed", feed);
    const url = await sqlite.insertTrigger(httpTrigger(id, "url", "/shop"), 10);
    assert.equal((await cached.getTriggerByName(id, "url"))?.enabled, true);
    assert.equal((await cached.findApigTriggers(scope))[0]?.trigger.enabled, true);
    await sqlite.updateTrigger(id, url.id, { enabled: false, now: tick() }); // another node's write
    assert.equal((await cached.getTriggerByName(id, "url"))?.enabled, true, "not announced yet: the cached row");
    feed.changed(id);
    assert.equal((await cached.getTriggerByName(id, "url"))?.enabled, false);
    assert.equal((await cached.findApigTriggers(scope))[0]?.trigger.enabled, false);
    feed.live = false;
    const before = reads.get("getTriggerByName") ?? 0;
    await cached.getTriggerByName(id, "url");
    await cached.getTriggerByName(id, "url");
    assert.equal(reads.get("getTriggerByName"), before + 2, "every read goes to the store while the feed is down");
  });
});
