import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import type { BoundLayer, LayerPublishPlan, LayerVersionRecord } from "../../core/layers.js";
import type { Scope } from "../../core/model.js";
import { activeFunction, CONFIG, code, freshScope, plan, rejectsWith, tick, type SuiteContext } from "./fixtures.js";

function layerPlan(scope: Scope, name: string, extra: Partial<LayerPublishPlan> = {}): LayerPublishPlan {
  return {
    scope,
    name,
    newLayerId: randomUUID(),
    id: randomUUID(),
    description: `layer ${name}`,
    license: "MIT",
    compatibleRuntimes: [{ family: "nodejs", version: "18.15" }],
    architecture: "x86_64",
    code: code(`layer-${name}`),
    md5: "0".repeat(32),
    extras: {},
    now: tick(),
    maxVersions: 200,
    maxLayers: 20,
    ...extra,
  };
}

function bound(v: LayerVersionRecord): BoundLayer {
  return { name: v.name, version: v.version, id: v.id, layerId: v.layerId, code: v.code, md5: v.md5, description: v.description, compatibleRuntimes: v.compatibleRuntimes, createdAt: v.createdAt };
}

export function layerCases({ harness }: SuiteContext): void {
  void describe("layers", () => {
    void test("publish numbers each layer from 1; get by name and number or by id; versions newest first", async () => {
      const { store } = harness();
      const scope = freshScope();
      const first = await store.publishLayerVersion(layerPlan(scope, "libs", { now: 7 }));
      assert.equal(first.version, 1);
      assert.equal(first.status, "Active");
      assert.equal(first.createdAt, 7);
      const second = await store.publishLayerVersion(layerPlan(scope, "libs", { code: code("libs-2") }));
      assert.equal(second.version, 2);
      assert.equal(second.layerId, first.layerId, "one layer id for all its versions");
      assert.notEqual(second.id, first.id);
      assert.equal((await store.publishLayerVersion(layerPlan(scope, "other"))).version, 1);
      assert.deepEqual(await store.getLayerVersion(scope, "libs", 1), first);
      assert.deepEqual(await store.getLayerVersionById(scope, second.id), second);
      assert.equal(await store.getLayerVersion(scope, "libs", 3), null);
      assert.deepEqual((await store.listLayerVersions(scope, { name: "libs" })).map((v) => v.version), [2, 1]);
      assert.deepEqual((await store.listLayerVersions(scope, { layerId: first.layerId })).map((v) => v.version), [2, 1]);
    });

    void test("list: the latest version of each layer by name, filtered by name and runtime, paged", async () => {
      const { store } = harness();
      const scope = freshScope();
      await store.publishLayerVersion(layerPlan(scope, "alpha"));
      await store.publishLayerVersion(layerPlan(scope, "alpha", { compatibleRuntimes: [{ family: "python", version: "3.9" }] }));
      await store.publishLayerVersion(layerPlan(scope, "beta"));
      await store.publishLayerVersion(layerPlan(scope, "gamma-alp"));
      const all = await store.listLayers(scope, { offset: 0, limit: 10 });
      assert.deepEqual(all.items.map((v) => [v.name, v.version]), [["alpha", 2], ["beta", 1], ["gamma-alp", 1]]);
      assert.equal(all.total, 3);
      assert.deepEqual((await store.listLayers(scope, { nameContains: "alp", offset: 0, limit: 10 })).items.map((v) => v.name), ["alpha", "gamma-alp"]);
      const python = await store.listLayers(scope, { runtime: { family: "python", version: "3.9" }, offset: 0, limit: 10 });
      assert.deepEqual(python.items.map((v) => v.name), ["alpha"]);
      const page = await store.listLayers(scope, { offset: 1, limit: 1 });
      assert.deepEqual(page.items.map((v) => v.name), ["beta"]);
      assert.equal(page.total, 3);
    });

    void test("limits: versions per layer, layers per scope (LayerLimitExceeded); a refused publish changes nothing", async () => {
      const { store } = harness();
      const scope = freshScope();
      await store.publishLayerVersion(layerPlan(scope, "a", { maxVersions: 2 }));
      await store.publishLayerVersion(layerPlan(scope, "a", { maxVersions: 2 }));
      await rejectsWith(store.publishLayerVersion(layerPlan(scope, "a", { maxVersions: 2 })), "LayerLimitExceeded", "layerVersion");
      await store.publishLayerVersion(layerPlan(scope, "b", { maxLayers: 2 }));
      await rejectsWith(store.publishLayerVersion(layerPlan(scope, "c", { maxLayers: 2 })), "LayerLimitExceeded", "layer");
      assert.equal((await store.publishLayerVersion(layerPlan(scope, "b", { maxLayers: 2 }))).version, 2, "a new version of an existing layer is not a new layer");
      assert.equal((await store.listLayers(scope, { offset: 0, limit: 10 })).total, 2);
      assert.equal(await store.getLayerVersion(scope, "a", 3), null);
    });

    void test("concurrent publishes of one layer get distinct, consecutive numbers", async () => {
      const h = harness();
      const scope = freshScope();
      const peer = h.openPeer ? await h.openPeer() : h.store;
      try {
        const stores = [h.store, peer];
        const published = await Promise.all(Array.from({ length: 12 }, (_, i) => (stores[i % 2] ?? h.store).publishLayerVersion(layerPlan(scope, "race"))));
        assert.deepEqual(published.map((v) => v.version).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1));
        assert.equal(new Set(published.map((v) => v.layerId)).size, 1, "one layer, however the publishes interleave");
      } finally {
        if (peer !== h.store) await peer.close();
      }
    });

    void test("numbers are never reused, even after every version of a layer was deleted", async () => {
      const { store } = harness();
      const scope = freshScope();
      const one = await store.publishLayerVersion(layerPlan(scope, "again"));
      await store.publishLayerVersion(layerPlan(scope, "again"));
      assert.equal(await store.deleteLayerVersion(scope, "again", 2, "allow-in-use"), true);
      assert.equal(await store.deleteLayerVersion(scope, "again", 1, "allow-in-use"), true);
      assert.equal(await store.deleteLayerVersion(scope, "again", 1, "allow-in-use"), false, "already gone");
      assert.equal((await store.listLayers(scope, { offset: 0, limit: 10 })).total, 0, "a layer without versions is not listed");
      const three = await store.publishLayerVersion(layerPlan(scope, "again"));
      assert.equal(three.version, 3);
      assert.equal(three.layerId, one.layerId);
    });

    void test("delete while in use: refused (LayerInUse) by the refusing policy when a head or a version binds it; allowed otherwise", async () => {
      const { store } = harness();
      const scope = freshScope();
      const v1 = await store.publishLayerVersion(layerPlan(scope, "used"));
      const v2 = await store.publishLayerVersion(layerPlan(scope, "used"));
      const fn = await activeFunction(store, scope, "binder", { config: { ...CONFIG, layers: [bound(v1)] } });
      await rejectsWith(store.deleteLayerVersion(scope, "used", 1, "refuse-in-use"), "LayerInUse", "layerVersion");
      // Only a published version binds v1 now; the head moves to v2.
      await store.publishVersion(fn.id, plan());
      await store.transitionFunction(fn.id, ["Active"], { status: "Active", config: { ...CONFIG, layers: [bound(v2)] }, changed: true, now: tick() });
      await rejectsWith(store.deleteLayerVersion(scope, "used", 1, "refuse-in-use"), "LayerInUse");
      await rejectsWith(store.deleteLayerVersion(scope, "used", 2, "refuse-in-use"), "LayerInUse");
      // Another scope binding nothing of this one: its own layer of the same name is free.
      const other = freshScope();
      await store.publishLayerVersion(layerPlan(other, "used"));
      assert.equal(await store.deleteLayerVersion(other, "used", 1, "refuse-in-use"), true);
      // SCF's policy: deleted, while the bindings keep the code they copied.
      assert.equal(await store.deleteLayerVersion(scope, "used", 1, "allow-in-use"), true);
      assert.equal(await store.getLayerVersion(scope, "used", 1), null);
      assert.deepEqual((await store.getVersion(fn.id, "1"))?.config.layers, [bound(v1)]);
    });

    void test("scopes never see each other's layers", async () => {
      const { store } = harness();
      const alice = freshScope();
      const bob = freshScope();
      const v = await store.publishLayerVersion(layerPlan(alice, "private"));
      assert.equal(await store.getLayerVersion(bob, "private", 1), null);
      assert.equal(await store.getLayerVersionById(bob, v.id), null);
      assert.deepEqual(await store.listLayerVersions(bob, { name: "private" }), []);
      assert.deepEqual(await store.listLayerVersions(bob, { layerId: v.layerId }), []);
      assert.equal((await store.listLayers(bob, { offset: 0, limit: 10 })).total, 0);
      assert.equal(await store.deleteLayerVersion(bob, "private", 1, "allow-in-use"), false);
      assert.equal((await store.publishLayerVersion(layerPlan(bob, "private"))).version, 1, "numbering is per scope");
    });

    void test("referenced blobs include layer versions and layers bound to functions, even after the layer version is deleted", async () => {
      const { store } = harness();
      const scope = freshScope();
      const tag = randomUUID().slice(0, 8);
      const kept = await store.publishLayerVersion(layerPlan(scope, "kept", { code: code(`k${tag}`) }));
      const boundOnly = await store.publishLayerVersion(layerPlan(scope, "bound", { code: code(`b${tag}`) }));
      const fn = await activeFunction(store, scope, "user", { config: { ...CONFIG, layers: [bound(boundOnly)] } });
      await store.publishVersion(fn.id, plan());
      await store.deleteLayerVersion(scope, "bound", 1, "allow-in-use");
      let referenced = await store.referencedBlobs();
      assert.ok(referenced.has(kept.code.sha256), "a published layer version");
      assert.ok(referenced.has(boundOnly.code.sha256), "a deleted layer version still bound");
      await store.deleteFunction(fn.id);
      referenced = await store.referencedBlobs();
      assert.ok(!referenced.has(boundOnly.code.sha256), "nothing refers to it any more");
    });
  });
}
