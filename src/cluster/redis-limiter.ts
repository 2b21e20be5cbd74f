import type { TokenLimiter } from "../core/ports.js";
import { RedisScript, type RedisLink } from "./redis-link.js";

/**
 * GCRA (the generic cell rate algorithm), atomically in Redis on Redis's own clock: the key
 * holds the theoretical arrival time (µs) of the next request. A request is let through when
 * that time, moved on by one interval, is at most `burst` intervals ahead of now. It allows
 * exactly what the local token bucket allows (a burst of `rate`, then `rate` per second), but
 * for every node at once; nodes' clocks never matter.
 */
const GCRA = new RedisScript(`
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = 1000000 / rate
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local next_tat = tat + interval
if next_tat - now > burst * interval then return 0 end
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.ceil((next_tat - now) / 1000) + 1)
return 1
`);

/** Per-account, per-action rates shared by every node on one Redis; the local limiter while Redis is away. */
export class RedisLimiter implements TokenLimiter {
  readonly #link: RedisLink;
  readonly #local: TokenLimiter;

  constructor(link: RedisLink, local: TokenLimiter) {
    this.#link = link;
    this.#local = local;
  }

  take(key: string, ratePerSecond: number): Promise<boolean> {
    // A bucket holds at least one whole request, or a rate below 1/s would refuse everything.
    const burst = Math.max(1, ratePerSecond);
    return this.#link.run(
      async (redis) => (await GCRA.run(redis, `rate:${key}`, ratePerSecond, burst)) === 1,
      () => this.#local.take(key, ratePerSecond),
    );
  }
}
