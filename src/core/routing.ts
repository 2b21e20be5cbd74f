import { createHash } from "node:crypto";
import type { AliasRecord, RoutingRule } from "./aliases.js";
import type { SplitCounter } from "./ports.js";

/**
 * Picks the version an alias serves for one invocation.
 *
 * Weighted routing is deterministic, not a coin flip per call: each alias revision has a
 * counter, and invocation n goes to the additional version exactly when floor((n+1)·w + φ)
 * exceeds floor(n·w + φ). Any run of N consecutive invocations then sends floor or ceil of
 * N·w to the additional version, so a 10 % canary gets 10 of every 100 calls even at low
 * traffic (Lambda and LocalStack draw independently per call and stray). φ is a per-revision
 * phase so the first canary call is not always the same position.
 *
 * The counter is a `SplitCounter`: in memory per node (`LocalSplitCounter`), or shared by the
 * nodes of a cluster (Redis), which numbers the calls of every node in one sequence, so the
 * split is exact cluster-wide.
 *
 * A routing key pins a caller: the choice is a hash of (alias revision, key), stable for as
 * long as the alias is unchanged.
 */
export class AliasRouter {
  readonly #counter: SplitCounter;

  constructor(counter: SplitCounter = new LocalSplitCounter()) {
    this.#counter = counter;
  }

  async choose(alias: AliasRecord, headers: Readonly<Record<string, string>>, routingKey: string | null): Promise<string> {
    const routing = alias.routing;
    switch (routing.kind) {
      case "none":
        return alias.version;
      case "rules":
        return matches(routing.rules, routing.combine, headers) ? routing.version : alias.version;
      case "weighted":
        return (routingKey === null ? await this.#next(alias, routing.weight) : stickyShare(alias, routingKey) < routing.weight) ? routing.version : alias.version;
    }
  }

  /** The Bresenham step: true when this invocation belongs to the additional version. */
  async #next(alias: AliasRecord, weight: number): Promise<boolean> {
    const n = await this.#counter.next(aliasKey(alias.functionId, alias.name), alias.revision);
    const phase = stickyShare(alias, "phase");
    return Math.floor((n + 1) * weight + phase) > Math.floor(n * weight + phase);
  }

  /** Forgets the counters of an alias (deleted aliases). */
  forget(functionId: string, name: string): void {
    this.#counter.forget(aliasKey(functionId, name));
  }
}

function aliasKey(functionId: string, name: string): string {
  return `${functionId}/${name}`;
}

/** A counter per alias in this process: a new revision starts again at 0. */
export class LocalSplitCounter implements SplitCounter {
  readonly #counters = new Map<string, { revision: number; n: number }>();

  next(key: string, revision: number): number {
    let state = this.#counters.get(key);
    if (!state || state.revision !== revision) {
      state = { revision, n: 0 };
      this.#counters.set(key, state);
    }
    const n = state.n;
    state.n += 1;
    return n;
  }

  forget(key: string): void {
    this.#counters.delete(key);
  }
}

/** A stable number in [0, 1) for (alias revision, key). */
function stickyShare(alias: AliasRecord, key: string): number {
  const digest = createHash("sha256").update(`${alias.functionId}\0${alias.name}\0${alias.revision}\0${key}`).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000;
}

function matches(rules: readonly RoutingRule[], combine: "and" | "or", headers: Readonly<Record<string, string>>): boolean {
  // Header names are case-insensitive; transports that lower-case them still match a rule on `User`.
  const results = rules.map((rule) => ruleMatches(rule, headers[rule.key] ?? headers[rule.key.toLowerCase()]));
  return combine === "and" ? results.every(Boolean) : results.some(Boolean);
}

export function ruleMatches(rule: RoutingRule, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (rule.method === "exact") return value === rule.expression;
  const range = parseRange(rule.expression);
  if (!range || !/^-?\d+$/.test(value.trim())) return false;
  const x = Number(value);
  const aboveLow = range.lowInclusive ? x >= range.low : x > range.low;
  const belowHigh = range.highInclusive ? x <= range.high : x < range.high;
  return aboveLow && belowHigh;
}

export interface Range {
  readonly low: number;
  readonly high: number;
  readonly lowInclusive: boolean;
  readonly highInclusive: boolean;
}

/** `[a,b]`, `(a,b)`, `[a,b)` or `(a,b]` with integers a ≤ b; null when malformed. */
export function parseRange(expression: string): Range | null {
  const match = /^\s*([[(])\s*(-?\d+)\s*,\s*(-?\d+)\s*([\])])\s*$/.exec(expression);
  if (!match) return null;
  const low = Number(match[2]);
  const high = Number(match[3]);
  if (low > high) return null;
  return { low, high, lowInclusive: match[1] === "[", highInclusive: match[4] === "]" };
}
