import assert from "node:assert/strict";
import { after, describe, it } from "../helpers/node-test.js";
import { eventually } from "../helpers/eventually.js";
import type { AliasRecord } from "../../src/core/aliases.js";
import { AliasRouter, LocalSplitCounter } from "../../src/core/routing.js";
import { RateLimiter } from "../../src/dialects/shared/rate-limiter.js";
import { RedisLimiter } from "../../src/cluster/redis-limiter.js";
import { RedisLink, type LinkLog } from "../../src/cluster/redis-link.js";
import { RedisSplitCounter } from "../../src/cluster/redis-split-counter.js";
import { closedPort, REDIS_URL, removeKeys, startRedisServer, testKeyPrefix } from "./redis.js";

/** A log that keeps what it was told, to count the warnings. */
function recordingLog(): LinkLog & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return { warnings, infos, warn: (_d, message) => warnings.push(message), info: (_d, message) => infos.push(message) };
}

/** One "node": its own link to Redis, limiter and router, as each server process builds them. */
function node(url: string, prefix: string, log: LinkLog = recordingLog()): { link: RedisLink; limiter: RedisLimiter; router: AliasRouter } {
  const link = new RedisLink(url, prefix, log);
  return { link, limiter: new RedisLimiter(link, new RateLimiter()), router: new AliasRouter(new RedisSplitCounter(link, new LocalSplitCounter())) };
}

const canary: AliasRecord = { functionId: "f-1", name: "live", version: "1", description: "", routing: { kind: "weighted", version: "2", weight: 0.1 }, revision: 3, createdAt: 0, updatedAt: 0 };

async function taken(limiter: RedisLimiter, key: string, count: number, rate: number): Promise<number> {
  const answers = await Promise.all(Array.from({ length: count }, () => limiter.take(key, rate)));
  return answers.filter(Boolean).length;
}

describe("cluster counters in Redis", () => {
  const links: RedisLink[] = [];
  const prefixes: string[] = [];
  after(async () => {
    await Promise.all(links.map((link) => link.close()));
    for (const prefix of prefixes) await removeKeys(prefix);
  });

  it("three nodes share one rate: a burst of 20 in all, not 20 each", async () => {
    const prefix = testKeyPrefix();
    prefixes.push(prefix);
    const nodes = [node(REDIS_URL, prefix), node(REDIS_URL, prefix), node(REDIS_URL, prefix)];
    links.push(...nodes.map((n) => n.link));
    for (const n of nodes) assert.ok(await n.link.waitReady(5_000), "Redis answers");
    const started = performance.now();
    const counts = await Promise.all(nodes.map((n) => taken(n.limiter, "scf:alice:PublishVersion", 30, 20)));
    const seconds = (performance.now() - started) / 1000;
    const total = counts.reduce((a, b) => a + b, 0);
    // The burst, plus what refilled while the 90 requests were answered (20/s).
    assert.ok(total >= 20 && total <= 20 + Math.ceil(seconds * 20), `let through ${total} of 90 in ${seconds.toFixed(3)} s (per node: ${counts.join(", ")})`);
    // Another account has its own rate.
    assert.equal(await taken(nodes[0]?.limiter ?? assert.fail(),  "scf:bob:PublishVersion", 5, 20), 5);
  });

  it("numbers the weighted calls of every node in one sequence: 10 of every 100 go to a 10 % version", async () => {
    const prefix = testKeyPrefix();
    prefixes.push(prefix);
    const nodes = [node(REDIS_URL, prefix), node(REDIS_URL, prefix), node(REDIS_URL, prefix)];
    links.push(...nodes.map((n) => n.link));
    for (const n of nodes) assert.ok(await n.link.waitReady(5_000));
    // Round robin, as a load balancer spreads calls; each call waits for its answer, as a client does.
    const picks: string[] = [];
    for (let i = 0; i < 300; i += 1) picks.push(await (nodes[i % 3] ?? assert.fail()).router.choose(canary, {}, null));
    for (let start = 0; start + 100 <= picks.length; start += 1) {
      const extra = picks.slice(start, start + 100).filter((v) => v === "2").length;
      assert.ok(extra >= 9 && extra <= 11, `window at ${start} had ${extra}`);
    }
    // One sequence: exactly what a single node would have chosen for 300 calls in a row.
    const single = new AliasRouter(new LocalSplitCounter());
    const alone: string[] = [];
    for (let i = 0; i < 300; i += 1) alone.push(await single.choose(canary, {}, null));
    assert.deepEqual(picks, alone);
  });

  it("with Redis unreachable, counts per node with one warning, and shares again by itself once Redis is back", async () => {
    const port = await closedPort();
    const url = `redis://127.0.0.1:${port}/0`;
    const prefix = testKeyPrefix();
    const logs = [recordingLog(), recordingLog()];
    const nodes = logs.map((log) => node(url, prefix, log));
    links.push(...nodes.map((n) => n.link));
    // Down: each node lets its own burst through, at once (no waiting on a dead Redis).
    const started = performance.now();
    const down = await Promise.all(nodes.map((n) => taken(n.limiter, "scf:alice:CreateFunction", 8, 5)));
    assert.ok(performance.now() - started < 1_000, "answered without waiting for Redis");
    assert.deepEqual(down, [5, 5], "local limits while Redis is away");
    await nodes[0]?.limiter.take("scf:alice:CreateFunction", 5);
    for (const log of logs) assert.equal(log.warnings.length, 1, `one warning per node: ${log.warnings.join(" | ")}`);

    const redis = await startRedisServer(port);
    try {
      for (const n of nodes) assert.ok(await n.link.waitReady(10_000), "reconnects by itself");
      const up = await Promise.all(nodes.map((n) => taken(n.limiter, "scf:alice:UpdateAlias", 8, 5)));
      assert.ok((up[0] ?? 0) + (up[1] ?? 0) <= 6, `shared again once Redis is back: ${up.join(", ")}`);
      await eventually(() => logs.every((log) => log.infos.length === 1), { what: "each node logged the recovery once" });
      assert.equal(logs[0]?.warnings.length, 1, "no new warning");
    } finally {
      await redis.stop();
    }
  });
});
