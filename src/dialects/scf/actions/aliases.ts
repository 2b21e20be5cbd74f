import { z } from "zod";
import type { AliasRecord, AliasRouting } from "../../../core/aliases.js";
import { invalid } from "../../../core/errors.js";
import { LATEST } from "../../../core/model.js";
import { RoutingConfig, routingConfigOut, routingIn } from "../alias-routing.js";
import { scfTime } from "../map-out.js";
import * as rules from "../rules.js";
import { int, parseParams, str } from "../schema.js";
import { atRate, type Action } from "../../shared/pipeline.js";
import type { ScfAction } from "./context.js";
import { namespaceOf } from "./functions.js";

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

export function aliasOut(alias: AliasRecord): Record<string, unknown> {
  return {
    FunctionVersion: alias.version,
    Name: alias.name,
    RoutingConfig: routingConfigOut(alias.routing),
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
  await ctx.service.createAlias(ctx.scope, namespaceOf(p.Namespace), rules.functionRef(p.FunctionName), { name, ...changeOf(p), maxAliases: ctx.config.limits.maxAliases });
  return {};
};

const updateAlias: ScfAction = async (ctx, params) => {
  const p = parseParams(AliasParams, params);
  await ctx.service.updateAlias(ctx.scope, namespaceOf(p.Namespace), rules.functionRef(p.FunctionName), p.Name, changeOf(p));
  return {};
};

const getAlias: ScfAction = async (ctx, params) => {
  const p = parseParams(AliasRef, params);
  const { alias } = await ctx.service.getAlias(ctx.scope, namespaceOf(p.Namespace), rules.functionRef(p.FunctionName), p.Name);
  return aliasOut(alias);
};

const deleteAlias: ScfAction = async (ctx, params) => {
  const p = parseParams(AliasRef, params);
  await ctx.service.deleteAlias(ctx.scope, namespaceOf(p.Namespace), rules.functionRef(p.FunctionName), p.Name);
  return {};
};

const listAliases: ScfAction = async (ctx, params) => {
  const p = parseParams(ListAliases, params);
  const { offset, limit } = rules.paging(p.Offset, p.Limit);
  const { aliases } = await ctx.service.listAliases(ctx.scope, namespaceOf(p.Namespace), rules.functionRef(p.FunctionName));
  const filtered = p.FunctionVersion ? aliases.filter((a) => a.version === p.FunctionVersion || (a.routing.kind !== "none" && a.routing.version === p.FunctionVersion)) : aliases;
  return { Aliases: filtered.slice(offset, offset + limit).map(aliasOut), TotalCount: filtered.length };
};

/** Alias actions by wire name, at the rate Tencent documents (per account, per second). */
export const ALIAS_ACTIONS: Readonly<Record<string, Action<ScfAction>>> = atRate(20, {
  CreateAlias: createAlias,
  GetAlias: getAlias,
  UpdateAlias: updateAlias,
  DeleteAlias: deleteAlias,
  ListAliases: listAliases,
});
