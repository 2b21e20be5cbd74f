import { z } from "zod";
import type { AliasRouting, RoutingRule } from "../../core/aliases.js";
import { invalid } from "../../core/errors.js";
import { routingProblem } from "../../core/limits.js";
import { parseRange } from "../../core/routing.js";
import { num, str } from "./schema.js";

/**
 * SCF's alias `RoutingConfig` ↔ the core's neutral routing. `AdditionalVersionWeights` is a
 * weighted share (0 to 1); `AddtionVersionMatchs` (sic, the API's spelling) are or-ed header
 * rules on `invoke.headers.<name>`, exact or range. One additional version at most.
 */

export const RoutingConfig = z.strictObject({
  AdditionalVersionWeights: z.array(z.strictObject({ Version: str, Weight: num })).optional(),
  AddtionVersionMatchs: z.array(z.strictObject({ Version: str, Key: str, Method: str, Expression: str })).optional(),
});

const HEADER_KEY = /^invoke\.headers\.([A-Za-z0-9_-]{1,64})$/;

/** SCF RoutingConfig → the neutral routing: one additional version, by weight or by rules. */
export function routingIn(primary: string, config: z.infer<typeof RoutingConfig> | undefined): AliasRouting {
  const weights = config?.AdditionalVersionWeights ?? [];
  const matches = config?.AddtionVersionMatchs ?? [];
  if (weights.length > 0 && matches.length > 0) throw invalid("RoutingConfig", "AdditionalVersionWeights and AddtionVersionMatchs cannot be used together.");
  if (weights.length > 1) throw invalid("RoutingConfig", "An alias can have at most one additional version in AdditionalVersionWeights.");
  const weighted = weights[0];
  if (weighted) {
    if (weighted.Version === primary) throw invalid("RoutingConfig", `The additional version ${weighted.Version} must differ from FunctionVersion.`);
    if (!(weighted.Weight >= 0 && weighted.Weight <= 1)) throw invalid("RoutingConfig", `Weight ${weighted.Weight} is invalid: a share of traffic from 0 to 1.`);
    return { kind: "weighted", version: weighted.Version, weight: weighted.Weight };
  }
  if (matches.length === 0) return { kind: "none" };
  const versions = new Set(matches.map((m) => m.Version));
  const [version = ""] = versions;
  if (versions.size > 1) throw invalid("RoutingConfig", "All AddtionVersionMatchs must name the same additional version.");
  if (version === primary) throw invalid("RoutingConfig", `The additional version ${version} must differ from FunctionVersion.`);
  return withinLimits({ kind: "rules", version, combine: "or", rules: matches.map(ruleIn) });
}

function withinLimits(routing: AliasRouting): AliasRouting {
  const problem = routingProblem(routing);
  if (problem) throw invalid("RoutingConfig", problem);
  return routing;
}

function ruleIn(match: { Key: string; Method: string; Expression: string }): RoutingRule {
  const key = HEADER_KEY.exec(match.Key)?.[1];
  if (!key) throw invalid("RoutingConfig", `Key "${match.Key}" is invalid: use invoke.headers.<name>.`);
  if (match.Method !== "exact" && match.Method !== "range") throw invalid("RoutingConfig", `Method "${match.Method}" is invalid: exact or range.`);
  if (match.Method === "range" && !parseRange(match.Expression)) {
    throw invalid("RoutingConfig", `Expression "${match.Expression}" is not a range like [1,100] or (1,100) with integers.`);
  }
  return { key, method: match.Method, expression: match.Expression };
}

/** The neutral routing as SCF's `RoutingConfig`. */
export function routingConfigOut(routing: AliasRouting): Record<string, unknown> {
  return {
    AdditionalVersionWeights: routing.kind === "weighted" ? [{ Version: routing.version, Weight: routing.weight }] : [],
    AddtionVersionMatchs:
      routing.kind === "rules"
        ? routing.rules.map((rule) => ({ Version: routing.version, Key: `invoke.headers.${rule.key}`, Method: rule.method, Expression: rule.expression }))
        : [],
  };
}
