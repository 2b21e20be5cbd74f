import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { peakCount, type ProvisionedConfig } from "../../core/capacity.js";
import type { FunctionRecord } from "../../core/model.js";
import type { MetadataStore } from "../../core/ports.js";
import { activeFunction, alias, freshScope, plan, rejectsWith, tick, type SuiteContext } from "./fixtures.js";

/** A config for `qualifier` of `fn` keeping `count` instances, with one scheduled change to `peak` when given. */
function config(fn: FunctionRecord, qualifier: string, count: number, peak?: number): ProvisionedConfig {
  const now = tick();
  const schedules = peak === undefined ? [] : [{ name: "peak", schedule: { kind: "cron" as const, cron: "0 0 9 * * * *", timezone: "UTC" }, count: peak, startsAt: null, endsAt: null }];
  return {
    functionId: fn.id,
    scope: fn.scope,
    namespace: fn.namespace,
    functionName: fn.name,
    qualifier,
    qualifierKind: "version",
    settings: { count, schedules, convention: "scf", contextValues: { appId: "1" }, extras: { scf: { ProvisionedType: "Default" } } },
    createdAt: now,
    updatedAt: now,
  };
}

/** Instances every config of the store asks for at most (other tests' configs included). */
async function taken(store: MetadataStore): Promise<number> {
  return (await store.listProvisioned(null)).reduce((sum, c) => sum + peakCount(c.settings), 0);
}

export function capacityCases({ harness }: SuiteContext): void {
  void describe("capacity", () => {
    async function withVersions(name: string, count: number): Promise<FunctionRecord> {
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), name);
      for (let i = 0; i < count; i += 1) await store.publishVersion(fn.id, plan());
      return fn;
    }

    void test("put, replace (keeping createdAt), list and delete provisioned configs of versions and aliases", async () => {
      const { store } = harness();
      const fn = await withVersions("prov", 2);
      await store.insertAlias(alias(fn.id, "live", "1"), 5);
      const first = await store.putProvisioned(config(fn, "1", 2), 1_000_000);
      assert.equal(first.qualifierKind, "version");
      const onAlias = await store.putProvisioned({ ...config(fn, "live", 1), qualifierKind: "version" }, 1_000_000);
      assert.equal(onAlias.qualifierKind, "alias", "the store decides what the qualifier names");
      const replaced = await store.putProvisioned(config(fn, "1", 3, 5), 1_000_000);
      assert.equal(replaced.createdAt, first.createdAt);
      assert.deepEqual(await store.listProvisioned(fn.id), [replaced, onAlias]);
      assert.ok((await store.listProvisioned(null)).some((c) => c.functionId === fn.id && c.qualifier === "live"));
      assert.equal(await store.deleteProvisioned(fn.id, "1"), true);
      assert.equal(await store.deleteProvisioned(fn.id, "1"), false);
      assert.deepEqual(await store.listProvisioned(fn.id), [onAlias]);
    });

    void test("refused: $LATEST, an unknown qualifier, a missing function, more than the machine runs", async () => {
      const { store } = harness();
      const fn = await withVersions("refused", 1);
      await rejectsWith(store.putProvisioned(config(fn, "$LATEST", 1), 1_000_000), "LatestProtected", "qualifier");
      await rejectsWith(store.putProvisioned(config(fn, "7", 1), 1_000_000), "VersionNotFound", "qualifier");
      const used = await taken(store);
      // The peak of the scheduled change counts, not only the count kept now.
      await rejectsWith(store.putProvisioned(config(fn, "1", 1, 3), used + 2), "CapacityExceedsMachine");
      await store.putProvisioned(config(fn, "1", 1, 2), used + 2);
      // Replacing a config does not count the one it replaces.
      await store.putProvisioned(config(fn, "1", 2), used + 2);
      assert.deepEqual((await store.listProvisioned(fn.id)).map((c) => c.settings.count), [2]);
      await store.deleteFunction(fn.id);
      await rejectsWith(store.putProvisioned(config(fn, "1", 1), 1_000_000), "FunctionNotFound", "function");
    });

    void test("deleting the version, the alias or the function deletes its configs", async () => {
      const { store } = harness();
      const fn = await withVersions("cascade", 2);
      await store.insertAlias(alias(fn.id, "live", "2"), 5);
      await store.putProvisioned(config(fn, "1", 1), 1_000_000);
      await store.putProvisioned(config(fn, "live", 1), 1_000_000);
      await store.deleteVersion(fn.id, "1");
      assert.deepEqual((await store.listProvisioned(fn.id)).map((c) => c.qualifier), ["live"]);
      await store.deleteAlias(fn.id, "live");
      assert.deepEqual(await store.listProvisioned(fn.id), []);
      await store.putProvisioned(config(fn, "2", 1), 1_000_000);
      await store.deleteFunction(fn.id);
      assert.equal((await store.listProvisioned(null)).some((c) => c.functionId === fn.id), false);
    });

    void test("provisioned instances within the function's cap, in the cap's unit, whichever is put second", async () => {
      const { store } = harness();
      // Version 1 at 128 MB (the head's at publish); then the head goes to 512 MB for alias "head" → $LATEST.
      const fn = await withVersions("within", 1);
      const bigger = await store.transitionFunction(fn.id, ["Active"], { status: "Active", config: { ...fn.config, memoryMb: 512 }, changed: true, now: tick() });
      assert.ok(bigger);
      await store.insertAlias(alias(fn.id, "live", "1"), 5);
      await store.insertAlias(alias(fn.id, "head", "$LATEST"), 5);
      await store.putConcurrencyCap(fn.id, { unit: "memoryMb", value: 384 }, 1_000_000);
      await store.putProvisioned(config(fn, "1", 2), 1_000_000); // 256 MB
      // Another 128 MB instance fits exactly; a scheduled peak of 2 does not.
      await rejectsWith(store.putProvisioned(config(fn, "live", 1, 2), 1_000_000), "ProvisionedOverReserved");
      await store.putProvisioned(config(fn, "live", 1), 1_000_000);
      // An alias of $LATEST keeps instances of the head's 512 MB.
      await store.putConcurrencyCap(fn.id, { unit: "memoryMb", value: 384 + 511 }, 1_000_000);
      await rejectsWith(store.putProvisioned(config(fn, "head", 1), 1_000_000), "ProvisionedOverReserved");
      await store.putConcurrencyCap(fn.id, { unit: "memoryMb", value: 384 + 512 }, 1_000_000);
      await store.putProvisioned(config(fn, "head", 1), 1_000_000);
      // Replacing a config counts its new count, not its old one too.
      await store.putProvisioned(config(fn, "1", 2), 1_000_000);
      // Lowering the cap below what is kept is refused; in instances, instances count.
      await rejectsWith(store.putConcurrencyCap(fn.id, { unit: "memoryMb", value: 895 }, 1_000_000), "ProvisionedOverReserved");
      await rejectsWith(store.putConcurrencyCap(fn.id, { unit: "instances", value: 3 }, 1_000_000), "ProvisionedOverReserved");
      await store.putConcurrencyCap(fn.id, { unit: "instances", value: 4 }, 1_000_000);
      await rejectsWith(store.putProvisioned(config(fn, "1", 3), 1_000_000), "ProvisionedOverReserved");
      assert.deepEqual((await store.listConcurrencyCaps(fn.scope)).map((c) => c.cap), [{ unit: "instances", value: 4 }], "a refused cap is not stored");
      assert.deepEqual((await store.listProvisioned(fn.id)).map((c) => [c.qualifier, c.settings.count]), [["1", 2], ["head", 1], ["live", 1]], "a refused config is not stored");
      // Removing the cap, or the configs, lifts the check.
      await store.putConcurrencyCap(fn.id, null, 1_000_000);
      await store.putProvisioned(config(fn, "1", 3), 1_000_000);
      for (const q of ["1", "head", "live"]) await store.deleteProvisioned(fn.id, q);
      await store.putConcurrencyCap(fn.id, { unit: "memoryMb", value: 0 }, 1_000_000);
    });

    void test("concurrency caps and namespace totals: set, replace, remove; reserved memory within the total", async () => {
      const { store } = harness();
      const a = await activeFunction(store, freshScope(), "a");
      const b = await activeFunction(store, a.scope, "b");
      await store.putConcurrencyCap(a.id, { unit: "memoryMb", value: 600 }, 1000);
      await rejectsWith(store.putConcurrencyCap(b.id, { unit: "memoryMb", value: 500 }, 1000), "ReservedOverTotal");
      // A cap in instances reserves no memory.
      await store.putConcurrencyCap(b.id, { unit: "instances", value: 3 }, 1000);
      assert.deepEqual(
        (await store.listConcurrencyCaps(a.scope)).sort((x, y) => x.functionId.localeCompare(y.functionId)),
        [{ functionId: a.id, scope: a.scope, namespace: a.namespace, cap: { unit: "memoryMb", value: 600 } }, { functionId: b.id, scope: b.scope, namespace: b.namespace, cap: { unit: "instances", value: 3 } }]
          .sort((x, y) => x.functionId.localeCompare(y.functionId)),
      );
      await rejectsWith(store.putTotalConcurrency(a.scope, a.namespace, 599), "TotalBelowReserved");
      await store.putTotalConcurrency(a.scope, a.namespace, 2000);
      await store.putConcurrencyCap(b.id, { unit: "memoryMb", value: 1400 }, 1000);
      assert.deepEqual(await store.listTotalConcurrency(a.scope), [{ namespace: a.namespace, totalMb: 2000 }]);
      await store.putConcurrencyCap(b.id, null, 1000);
      assert.deepEqual((await store.listConcurrencyCaps(a.scope)).map((c) => c.functionId), [a.id]);
      assert.ok((await store.listConcurrencyCaps(null)).some((c) => c.functionId === a.id));
      await store.deleteFunction(a.id);
      assert.deepEqual(await store.listConcurrencyCaps(a.scope), []);
      await rejectsWith(store.putConcurrencyCap(a.id, { unit: "instances", value: 1 }, 1000), "FunctionNotFound", "function");
      assert.deepEqual(await store.listTotalConcurrency(freshScope()), []);
    });
  });
}
