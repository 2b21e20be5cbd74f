/**
 * Token buckets per key (account + action): `rate` tokens per second, bursting up to `rate`.
 * In-memory and per node; with several nodes each enforces the limit on its own traffic.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Takes one token; false when the caller is over the rate. */
  take(key: string, ratePerSecond: number): boolean {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: ratePerSecond, at: now };
    bucket.tokens = Math.min(ratePerSecond, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
