import { metricsWindow, slaSeries, statisticsWindow, type BucketWindow } from "../statistics.js";
import { atRate } from "../../shared/pipeline.js";
import { functionOf, ok, type FgsActions, type FgsContext, type FgsOperation } from "./context.js";

/**
 * The URN's function, every version counted (a qualifier in the URN is ignored), bucketed
 * from the invocation records.
 */
async function series(ctx: FgsContext, window: BucketWindow, extra: readonly string[]): Promise<Record<string, unknown>> {
  const fn = await ctx.service.functions.get(functionOf(ctx));
  const buckets = await ctx.records.invocationBuckets(ctx.scope, fn.id, window.from, window.to, window.bucketMs);
  return slaSeries(window, buckets, extra);
}

/** listFunctionStatistics: the last `period` minutes. */
const listFunctionStatistics: FgsOperation = async (ctx) => ok(await series(ctx, statisticsWindow(ctx.period, ctx.clock.now()), []));

/** showFunctionMetrics: the last day in buckets of `period` minutes; it also has `instance_num`. */
const showFunctionMetrics: FgsOperation = async (ctx) => ok(await series(ctx, metricsWindow(ctx.period, ctx.clock.now()), ["instance_num"]));

/** Metric operations by wire name; FunctionGraph documents no rate for them. */
export const METRIC_ACTIONS = atRate(100, { listFunctionStatistics, showFunctionMetrics }) satisfies FgsActions;
