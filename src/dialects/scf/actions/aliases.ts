import { z } from "zod";
import { additionalVersionProblem, aliasTargetProblem, type AliasRecord, type AliasRouting, type RoutingRule } from "../../../core/aliases.js";
import { invalid } from "../../../core/errors.js";
import { routingProblem } from "../../../core/limits.js";
import { LATEST } from "../../../core/model.js";
import { parseRange } from "../../../core/routing.js";
import { scfTime } from "../map-out.js";
import * as rules from "../rules.js";
import { int, num, parseParams, str } from "../schema.js";
import type { ScfAction } from "./context.js";
import { functionOf } from "./functions.js";

const RoutingConfig = z.strictObject({
  AdditionalVersionWeights: z.array(z.strictObject({ Version: str, Weight: num })).optional(),
  AddtionVersionMatchs: z.array(z.strictObject({ Version: str, Key: str, Method: str, Expression: str })).optional(),
});

const AliasParams = z.strictObject({
  FunctionName: str,
  Name: str,
  FunctionVersion: str,
  Namespace: str.optional(),
  RoutingConfig: RoutingConfig.optional(),
  Description: str.optional(),
});
const AliasRef = z.strictObject({ FunctionName: str, Name: str, Namespace: str.optional() });
const ListAliases = z.strictObject({
  FunctionName: str,
  Namespace: str.optional(),
  FunctionVersion: str.optional(),
  Offset: int.optional(),
  Limit: int.optional(),
});

/** Alias names: 1-64 letters, digits, '_' or '-', starting with a letter (SCF API doc). */
function aliasName(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name)) {
    throw invalid("Name", `Alias name "${name}" is invalid: 1-64 letters, digits, '_' or '-', starting with a letter.`);
  }
  return name;
}

const HEADER_KEY = /^invoke\.headers\.([A-Za-z0-9_-]{1,64})$/;

/** SCF RoutingConfig → the neutral routing: one additional version, by weight or by rules. */
export function routingIn(primary: string, config: z.infer<typeof RoutingConfig> | undefined): AliasRouting {
  const weights = config?.AdditionalVersionWeights ?? [];
  const matches = config?.AddtionVersionMatchs ?? [];
  if (weights.length > 0 && matches.length > 0) throw invalid("RoutingConfig", "AdditionalVersionWeights and AddtionVersionMatchs cannot be used together.");
  if (weights.length > 1) throw invalid("RoutingConfig", "An alias can have at most one additional version in AdditionalVersionWeights.");
  const weighted = weights[0];
  if (weighted) {
    const routing: AliasRouting = { kind: "weighted", version: weighted.Version, weight: weighted.Weight };
    refuse(aliasTargetProblem({ version: primary, routing }));
    return routing;
  }
  if (matches.length === 0) return { kind: "none" };
  const versions = new Set(matches.map((m) => m.Version));
  const [version = ""] = versions;
  if (versions.size > 1) throw invalid("RoutingConfig", "All AddtionVersionMatchs must name the same additional version.");
  refuse(additionalVersionProblem(primary, version));
  const routing: AliasRouting = { kind: "rules", version, combine: "or", rules: matches.map(ruleIn) };
  refuse(routingProblem(routing));
  return routing;
}

function refuse(problem: string | null): void {
  if (problem !== null) throw invalid("RoutingConfig", problem);
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

export function aliasOut(alias: AliasRecord): Record<string, unknown> {
  const routing = alias.routing;
  return {
    FunctionVersion: alias.version,
    Name: alias.name,
    RoutingConfig: {
      AdditionalVersionWeights: routing.kind === "weighted" ? [{ Version: routing.version, Weight: routing.weight }] : [],
      AddtionVersionMatchs:
        routing.kind === "rules"
          ? routing.rules.map((rule) => ({ Version: routing.version, Key: `invoke.headers.${rule.key}`, Method: rule.method, Expression: rule.expression }))
          : [],
    },
    Description: alias.description,
    AddTime: scfTime(alias.createdAt),
    ModTime: scfTime(alias.updatedAt),
  };
}

function changeOf(p: z.infer<typeof AliasParams>): { version: string; description: string; routing: AliasRouting } {
  const version = p.FunctionVersion === "" ? LATEST : p.FunctionVersion;
  return { version, description: rules.description(p.Description ?? ""), routing: routingIn(version, p.RoutingConfig) };
}

const createAlias: ScfAction = async (ctx, params) => {
  const p = parseParams(AliasParams, params);
  const name = aliasName(p.Name);
  await ctx.service.aliases.create(functionOf(ctx, p), { name, ...changeOf(p), maxAliases: ctx.config.limits.maxAliases });
  return {};
};

const updateAlias: ScfAction = async (ctx, params) => {
  const p = parseParams(AliasParams, params);
  await ctx.service.aliases.update(functionOf(ctx, p), p.Name, changeOf(p));
  return {};
};

const getAlias: ScfAction = async (ctx, params) => {
  const p = parseParams(AliasRef, params);
  const { alias } = await ctx.service.aliases.get(functionOf(ctx, p), p.Name);
  return aliasOut(alias);
};

const deleteAlias: ScfAction = async (ctx, params) => {
  const p = parseParams(AliasRef, params);
  await ctx.service.aliases.delete(functionOf(ctx, p), p.Name);
  return {};
};

const listAliases: ScfAction = async (ctx, params) => {
  const p = parseParams(ListAliases, params);
  const { offset, limit } = rules.paging(p.Offset, p.Limit);
  const { aliases } = await ctx.service.aliases.list(functionOf(ctx, p));
  const filtered = p.FunctionVersion ? aliases.filter((a) => a.version === p.FunctionVersion || (a.routing.kind !== "none" && a.routing.version === p.FunctionVersion)) : aliases;
  return { Aliases: filtered.slice(offset, offset + limit).map(aliasOut), TotalCount: filtered.length };
};

export const ALIAS_ACTIONS: Readonly<Record<string, ScfAction>> = {
  CreateAlias: createAlias,
  GetAlias: getAlias,
  UpdateAlias: updateAlias,
  DeleteAlias: deleteAlias,
  ListAliases: listAliases,
};
