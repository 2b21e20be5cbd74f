import { z } from "zod";
import { DEFAULT_ALIAS, additionalVersion, type AliasRecord, type AliasRouting } from "../../../core/aliases.js";
import { QuiverError, invalid, isQuiverError } from "../../../core/errors.js";
import { Strategies, Weights, routingIn, strategyOut, weightsOut } from "../alias-routing.js";
import { rfc3339 } from "../map-out.js";
import * as rules from "../rules.js";
import { given, jsonBody, parseBody } from "../schema.js";
import { functionUrn } from "../urn.js";
import { functionOf, noContent, ok, type FgsContext, type FgsActions, type FgsOperation } from "./context.js";
import { atRate } from "../../shared/pipeline.js";

/**
 * Version aliases (reference §3.6): v2 snake_case and v1.0 PascalCase, one store shared with
 * SCF. SCF's virtual `$DEFAULT` alias is never shown here (FunctionGraph names cannot start
 * with `$`).
 */

const CreateAlias = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string().nullish(),
  additional_version_weights: Weights.nullish(),
  additional_version_strategy: Strategies.nullish(),
});
const UpdateAlias = CreateAlias.omit({ name: true });

const LegacyCreate = z.object({ Name: z.string(), Version: z.string(), Description: z.string().nullish() });
const LegacyUpdate = LegacyCreate.omit({ Name: true });

/** Alias names: 1-64 letters, digits, '-' or '_', starting with a letter and ending with a letter or digit. */
function aliasName(name: string): string {
  if (!/^[A-Za-z]([A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$/.test(name)) {
    throw invalid("alias_name", `Alias name "${name}" is invalid: 1-64 letters, digits, '-' or '_', starting with a letter and ending with a letter or digit.`);
  }
  return name;
}

function mainVersion(version: string): string {
  if (version !== rules.FG_LATEST && !/^[A-Za-z0-9]([A-Za-z0-9._-]{0,40}[A-Za-z0-9])?$/.test(version)) {
    throw invalid("alias_version", `version "${version}" is not a version name.`);
  }
  return rules.coreQualifier(version);
}

/** The alias's own name from the path; the store is asked only for names FunctionGraph allows. */
function pathAlias(ctx: FgsContext): string {
  const name = ctx.aliasName ?? "";
  if (name.startsWith("$")) throw new QuiverError("AliasNotFound", `Alias "${name}" is not found.`, { subject: "alias" });
  return name;
}

/**
 * The additional version must exist: FunctionGraph reports that as an invalid additional
 * version (400 FSS.1091), unlike a missing main version (404 FSS.1052).
 */
async function checkAdditional(ctx: FgsContext, routing: AliasRouting): Promise<void> {
  const extra = additionalVersion(routing);
  if (extra === null) return;
  try {
    await ctx.service.versions.resolve(functionOf(ctx), extra);
  } catch (error) {
    if (isQuiverError(error) && error.code === "VersionNotFound") throw invalid("additional_version", `The additional version "${extra}" does not exist.`);
    throw error;
  }
}

export function aliasOut(ctx: FgsContext, pkg: string, fn: string, alias: AliasRecord): Record<string, unknown> {
  return {
    name: alias.name,
    version: rules.fgVersionName(alias.version),
    description: alias.description,
    last_modified: rfc3339(alias.updatedAt),
    alias_urn: functionUrn(ctx.out, pkg, fn, `!${alias.name}`),
    additional_version_weights: weightsOut(alias.routing),
    additional_version_strategy: strategyOut(alias.routing),
  };
}

function legacyAliasOut(ctx: FgsContext, pkg: string, fn: string, alias: AliasRecord): Record<string, unknown> {
  const a = aliasOut(ctx, pkg, fn, alias);
  return { Name: a["name"], Version: a["version"], Description: a["description"], LastModified: a["last_modified"], AliasUrn: a["alias_urn"] };
}

type Render = (ctx: FgsContext, pkg: string, fn: string, alias: AliasRecord) => Record<string, unknown>;

interface AliasChangeIn {
  readonly version: string;
  readonly description: string | undefined;
  /** Undefined keeps the current routing (v1.0 bodies cannot express one). */
  readonly routing: AliasRouting | undefined;
}

async function create(ctx: FgsContext, name: string, change: AliasChangeIn, render: Render): Promise<Record<string, unknown>> {
  const ref = functionOf(ctx);
  const routing = change.routing ?? { kind: "none" };
  await checkAdditional(ctx, routing);
  const alias = await ctx.service.aliases.create(ref, {
    name: aliasName(name),
    version: change.version,
    description: rules.description(change.description ?? ""),
    routing,
    maxAliases: ctx.config.limits.maxAliases,
  });
  return render(ctx, ref.namespace, ref.name, alias);
}

/** A full replacement of target and routing (no additional version = rollback); an absent description is kept. */
async function update(ctx: FgsContext, change: AliasChangeIn, render: Render): Promise<Record<string, unknown>> {
  const ref = functionOf(ctx);
  const name = pathAlias(ctx);
  const { alias: current } = await ctx.service.aliases.get(ref, name);
  const routing = change.routing ?? keptRouting(current.routing, change.version);
  await checkAdditional(ctx, routing);
  const description = change.description === undefined ? current.description : rules.description(change.description);
  const alias = await ctx.service.aliases.update(ref, name, { version: change.version, description, routing });
  return render(ctx, ref.namespace, ref.name, alias);
}

/** The current routing, unless its additional version became the main one. */
function keptRouting(routing: AliasRouting, main: string): AliasRouting {
  return additionalVersion(routing) === main ? { kind: "none" } : routing;
}

async function show(ctx: FgsContext, render: Render): Promise<Record<string, unknown>> {
  const ref = functionOf(ctx);
  const { alias } = await ctx.service.aliases.get(ref, pathAlias(ctx));
  return render(ctx, ref.namespace, ref.name, alias);
}

async function list(ctx: FgsContext, render: Render): Promise<Array<Record<string, unknown>>> {
  const ref = functionOf(ctx);
  const { aliases } = await ctx.service.aliases.list(ref);
  return aliases.filter((a) => a.name !== DEFAULT_ALIAS).map((a) => render(ctx, ref.namespace, ref.name, a));
}

const remove: FgsOperation = async (ctx) => {
  await ctx.service.aliases.delete(functionOf(ctx), pathAlias(ctx));
  return noContent;
};

function v2Change(p: z.infer<typeof UpdateAlias>): AliasChangeIn {
  const version = mainVersion(p.version);
  return { version, description: p.description ?? undefined, routing: routingIn(version, p.additional_version_weights, p.additional_version_strategy) };
}

function legacyChange(p: z.infer<typeof LegacyUpdate>): AliasChangeIn {
  return { version: mainVersion(p.Version), description: given(p.Description), routing: undefined };
}

const ALIAS_OPERATIONS = {
  createVersionAlias: (async (ctx) => {
    const p = parseBody(CreateAlias, jsonBody(ctx.body));
    return ok(await create(ctx, p.name, v2Change(p), aliasOut));
  }) satisfies FgsOperation,
  updateVersionAlias: (async (ctx) => ok(await update(ctx, v2Change(parseBody(UpdateAlias, jsonBody(ctx.body))), aliasOut))) satisfies FgsOperation,
  showVersionAlias: (async (ctx) => ok(await show(ctx, aliasOut))) satisfies FgsOperation,
  listVersionAliases: (async (ctx) => ok(await list(ctx, aliasOut))) satisfies FgsOperation,
  deleteVersionAlias: remove,
  legacyCreateVersionAlias: (async (ctx) => {
    const p = parseBody(LegacyCreate, jsonBody(ctx.body));
    return ok(await create(ctx, p.Name, legacyChange(p), legacyAliasOut));
  }) satisfies FgsOperation,
  legacyUpdateVersionAlias: (async (ctx) => ok(await update(ctx, legacyChange(parseBody(LegacyUpdate, jsonBody(ctx.body))), legacyAliasOut))) satisfies FgsOperation,
  legacyShowVersionAlias: (async (ctx) => ok(await show(ctx, legacyAliasOut))) satisfies FgsOperation,
  legacyListVersionAliases: (async (ctx) => ok(await list(ctx, legacyAliasOut))) satisfies FgsOperation,
  legacyDeleteVersionAlias: remove,
} as const;

/** Alias operations by wire name, v2 and legacy, at SCF's documented alias rate (FunctionGraph documents none). */
export const ALIAS_ACTIONS = atRate(20, ALIAS_OPERATIONS) satisfies FgsActions;
