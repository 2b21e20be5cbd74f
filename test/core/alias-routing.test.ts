import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import type { AliasRecord, AliasRouting } from "../../src/core/aliases.js";
import { AliasRouter, parseRange, ruleMatches } from "../../src/core/routing.js";

function alias(routing: AliasRouting, revision = 1): AliasRecord {
  return { functionId: "f1", name: "live", version: "1", description: "", routing, revision, createdAt: 0, updatedAt: 0 };
}

/** Calls in sequence, as a stream of invocations arrives. */
async function chooseMany(router: AliasRouter, live: AliasRecord, count: number): Promise<string[]> {
  const picks: string[] = [];
  for (let i = 0; i < count; i += 1) picks.push(await router.choose(live, {}, null));
  return picks;
}

describe("AliasRouter weighted routing", () => {
  it("sends between 9 and 11 of every 100 consecutive calls to a 10 % version", async () => {
    const router = new AliasRouter();
    const live = alias({ kind: "weighted", version: "2", weight: 0.1 });
    const picks = await chooseMany(router, live, 10_000);
    for (let start = 0; start + 100 <= picks.length; start += 1) {
      const extra = picks.slice(start, start + 100).filter((v) => v === "2").length;
      assert.ok(extra >= 9 && extra <= 11, `window at ${start} had ${extra}`);
    }
    assert.equal(picks.filter((v) => v === "2").length, 1000);
  });

  it("honours odd weights over any window", async () => {
    const router = new AliasRouter();
    const live = alias({ kind: "weighted", version: "2", weight: 0.37 });
    const picks = await chooseMany(router, live, 1000);
    const extra = picks.filter((v) => v === "2").length;
    assert.ok(Math.abs(extra - 370) <= 1, `got ${extra}`);
  });

  it("pins a routing key to one version while the alias is unchanged", async () => {
    const router = new AliasRouter();
    const live = alias({ kind: "weighted", version: "2", weight: 0.5 });
    for (const key of ["alice", "bob", "carol", "dave"]) {
      const first = await router.choose(live, {}, key);
      for (let i = 0; i < 20; i += 1) assert.equal(await router.choose(live, {}, key), first);
    }
    const keys = Array.from({ length: 400 }, (_, i) => `user-${i}`);
    const share = (await Promise.all(keys.map((k) => router.choose(live, {}, k)))).filter((v) => v === "2").length / keys.length;
    assert.ok(share > 0.4 && share < 0.6, `sticky keys split ${share}`);
  });

  it("never routes to the additional version at weight 0 and always at weight 1", async () => {
    const router = new AliasRouter();
    const none = alias({ kind: "weighted", version: "2", weight: 0 });
    const all = alias({ kind: "weighted", version: "2", weight: 1 }, 2);
    for (let i = 0; i < 50; i += 1) {
      assert.equal(await router.choose(none, {}, null), "1");
      assert.equal(await router.choose(all, {}, null), "2");
    }
  });
});

describe("rule routing", () => {
  it("matches exact values and ranges", async () => {
    const router = new AliasRouter();
    const live = alias({ kind: "rules", version: "2", combine: "or", rules: [{ key: "User", method: "range", expression: "[1,50]" }] });
    assert.equal(await router.choose(live, { User: "1" }, null), "2");
    assert.equal(await router.choose(live, { User: "50" }, null), "2");
    assert.equal(await router.choose(live, { User: "51" }, null), "1");
    assert.equal(await router.choose(live, { User: "abc" }, null), "1");
    assert.equal(await router.choose(live, {}, null), "1");
    assert.equal(ruleMatches({ key: "k", method: "exact", expression: "vip" }, "vip"), true);
    assert.equal(ruleMatches({ key: "k", method: "exact", expression: "vip" }, "VIP"), false);
  });

  it("parses open and closed ranges and refuses malformed ones", async () => {
    assert.deepEqual(parseRange("(1,10]"), { low: 1, high: 10, lowInclusive: false, highInclusive: true });
    assert.equal(ruleMatches({ key: "k", method: "range", expression: "(1,10)" }, "1"), false);
    assert.equal(parseRange("[10,1]"), null);
    assert.equal(parseRange("1-10"), null);
  });
});
