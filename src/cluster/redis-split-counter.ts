import type { SplitCounter } from "../core/ports.js";
import { RedisScript, type RedisLink } from "./redis-link.js";

/** Counters of revisions nobody calls any more go away by themselves. */
const COUNTER_TTL_MS = 7 * 86_400_000;

/** INCR and refresh the expiry in one round trip; the first call of a revision gets 1. */
const NEXT = new RedisScript(`
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n
`);

/**
 * One sequence per alias revision for every node: the cluster's calls are numbered in the
 * order Redis sees them, so the deterministic weighted split is exact across nodes. While
 * Redis is away each node counts on its own (`local`).
 */
export class RedisSplitCounter implements SplitCounter {
  readonly #link: RedisLink;
  readonly #local: SplitCounter;

  constructor(link: RedisLink, local: SplitCounter) {
    this.#link = link;
    this.#local = local;
  }

  next(aliasKey: string, revision: number): Promise<number> {
    return this.#link.run(
      async (redis) => Number(await NEXT.run(redis, `split:${aliasKey}:${revision}`, COUNTER_TTL_MS)) - 1,
      () => this.#local.next(aliasKey, revision),
    );
  }

  forget(aliasKey: string): void {
    this.#local.forget(aliasKey);
  }
}
