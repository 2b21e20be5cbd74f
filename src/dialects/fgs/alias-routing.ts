import { z } from "zod";
import { additionalVersionProblem, type AliasRouting, type RoutingRule } from "../../core/aliases.js";
import { invalid } from "../../core/errors.js";
import { routingProblem } from "../../core/limits.js";
import { LATEST } from "../../core/model.js";

/**
 * FunctionGraph's alias traffic settings ↔ the core's neutral routing (reference §3.6).
 * `additional_version_weights` `{"<version>": <percent>}` becomes a weighted share of
 * percent/100; `additional_version_strategy` header rules become exact-match rules. Anything
 * the neutral model cannot hold (cookies, an `in` list inside an `and`) is refused with 400.
 */

export const StrategyRule = z.object({
  rule_type: z.string().nullish(),
  param: z.string(),
  op: z.string(),
  value: z.string(),
});

export const Strategy = z.object({
  combine_type: z.string().nullish(),
  rules: z.array(StrategyRule),
});

export const Weights = z.record(z.string(), z.unknown());
export const Strategies = z.record(z.string(), Strategy);

type StrategyIn = z.infer<typeof Strategy>;

const HEADER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Validates the one additional version both settings name. */
function additionalVersion(version: string, main: string): string {
  const problem = additionalVersionProblem(main, version);
  if (problem !== null) throw invalid("additional_version_main", problem);
  if (version === "latest" || version === LATEST) throw invalid("additional_version", "The additional version cannot be latest.");
  return version;
}

function onlyEntry<T>(record: Readonly<Record<string, T>>, field: string): [string, T] | null {
  const entries = Object.entries(record);
  if (entries.length > 1) throw invalid("additional_version", `An alias has at most one additional version; ${field} names ${entries.length}.`);
  return entries[0] ?? null;
}

function weightedIn(entry: [string, unknown], main: string): AliasRouting {
  const [version, weight] = entry;
  if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 0 || weight > 100) {
    throw invalid("additional_version_weights", `The weight of "${version}" must be a whole percent from 0 to 100.`);
  }
  return { kind: "weighted", version: additionalVersion(version, main), weight: weight / 100 };
}

function rulesIn(entry: [string, StrategyIn], main: string): AliasRouting {
  const [version, strategy] = entry;
  const combineText = (strategy.combine_type ?? "and").toLowerCase();
  if (combineText !== "and" && combineText !== "or") throw invalid("additional_version_strategy", `combine_type "${strategy.combine_type ?? ""}" is invalid: and or or.`);
  if (strategy.rules.length === 0) throw invalid("additional_version_strategy", `The strategy of "${version}" has no rules.`);
  let combine: "and" | "or" = combineText;
  // An `in` list is an "or" of exact matches: it fits the flat model only when the rules are
  // already or-ed, or when it is the only rule (then the whole strategy becomes an "or").
  if (combine === "and" && strategy.rules.length === 1) combine = "or";
  const rules = strategy.rules.flatMap((rule) => ruleIn(rule, combine));
  const routing: AliasRouting = { kind: "rules", version: additionalVersion(version, main), combine, rules };
  const problem = routingProblem(routing);
  if (problem) throw invalid("additional_version_strategy", problem);
  return routing;
}

function ruleIn(rule: z.infer<typeof StrategyRule>, combine: "and" | "or"): RoutingRule[] {
  const type = (rule.rule_type ?? "header").toLowerCase();
  if (type !== "header") throw invalid("additional_version_strategy", `rule_type "${rule.rule_type ?? ""}" is not supported: Quiver routes on request headers only.`);
  if (!HEADER_NAME.test(rule.param)) throw invalid("additional_version_strategy", `param "${rule.param}" is not a header name.`);
  if (rule.op === "=") return [{ key: rule.param, method: "exact", expression: rule.value }];
  if (rule.op.toLowerCase() !== "in") throw invalid("additional_version_strategy", `op "${rule.op}" is invalid: = or in.`);
  const values = rule.value.split(",").map((v) => v.trim()).filter((v) => v !== "");
  if (values.length === 0) throw invalid("additional_version_strategy", `The in rule on "${rule.param}" lists no values.`);
  if (values.length > 1 && combine === "and") {
    throw invalid("additional_version_strategy", `An in rule with several values cannot be combined with other rules by "and"; use combine_type "or" or one = rule per value.`);
  }
  return values.map((value) => ({ key: rule.param, method: "exact" as const, expression: value }));
}

/** The neutral routing of an alias's FunctionGraph settings; both empty means no additional version. */
export function routingIn(main: string, weights: Readonly<Record<string, unknown>> | null | undefined, strategies: Readonly<Record<string, StrategyIn>> | null | undefined): AliasRouting {
  const weighted = onlyEntry(weights ?? {}, "additional_version_weights");
  const ruled = onlyEntry(strategies ?? {}, "additional_version_strategy");
  if (weighted && ruled) throw invalid("additional_version_strategy", "Use additional_version_weights or additional_version_strategy, not both.");
  if (weighted) return weightedIn(weighted, main);
  if (ruled) return rulesIn(ruled, main);
  return { kind: "none" };
}

/**
 * `additional_version_weights` on the wire. A share set through SCF that is not a whole
 * percent is rounded, since the stricter SDKs type the weight as an integer.
 */
export function weightsOut(routing: AliasRouting): Record<string, number> {
  return routing.kind === "weighted" ? { [routing.version]: Math.round(routing.weight * 100) } : {};
}

/**
 * `additional_version_strategy` on the wire. Or-ed exact rules on one header read back as one
 * `in` rule; a range rule (only SCF can set one) reads as op `range` with its `[a,b]` expression.
 */
export function strategyOut(routing: AliasRouting): Record<string, unknown> {
  if (routing.kind !== "rules") return {};
  const rules: Array<Record<string, string>> = [];
  const byKey = new Map<string, RoutingRule[]>();
  for (const rule of routing.rules) byKey.set(rule.key, [...(byKey.get(rule.key) ?? []), rule]);
  for (const [key, group] of byKey) {
    const exact = group.filter((r) => r.method === "exact");
    if (routing.combine === "or" && exact.length > 1) rules.push({ rule_type: "header", param: key, op: "in", value: exact.map((r) => r.expression).join(",") });
    else exact.forEach((r) => rules.push({ rule_type: "header", param: key, op: "=", value: r.expression }));
    group.filter((r) => r.method === "range").forEach((r) => rules.push({ rule_type: "header", param: key, op: "range", value: r.expression }));
  }
  return { [routing.version]: { combine_type: routing.combine, rules } };
}
