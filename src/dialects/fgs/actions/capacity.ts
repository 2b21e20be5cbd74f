import { z } from "zod";
import type { ProvisionedSettings, ScheduledCapacity } from "../../../core/capacity.js";
import type { ProvisionedView } from "../../../core/functions/capacity.js";
import { invalid, isQuiverError } from "../../../core/errors.js";
import { LATEST } from "../../../core/model.js";
import { atRate } from "../../shared/pipeline.js";
import { metadataOut } from "../map-out.js";
import * as rules from "../rules.js";
import { jsonBody, parseBody } from "../schema.js";
import { fgsSchedule } from "../timer-schedule.js";
import { functionUrn, parseFunctionUrn } from "../urn.js";
import { functionOf, namedQualifier, ok, queryValue, requestUrn, type FgsActions, type FgsContext, type FgsOperation } from "./context.js";

/**
 * Reserved instances (instances kept warm for a version or alias) and a function's maximum
 * instances (a cap on its concurrent executions). See docs/capacity.md.
 */

const CronConfig = z.object({
  name: z.string(),
  cron: z.string(),
  count: z.number().int().min(0),
  start_time: z.number().int().nullish(),
  expired_time: z.number().int().nullish(),
});
const TacticsConfig = z.object({ cron_configs: z.array(CronConfig).nullish(), metric_configs: z.array(z.unknown()).nullish() });
const ReservedInstances = z.object({ count: z.number().int().min(0), idle_mode: z.boolean().nullish(), tactics_config: TacticsConfig.nullish() });
const MaxInstances = z.object({ max_instance_num: z.number().int().min(-1).max(1000) });

/** What FunctionGraph keeps per config that Quiver does not act on. */
const KEPT = "fgs";

/** Scheduled change names, as timer trigger names: 1-64 characters. */
const MAX_NAME = 64;

const updateReserved: FgsOperation = async (ctx) => {
  const body = parseBody(ReservedInstances, jsonBody(ctx.body));
  const urn = requestUrn(ctx);
  const named = await namedQualifier(ctx, urn);
  const qualifier = named.kind === "latest" ? LATEST : named.kind === "version" ? named.name : named.alias.name;
  const tactics = { cron_configs: body.tactics_config?.cron_configs ?? [], metric_configs: body.tactics_config?.metric_configs ?? [] };
  const schedules = scheduledChanges(ctx, tactics.cron_configs);
  const answer = { count: body.count, idle_mode: body.idle_mode ?? false, tactics_config: tactics };
  // A count of 0 with no schedule keeps nothing: the reservation is removed.
  if (body.count === 0 && schedules.length === 0) {
    if (named.kind !== "latest") await ctx.service.capacity.deleteProvisioned(functionOf(ctx, urn), qualifier);
    return ok(answer);
  }
  const settings: ProvisionedSettings = {
    count: body.count,
    schedules,
    convention: "fgs",
    contextValues: { projectId: ctx.out.projectId, package: urn.package },
    extras: { [KEPT]: { idle_mode: answer.idle_mode, tactics_config: tactics } },
  };
  await ctx.service.capacity.putProvisioned(functionOf(ctx, urn), qualifier, settings);
  return ok(answer);
};

/** `cron_configs` as scheduled changes: FunctionGraph's 6-field crons, times in epoch seconds. */
function scheduledChanges(ctx: FgsContext, configs: readonly z.infer<typeof CronConfig>[]): ScheduledCapacity[] {
  return configs.map((c, i) => {
    if (c.name === "" || c.name.length > MAX_NAME) throw invalid("tactics_config", `tactics_config.cron_configs.${i}.name is invalid: 1-${MAX_NAME} characters.`);
    let schedule: ScheduledCapacity["schedule"];
    try {
      schedule = fgsSchedule("Cron", c.cron, ctx.config.timers.timezone).schedule;
    } catch (error) {
      if (!isQuiverError(error)) throw error;
      throw invalid("tactics_config", `tactics_config.cron_configs.${i}.cron: ${error.message}`);
    }
    const startsAt = c.start_time == null ? null : c.start_time * 1000;
    const endsAt = c.expired_time == null ? null : c.expired_time * 1000;
    if (startsAt !== null && endsAt !== null && endsAt < startsAt) throw invalid("tactics_config", `tactics_config.cron_configs.${i}: expired_time is before start_time.`);
    return { name: c.name, schedule, count: c.count, startsAt, endsAt };
  });
}

/** `limit` of the list routes: absent or 0 is the default, negative is an error, over the maximum is the maximum. */
function listWindow(ctx: FgsContext, max: number, fallback: number): { offset: number; limit: number } {
  const limitText = queryValue(ctx, "limit");
  const markerText = queryValue(ctx, "marker");
  const limit = limitText === undefined ? 0 : Number(limitText);
  const offset = markerText === undefined || markerText === "" ? 0 : Number(markerText);
  if (!Number.isInteger(limit) || limit < 0) throw invalid("limit", `limit "${limitText ?? ""}" is invalid: a whole number from 0.`);
  if (!Number.isInteger(offset) || offset < 0) throw invalid("marker", `marker "${markerText ?? ""}" is invalid: a whole number from 0.`);
  return { offset, limit: limit === 0 ? fallback : Math.min(limit, max) };
}

/** The configs of the function a query's URN names, or of the whole project. */
async function configsOf(ctx: FgsContext, param: string): Promise<ProvisionedView[]> {
  const urnText = queryValue(ctx, param);
  if (urnText === undefined || urnText === "") return ctx.service.capacity.listProvisionedInScope(ctx.scope);
  const urn = parseFunctionUrn(urnText, ctx.out);
  const qualifier = urn.qualifier === null ? null : rules.coreQualifier(urn.qualifier.replace(/^!/, ""));
  const { items } = await ctx.service.capacity.listProvisioned(functionOf(ctx, urn), qualifier === LATEST ? null : qualifier);
  return items;
}

function page<T>(items: readonly T[], window: { offset: number; limit: number }): { items: T[]; pageInfo: Record<string, number> } {
  const slice = items.slice(window.offset, window.offset + window.limit);
  const next = window.offset + slice.length;
  return { items: slice, pageInfo: { next_marker: next < items.length ? next : 0, previous_marker: Math.max(0, window.offset - window.limit), current_count: slice.length } };
}

const listReservedInstanceConfigs: FgsOperation = async (ctx) => {
  const configs = await configsOf(ctx, "function_urn");
  const { items, pageInfo } = page(configs, listWindow(ctx, 500, 100));
  return ok({ reserved_instances: items.map((view) => configOut(ctx, view)), page_info: pageInfo, count: configs.length });
};

function configOut(ctx: FgsContext, { config }: ProvisionedView): Record<string, unknown> {
  const kept = (config.settings.extras[KEPT] ?? {}) as { idle_mode?: boolean; tactics_config?: unknown };
  return {
    function_urn: functionUrn(ctx.out, config.namespace, config.functionName),
    qualifier_type: config.qualifierKind,
    qualifier_name: config.qualifier,
    min_count: config.settings.count,
    idle_mode: kept.idle_mode ?? false,
    tactics_config: kept.tactics_config ?? { cron_configs: [], metric_configs: [] },
  };
}

/** The instances each config keeps now on this node, by its qualified URN. */
const listFunctionReservedInstances: FgsOperation = async (ctx) => {
  const configs = await configsOf(ctx, "urn");
  const { items, pageInfo } = page(configs, listWindow(ctx, 400, 400));
  return ok({
    reservedinstances: items.map(({ config, status }) => ({ func_urn: functionUrn(ctx.out, config.namespace, config.functionName, qualifierInUrn(config.qualifierKind, config.qualifier)), count: status.available })),
    page_info: pageInfo,
    count: configs.length,
  });
};

function qualifierInUrn(kind: "version" | "alias", name: string): string {
  return kind === "alias" ? `!${name}` : name;
}

/** `max_instance_num`: -1 lifts the cap, 0 refuses every call, n caps concurrent executions at n. */
const updateMaxInstances: FgsOperation = async (ctx) => {
  const body = parseBody(MaxInstances, jsonBody(ctx.body));
  const urn = requestUrn(ctx);
  const cap = body.max_instance_num === -1 ? null : { unit: "instances" as const, value: body.max_instance_num };
  const fn = await ctx.service.capacity.putCap(functionOf(ctx, urn), cap);
  const meta = metadataOut(ctx.out, { fn, version: null });
  return ok({ ...meta, strategy_config: { ...(meta["strategy_config"] as object), concurrency: body.max_instance_num } });
};

/** The capacity operations, at FunctionGraph's default API rate. */
export const CAPACITY_ACTIONS = atRate(20, {
  updateFunctionReservedInstancesCount: updateReserved,
  listReservedInstanceConfigs,
  listFunctionReservedInstances,
  updateFunctionMaxInstanceConfig: updateMaxInstances,
}) satisfies FgsActions;
