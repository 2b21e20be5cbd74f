import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import type { FunctionRecord } from "../../core/model.js";
import type { MetadataStore, PlannedTimer, TimerClaim } from "../../core/ports.js";
import type { TriggerRecord } from "../../core/triggers.js";
import { activeFunction, asyncRecord, freshScope, tick, type SuiteContext } from "./fixtures.js";

function timer(fn: FunctionRecord, name: string, extra: Partial<TriggerRecord> = {}): TriggerRecord {
  const now = tick();
  return {
    id: randomBytes(16).toString("hex"),
    functionId: fn.id,
    name,
    qualifier: "$LATEST",
    enabled: true,
    description: "",
    settings: { kind: "timer", origin: "fgs", scheduleKind: "rate", expression: "1m", schedule: { kind: "every", intervalMs: 60_000 }, payload: "p" },
    extras: {},
    createdAt: now,
    updatedAt: now,
    ...extra,
  };
}

async function planned(store: MetadataStore, triggerId: string): Promise<PlannedTimer | undefined> {
  return (await store.listTimers()).find((t) => t.trigger.id === triggerId);
}

/** A step from what the scheduler read, to `nextFireAt`, firing an invocation of the function unless told not to. */
function step(seen: PlannedTimer, nextFireAt: number, fire = true): TimerClaim {
  return {
    triggerId: seen.trigger.id,
    seenUpdatedAt: seen.trigger.updatedAt,
    seenNextFireAt: seen.nextFireAt,
    nextFireAt,
    invocation: fire ? asyncRecord(seen.fn.scope, seen.fn.id) : null,
  };
}

export function timerCases({ harness }: SuiteContext): void {
  void describe("timer plans and claims", () => {
    void test("enabled timers are listed with their function, unplanned until a claim plans them", async () => {
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), "ticking");
      const on = await store.insertTrigger(timer(fn, "on"), 10);
      const off = await store.insertTrigger(timer(fn, "off", { enabled: false }), 10);
      const seen = await planned(store, on.id);
      assert.ok(seen, "the enabled timer is listed");
      assert.deepEqual(seen.trigger, on);
      assert.deepEqual(seen.fn, fn, "with its function, as getFunctionById gives it");
      assert.equal(seen.nextFireAt, null, "not planned yet");
      assert.equal(await planned(store, off.id), undefined, "a disabled timer is not listed");
      assert.equal(await store.claimTimer(step(seen, 60_000, false)), true);
      assert.equal((await planned(store, on.id))?.nextFireAt, 60_000);
      assert.equal(await store.claimTimer(step(seen, 120_000, false)), false, "a step from a plan that is no longer there loses");
      assert.equal((await planned(store, on.id))?.nextFireAt, 60_000);
    });

    void test("a won claim records its invocation with the new plan; a lost one records nothing", async () => {
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), "firing");
      const t = await store.insertTrigger(timer(fn, "t"), 10);
      const unplanned = await planned(store, t.id);
      assert.ok(unplanned);
      await store.claimTimer(step(unplanned, 60_000, false));
      const seen = await planned(store, t.id);
      assert.ok(seen);
      const won = step(seen, 120_000);
      const lost = step(seen, 120_000);
      assert.equal(await store.claimTimer(won), true);
      assert.equal(await store.claimTimer(lost), false);
      assert.deepEqual(await store.getAsyncInvocation(fn.scope, won.invocation?.id ?? ""), won.invocation);
      assert.equal(await store.getAsyncInvocation(fn.scope, lost.invocation?.id ?? ""), null, "the losing step recorded no invocation");
      assert.equal((await planned(store, t.id))?.nextFireAt, 120_000);
    });

    void test("an update clears the plan and loses steps read before it; a disabled or deleted timer loses", async () => {
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), "changing");
      const t = await store.insertTrigger(timer(fn, "t"), 10);
      const first = await planned(store, t.id);
      assert.ok(first);
      await store.claimTimer(step(first, 60_000, false));
      const before = await planned(store, t.id);
      assert.ok(before);
      await store.updateTrigger(fn.id, t.id, { description: "changed", now: tick() });
      const after = await planned(store, t.id);
      assert.equal(after?.nextFireAt, null, "the update cleared the plan");
      assert.equal(await store.claimTimer(step(before, 120_000)), false, "read before the update");
      assert.ok(after);
      await store.updateTrigger(fn.id, t.id, { enabled: false, now: tick() });
      assert.equal(await store.claimTimer(step(after, 120_000)), false, "disabled");
      assert.equal(await planned(store, t.id), undefined);
      const enabled = await store.updateTrigger(fn.id, t.id, { enabled: true, now: tick() });
      const again = await planned(store, t.id);
      assert.ok(again && enabled);
      await store.deleteTrigger(fn.id, t.id);
      assert.equal(await store.claimTimer(step(again, 120_000)), false, "deleted");
    });

    void test("an update in the same millisecond as the trigger's last write still loses steps read before it", async () => {
      // A virtual clock stands still between advances, and a fast client can write twice in a
      // millisecond: a claim of the first plan read before the update must not plan by the old schedule.
      const { store } = harness();
      const fn = await activeFunction(store, freshScope(), "same-ms");
      const t = await store.insertTrigger(timer(fn, "t"), 10);
      const before = await planned(store, t.id);
      assert.ok(before);
      const daily: TriggerRecord["settings"] = { kind: "timer", origin: "fgs", scheduleKind: "rate", expression: "1d", schedule: { kind: "every", intervalMs: 86_400_000 }, payload: "p" };
      const updated = await store.updateTrigger(fn.id, t.id, { settings: daily, now: t.updatedAt });
      assert.ok(updated && updated.updatedAt > t.updatedAt, "the write is told apart from the one before");
      assert.equal(await store.claimTimer(step(before, 60_000, false)), false, "read before the update");
      assert.equal((await planned(store, t.id))?.nextFireAt, null, "still unplanned: the next plan is the new schedule's");
    });

    void test("nodes claiming the same fire times at once: each time is won once", async (t) => {
      const { store, openPeer, multiNode } = harness();
      if (!openPeer || !multiNode) return t.skip("this store serves one process only");
      const peers = [store, await openPeer(), await openPeer()];
      const fn = await activeFunction(store, freshScope(), "raced");
      const trigger = await store.insertTrigger(timer(fn, "t"), 10);
      const invocations: string[] = [];
      for (let fireTime = 60_000; fireTime <= 20 * 60_000; fireTime += 60_000) {
        // Every node read the same plan, and all step from it together.
        const seen = await planned(store, trigger.id);
        assert.ok(seen);
        const claims = peers.map(() => step(seen, fireTime));
        const won = await Promise.all(peers.map((node, i) => node.claimTimer(claims[i] as TimerClaim)));
        assert.equal(won.filter(Boolean).length, 1, `exactly one node wins the step to ${fireTime}`);
        invocations.push(...claims.filter((_, i) => won[i]).map((claim) => claim.invocation?.id ?? ""));
      }
      const recorded = await store.listAsyncInvocations(fn.scope, fn.id, 100);
      assert.deepEqual(recorded.map((r) => r.id).sort(), invocations.sort(), "one invocation per fire time, from the winner");
    });
  });
}
