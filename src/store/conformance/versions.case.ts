import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { activeFunction, alias, CONFIG, code, freshScope, plan, rejectsWith, tick, type SuiteContext } from "./fixtures.js";

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

export function versionCases({ harness }: SuiteContext): void {
  void describe("versions", () => {
    void test("publish snapshots code and configuration with increasing numbers and seq", async () => {
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), "pub");
      const first = await store.publishVersion(fn.id, plan(undefined, { description: "one", now: 42 }));
      assert.deepEqual(first, { functionId: fn.id, name: "1", seq: 1, description: "one", config: CONFIG, code: code("pub"), sourceRevision: fn.revision, createdAt: 42 });
      assert.deepEqual(await store.getVersion(fn.id, "1"), first);
      await store.transitionFunction(fn.id, ["Active"], { status: "Active", config: { ...CONFIG, memoryMb: 512 }, code: code("v2"), changed: true, now: tick() });
      const second = await store.publishVersion(fn.id, plan());
      assert.equal(second.name, "2");
      assert.equal(second.seq, 2);
      assert.equal(second.config.memoryMb, 512);
      assert.deepEqual(await store.getVersion(fn.id, "1"), first, "published versions never change");
      assert.equal((await store.getFunctionById(fn.id))?.lastVersionNumber, 2);
      assert.equal(await store.countVersions(fn.id), 2);
      assert.equal(await store.getVersion(fn.id, "3"), null);
    });

    void test("hot reload: a head on a directory has no package, publishes the snapshot it is given, and switches back to a package", async () => {
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), "hot");
      const onDir = await store.transitionFunction(fn.id, ["Active"], { status: "Active", hotReloadDir: "/srv/app", changed: true, now: tick() });
      assert.equal(onDir?.code, null);
      assert.equal(onDir?.hotReloadDir, "/srv/app");
      assert.deepEqual(await store.getFunctionById(fn.id), onDir, "the directory is stored");
      await rejectsWith(store.publishVersion(fn.id, plan()), "FunctionStateConflict");
      const version = await store.publishVersion(fn.id, plan(undefined, { snapshot: code("snap") }));
      assert.deepEqual(version.code, code("snap"));
      assert.equal((await store.getFunctionById(fn.id))?.hotReloadDir, "/srv/app", "a publish leaves the head on its directory");
      const back = await store.transitionFunction(fn.id, ["Active"], { status: "Active", code: code("zip"), changed: true, now: tick() });
      assert.deepEqual(back?.code, code("zip"));
      assert.equal(back !== null && "hotReloadDir" in back, false, "a package replaces the directory");
      assert.deepEqual(await store.getFunctionById(fn.id), back);
      assert.deepEqual((await store.publishVersion(fn.id, plan(undefined, { snapshot: code("ignored") }))).code, code("zip"), "a head on a package publishes its package");
    });

    void test("refusals: FunctionNotFound, FunctionStateConflict, CodeDigestMismatch, VersionLimitExceeded", async () => {
      const { store } = harness();
      await rejectsWith(store.publishVersion(randomUUID(), plan()), "FunctionNotFound");
      const fn = await activeFunction(store, freshScope(), "refuse");
      await store.transitionFunction(fn.id, ["Active"], { status: "Updating", now: tick() });
      await rejectsWith(store.publishVersion(fn.id, plan()), "FunctionStateConflict");
      await store.transitionFunction(fn.id, ["Updating"], { status: "Active", now: tick() });
      await rejectsWith(store.publishVersion(fn.id, plan(undefined, { expectedSha512: "f".repeat(128) })), "CodeDigestMismatch", "digest");
      assert.equal((await store.publishVersion(fn.id, plan(undefined, { expectedSha512: code("refuse").sha512.toUpperCase() }))).name, "1");
      await store.publishVersion(fn.id, plan());
      await rejectsWith(store.publishVersion(fn.id, plan(undefined, { maxVersions: 2 })), "VersionLimitExceeded");
      assert.equal(await store.countVersions(fn.id), 2, "a refused publish changes nothing");
      assert.equal((await store.getFunctionById(fn.id))?.lastVersionNumber, 2);
    });

    void test("naming: exact (VersionAlreadyExists), unique (base-2…), numbers skip explicit names and are never reused", async () => {
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), "names");
      assert.equal((await store.publishVersion(fn.id, plan({ kind: "exact", name: "2" }))).name, "2");
      await rejectsWith(store.publishVersion(fn.id, plan({ kind: "exact", name: "2" })), "VersionAlreadyExists", "version");
      assert.equal((await store.publishVersion(fn.id, plan())).name, "1");
      assert.equal((await store.publishVersion(fn.id, plan())).name, "3", "2 is held by an explicit name");
      const base = "v20240101-120000";
      assert.equal((await store.publishVersion(fn.id, plan({ kind: "unique", base }))).name, base);
      assert.equal((await store.publishVersion(fn.id, plan({ kind: "unique", base }))).name, `${base}-2`);
      assert.equal((await store.publishVersion(fn.id, plan({ kind: "unique", base }))).name, `${base}-3`);
      assert.equal(await store.deleteVersion(fn.id, "3"), true);
      assert.equal((await store.publishVersion(fn.id, plan())).name, "4", "deleted numbers are not handed out again");
      const seqs = (await store.listVersions(fn.id, { offset: 0, limit: 100, order: "ASC", orderBy: "createdAt" })).items.map((v) => v.seq);
      assert.deepEqual(seqs, [1, 2, 4, 5, 6, 7], "seq is publish order and is not reused either");
    });

    void test("list: publish order both ways, paging, total", async () => {
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), "list");
      for (let i = 0; i < 5; i += 1) await store.publishVersion(fn.id, plan());
      const page = await store.listVersions(fn.id, { offset: 1, limit: 2, order: "DESC", orderBy: "updatedAt" });
      assert.deepEqual(page.items.map((v) => v.name), ["4", "3"]);
      assert.equal(page.total, 5);
      const all = await store.listVersions(fn.id, { offset: 0, limit: 10, order: "ASC", orderBy: "createdAt" });
      assert.deepEqual(all.items.map((v) => v.name), range(1, 5));
      assert.deepEqual(await store.listVersions(randomUUID(), { offset: 0, limit: 10, order: "ASC", orderBy: "createdAt" }), { items: [], total: 0 });
    });

    void test("delete: false when missing; VersionInUse while an alias routes to it", async () => {
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), "del");
      for (let i = 0; i < 3; i += 1) await store.publishVersion(fn.id, plan());
      await store.insertAlias(alias(fn.id, "main", "1"), 10);
      await store.insertAlias(alias(fn.id, "canary", "$LATEST", { kind: "weighted", version: "2", weight: 0.1 }), 10);
      await rejectsWith(store.deleteVersion(fn.id, "1"), "VersionInUse", "version");
      await rejectsWith(store.deleteVersion(fn.id, "2"), "VersionInUse");
      assert.equal(await store.deleteVersion(fn.id, "3"), true);
      assert.equal(await store.deleteVersion(fn.id, "3"), false);
      assert.equal(await store.deleteVersion(fn.id, "99"), false);
      assert.equal(await store.countVersions(fn.id), 2);
      assert.equal(await store.countVersions(randomUUID()), 0);
    });

    void test("50 concurrent publishes get 1..50, distinct and gap-free", async () => {
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), "race");
      const versions = await Promise.all(Array.from({ length: 50 }, (_, i) => store.publishVersion(fn.id, plan(undefined, { description: `p${i}` }))));
      assert.deepEqual(versions.map((v) => Number(v.name)).sort((a, b) => a - b).map(String), range(1, 50));
      for (const v of versions) assert.equal(v.seq, Number(v.name));
      assert.equal(await store.countVersions(fn.id), 50);
      for (const v of versions) assert.equal((await store.getVersion(fn.id, v.name))?.description, v.description, "each caller got the version it wrote");
    });

    void test("concurrent publishes from two nodes get 1..50", async (t) => {
      const { store, openPeer, multiNode } = harness();
      if (!openPeer || !multiNode) return t.skip("this store serves one process only");
      const peer = await openPeer();
      try {
        const fn = await activeFunction(store, freshScope(), "two-nodes");
        const versions = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? store : peer).publishVersion(fn.id, plan())));
        assert.deepEqual(versions.map((v) => Number(v.name)).sort((a, b) => a - b).map(String), range(1, 50));
        assert.equal(await peer.countVersions(fn.id), 50);
      } finally {
        await peer.close();
      }
    });
  });
}
