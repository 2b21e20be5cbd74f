import type { QuiverConfig } from "../../config/config.js";
import { QuiverError } from "../../core/errors.js";
import type { TokenLimiter } from "../../core/ports.js";

/** The rate of a name no action declares and no override names (only ever asked about, never enforced). */
export const DEFAULT_RATE_LIMIT = 100;

/**
 * Token buckets per key (account + action): `rate` tokens per second, bursting up to `rate` (at least 1).
 * In-memory and per node; with several nodes each enforces the limit on its own traffic (a
 * cluster shares one limiter through Redis instead, and falls back to this one without it).
 */
export class RateLimiter implements TokenLimiter {
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

  /** Buckets held; one per account and known action at most. */
  get size(): number {
    return this.#buckets.size;
  }
}

/**
 * One dialect's per-account, per-action limits. Callers pass only actions their dispatch table
 * knows, so the buckets (and the memory they hold) are bounded by accounts × actions, whatever
 * names clients send.
 */
export class ActionRates {
  readonly #limiter: TokenLimiter;
  readonly #settings: QuiverConfig["rateLimits"];
  readonly #dialect: string;
  readonly #defaults: ReadonlyMap<string, number>;

  constructor(limiter: TokenLimiter, settings: QuiverConfig["rateLimits"], dialect: string, defaults: ReadonlyMap<string, number>) {
    this.#limiter = limiter;
    this.#settings = settings;
    this.#dialect = dialect;
    this.#defaults = defaults;
  }

  /** The override, else the documented rate, else the default. Only own keys count: `constructor` is no rate. */
  rateOf(action: string): number {
    const overrides = this.#settings.overrides;
    if (Object.hasOwn(overrides, action)) return overrides[action] ?? DEFAULT_RATE_LIMIT;
    return this.#defaults.get(action) ?? DEFAULT_RATE_LIMIT;
  }

  /** Takes a token for `action`; throws RateLimited when the account is over its rate. */
  async enforce(accountName: string, action: string): Promise<void> {
    if (!this.#settings.enabled) return;
    const rate = this.rateOf(action);
    if (!(await this.#limiter.take(`${this.#dialect}:${accountName}:${action}`, rate))) {
      throw new QuiverError("RateLimited", `Too many ${action} requests: at most ${rate} per second are allowed.`);
    }
  }
}

/** Overrides that name no action of any dialect (a typo would otherwise be ignored silently). */
export function unknownRateOverrides(overrides: Readonly<Record<string, number>>, knownActions: ReadonlySet<string>): string[] {
  return Object.keys(overrides).filter((name) => !knownActions.has(name));
}
