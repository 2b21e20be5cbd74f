/**
 * Token buckets per key (account + action): `rate` tokens per second, bursting up to `rate` (at least 1).
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
    // A bucket must hold at least one whole token, or a rate below 1/s would refuse everything.
    const burst = Math.max(1, ratePerSecond);
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
