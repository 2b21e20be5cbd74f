import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { capInExecutions, desiredCount, peakCount, type ProvisionedConfig, type ScheduledCapacity } from "../../src/core/capacity.js";
import type { QuiverError } from "../../src/core/errors.js";
import { checkCapCoversProvisioned, checkReservedPut, checkTotalPut, decideProvisionedPut } from "../../src/core/store-rules/capacity.js";

const T0 = Date.parse("2030-01-01T00:00:00Z");
const HOUR = 3_600_000;

function change(name: string, hour: number, count: number, extra: Partial<ScheduledCapacity> = {}): ScheduledCapacity {
  return { name, schedule: { kind: "cron", cron: `0 0 ${hour} * * * *`, timezone: "UTC" }, count, startsAt: null, endsAt: null, ...extra };
}

function config(count: number, schedules: ScheduledCapacity[] = [], qualifier = "1"): ProvisionedConfig {
  return {
    functionId: "f",
    scope: { accountId: "a", region: "r" },
    namespace: "default",
    functionName: "fn",
    qualifier,
    qualifierKind: "version",
    settings: { count, schedules, convention: "scf", contextValues: {}, extras: {} },
    createdAt: T0,
    updatedAt: T0,
  };
}

void describe("capacity: the count due at a time", () => {
  test("the config's own count until a scheduled change fires; then the change that fired last", () => {
    const c = config(1, [change("up", 9, 4), change("down", 18, 0)]);
    assert.equal(desiredCount(c, T0), 1);
    assert.equal(desiredCount(c, T0 + 9 * HOUR - 1), 1);
    assert.equal(desiredCount(c, T0 + 9 * HOUR), 4);
    assert.equal(desiredCount(c, T0 + 18 * HOUR), 0);
    assert.equal(desiredCount(c, T0 + 33 * HOUR), 4, "the next morning");
  });

  test("fires before the config was put do not count; a window bounds a change", () => {
    const putAt10 = { ...config(2, [change("up", 9, 5)]), updatedAt: T0 + 10 * HOUR };
    assert.equal(desiredCount(putAt10, T0 + 11 * HOUR), 2, "09:00 was before the put");
    const windowed = config(1, [change("up", 9, 5, { startsAt: T0 + 24 * HOUR, endsAt: T0 + 30 * HOUR })]);
    assert.equal(desiredCount(windowed, T0 + 10 * HOUR), 1, "before start_time");
    assert.equal(desiredCount(windowed, T0 + 34 * HOUR - 1), 1, "the 33:00 fire is after expired_time");
    assert.equal(desiredCount(windowed, T0 + 33 * HOUR), 1);
    const inWindow = config(1, [change("up", 9, 5, { startsAt: T0, endsAt: T0 + 12 * HOUR })]);
    assert.equal(desiredCount(inWindow, T0 + 10 * HOUR), 5);
    assert.equal(desiredCount(inWindow, T0 + 12 * HOUR + 1), 1, "after expired_time the change no longer applies");
  });

  test("peak: the most any change asks for; caps in executions", () => {
    assert.equal(peakCount({ count: 2, schedules: [change("a", 1, 7), change("b", 2, 0)] }), 7);
    assert.equal(peakCount({ count: 3, schedules: [] }), 3);
    assert.equal(capInExecutions({ unit: "memoryMb", value: 300 }, 128), 2);
    assert.equal(capInExecutions({ unit: "instances", value: 4 }, 128), 4);
  });
});

void describe("capacity store rules", () => {
  const qualifier = { isVersion: true, isAlias: false };
  // No cap on the function: only the machine bounds its configs.
  const uncapped = { cap: null, siblings: [], memoryMb: 128 };

  test("a provisioned config: a version or alias, never $LATEST, within the machine with every other config", () => {
    assert.equal(decideProvisionedPut(config(2), { qualifier: { isVersion: false, isAlias: true }, others: [], ...uncapped }, 10).qualifierKind, "alias");
    assert.throws(() => decideProvisionedPut(config(1, [], "$LATEST"), { qualifier, others: [], ...uncapped }, 10), (e: QuiverError) => e.code === "LatestProtected");
    assert.throws(() => decideProvisionedPut(config(1), { qualifier: { isVersion: false, isAlias: false }, others: [], ...uncapped }, 10), (e: QuiverError) => e.code === "VersionNotFound" && e.subject === "qualifier");
    const others = [config(3), config(1, [change("x", 1, 4)])];
    assert.equal(decideProvisionedPut(config(3), { qualifier, others, ...uncapped }, 10).settings.count, 3);
    assert.throws(
      () => decideProvisionedPut(config(1, [change("y", 2, 4)]), { qualifier, others, ...uncapped }, 10),
      (e: QuiverError) => e.code === "CapacityExceedsMachine" && e.message.includes("at most 10 instances") && e.message.includes("already ask for 7") && e.message.includes("at most 3 are left"),
    );
  });

  test("provisioned instances within the function's cap, in its unit, each config at its peak", () => {
    const memoryCap = { unit: "memoryMb" as const, value: 384 };
    const siblings = [{ qualifier: "live", settings: { count: 1, schedules: [] }, memoryMb: 128 }];
    // 1 × 128 (live) + 2 × 128 = 384: fits exactly; a peak of 3 does not.
    decideProvisionedPut(config(2), { qualifier, others: [], cap: memoryCap, siblings, memoryMb: 128 }, 10);
    assert.throws(
      () => decideProvisionedPut(config(1, [change("p", 1, 3)]), { qualifier, others: [], cap: memoryCap, siblings, memoryMb: 128 }, 10),
      (e: QuiverError) => e.code === "ProvisionedOverReserved" && e.message.includes("512 MB") && e.message.includes("of 384 MB"),
    );
    // Bigger instances count for more memory; a cap in instances counts instances.
    assert.throws(() => decideProvisionedPut(config(2), { qualifier, others: [], cap: memoryCap, siblings, memoryMb: 256 }, 10), (e: QuiverError) => e.code === "ProvisionedOverReserved");
    decideProvisionedPut(config(2), { qualifier, others: [], cap: { unit: "instances", value: 3 }, siblings, memoryMb: 4096 }, 10);
    const kept = [...siblings, { qualifier: "1", settings: { count: 2, schedules: [] }, memoryMb: 128 }];
    checkCapCoversProvisioned(memoryCap, kept, "f");
    assert.throws(() => checkCapCoversProvisioned({ unit: "memoryMb", value: 383 }, kept, "f"), (e: QuiverError) => e.code === "ProvisionedOverReserved" && e.message.includes("383 MB is less than the 384 MB"));
    assert.throws(() => checkCapCoversProvisioned({ unit: "instances", value: 2 }, kept, "f"), (e: QuiverError) => e.code === "ProvisionedOverReserved" && e.message.includes("2 instances is less than the 3 instances"));
    checkCapCoversProvisioned({ unit: "memoryMb", value: 0 }, [], "f");
  });

  test("reserved memory within the namespace's total; instance caps reserve no memory", () => {
    checkReservedPut({ unit: "memoryMb", value: 400 }, { others: [{ cap: { unit: "memoryMb", value: 600 } }, { cap: { unit: "instances", value: 50 } }], totalMb: 1000 });
    assert.throws(() => checkReservedPut({ unit: "memoryMb", value: 401 }, { others: [{ cap: { unit: "memoryMb", value: 600 } }], totalMb: 1000 }), (e: QuiverError) => e.code === "ReservedOverTotal");
    checkTotalPut(600, [{ cap: { unit: "memoryMb", value: 600 } }]);
    assert.throws(() => checkTotalPut(599, [{ cap: { unit: "memoryMb", value: 600 } }]), (e: QuiverError) => e.code === "TotalBelowReserved");
  });
});
