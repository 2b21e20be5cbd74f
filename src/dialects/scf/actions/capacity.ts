import { z } from "zod";
import { capInMemory, type ProvisionedSettings, type ScheduledCapacity } from "../../../core/capacity.js";
import type { ProvisionedView } from "../../../core/functions/capacity.js";
import { invalid, isQuiverError } from "../../../core/errors.js";
import { MAX_TRIGGERS_PER_KIND } from "../../../core/limits.js";
import type { Json } from "../params.js";
import { int, intIn, parseParams, str } from "../schema.js";
import { scfSchedule } from "../timer-schedule.js";
import type { Action } from "../../shared/pipeline.js";
import type { ScfAction, ScfContext } from "./context.js";
import { functionOf, namespaceOf } from "./functions.js";

/**
 * Provisioned concurrency (instances kept warm for a version or alias), reserved concurrency (a
 * cap on a function's concurrent executions, in MB) and the account's totals. See
 * docs/capacity.md for what Quiver does with each.
 */

const COUNT = intIn(0, 2 ** 31 - 1, "a whole number from 0");

const TriggerAction = z.strictObject({
  TriggerName: str,
  TriggerProvisionedConcurrencyNum: int,
  TriggerCronConfig: str,
  ProvisionedType: str.optional(),
});

const PutProvisioned = z.strictObject({
  FunctionName: str,
  Qualifier: str,
  VersionProvisionedConcurrencyNum: COUNT,
  Namespace: str.optional(),
  TriggerActions: z.array(TriggerAction).optional(),
  ProvisionedType: str.optional(),
  TrackingTarget: z.unknown().optional(),
  MinCapacity: z.unknown().optional(),
  MaxCapacity: z.unknown().optional(),
});

const ByQualifier = z.strictObject({ FunctionName: str, Qualifier: str, Namespace: str.optional() });
const GetProvisioned = z.strictObject({ FunctionName: str, Qualifier: str.optional(), Namespace: str.optional() });
const PutReserved = z.strictObject({ FunctionName: str, ReservedConcurrencyMem: COUNT, Namespace: str.optional() });
const ByFunction = z.strictObject({ FunctionName: str, Namespace: str.optional() });
const PutTotal = z.strictObject({ TotalConcurrencyMem: COUNT, Namespace: str.optional() });

/** A version or alias name (both at most 64 characters in SCF; 128 leaves room). */
function qualifierOf(value: string): string {
  if (value === "" || value.length > 128) throw invalid("Qualifier", `Qualifier "${value.slice(0, 40)}" is invalid: a version number or an alias name.`);
  return value;
}

/** What SCF keeps per config that Quiver does not act on. */
const KEPT = "scf";

/** Triggers of a timer's name: a letter, then letters, digits, `-`, `_` (as timer trigger names). */
const TRIGGER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,59}$/;

const putProvisioned: ScfAction = async (ctx, params) => {
  const p = parseParams(PutProvisioned, params);
  const type = p.ProvisionedType ?? "Default";
  if (type !== "Default") {
    throw invalid("ProvisionType", `ProvisionedType "${type}" is not served: Quiver keeps a fixed count of instances ("Default"), with scheduled changes in TriggerActions.`);
  }
  const settings: ProvisionedSettings = {
    count: p.VersionProvisionedConcurrencyNum,
    schedules: scheduledChanges(ctx, p.TriggerActions ?? []),
    convention: "scf",
    contextValues: { appId: ctx.account.appId, uin: ctx.account.uin },
    extras: { [KEPT]: { ProvisionedType: type, TriggerActions: p.TriggerActions ?? [] } },
  };
  await ctx.service.capacity.putProvisioned(functionOf(ctx, p), qualifierOf(p.Qualifier), settings);
  return {};
};

/** TriggerActions as scheduled changes: names and crons unique, each cron SCF's 7 (or legacy 5) fields. */
function scheduledChanges(ctx: ScfContext, actions: readonly z.infer<typeof TriggerAction>[]): ScheduledCapacity[] {
  if (actions.length > MAX_TRIGGERS_PER_KIND) throw invalid("ProvisionTriggerName", `At most ${MAX_TRIGGERS_PER_KIND} TriggerActions are allowed; ${actions.length} were given.`);
  const names = new Set<string>();
  const crons = new Set<string>();
  return actions.map((action, i) => {
    if (!TRIGGER_NAME.test(action.TriggerName)) throw invalid("ProvisionTriggerName", `TriggerActions.${i}.TriggerName "${action.TriggerName}" is invalid: a letter, then at most 59 letters, digits, - or _.`);
    if (names.has(action.TriggerName)) throw invalid("ProvisionTriggerNameDuplicate", `TriggerActions.${i}.TriggerName "${action.TriggerName}" is used twice.`);
    names.add(action.TriggerName);
    const cron = action.TriggerCronConfig.trim();
    if (crons.has(cron)) throw invalid("ProvisionTriggerCronConfigDuplicate", `TriggerActions.${i}.TriggerCronConfig "${cron}" is used twice.`);
    crons.add(cron);
    if (action.TriggerProvisionedConcurrencyNum < 0) throw invalid("TriggerProvisionedConcurrencyNum", `TriggerActions.${i}.TriggerProvisionedConcurrencyNum ${action.TriggerProvisionedConcurrencyNum} is invalid: a whole number from 0.`);
    return { name: action.TriggerName, schedule: cronOf(ctx, cron, i), count: action.TriggerProvisionedConcurrencyNum, startsAt: null, endsAt: null };
  });
}

function cronOf(ctx: ScfContext, cron: string, i: number): ScheduledCapacity["schedule"] {
  try {
    return scfSchedule(cron, ctx.config.timers.timezone);
  } catch (error) {
    if (!isQuiverError(error)) throw error;
    throw invalid("TriggerCronConfig", `TriggerActions.${i}.TriggerCronConfig: ${error.message}`);
  }
}

const getProvisioned: ScfAction = async (ctx, params) => {
  const p = parseParams(GetProvisioned, params);
  const qualifier = p.Qualifier === undefined || p.Qualifier === "" ? null : qualifierOf(p.Qualifier);
  const { items } = await ctx.service.capacity.listProvisioned(functionOf(ctx, p), qualifier);
  return { UnallocatedConcurrencyNum: await ctx.service.capacity.unallocated(), Allocated: items.map(allocatedOut) };
};

function allocatedOut({ config, status }: ProvisionedView): Record<string, unknown> {
  const kept = (config.settings.extras[KEPT] ?? {}) as { TriggerActions?: Json[] };
  return {
    AllocatedProvisionedConcurrencyNum: status.allocated,
    AvailableProvisionedConcurrencyNum: status.available,
    Status: status.status,
    StatusReason: status.reason,
    Qualifier: config.qualifier,
    TriggerActions: kept.TriggerActions ?? config.settings.schedules.map((s) => ({ TriggerName: s.name, TriggerProvisionedConcurrencyNum: s.count, TriggerCronConfig: s.schedule.kind === "cron" ? s.schedule.cron : "", ProvisionedType: "Default" })),
  };
}

const deleteProvisioned: ScfAction = async (ctx, params) => {
  const p = parseParams(ByQualifier, params);
  await ctx.service.capacity.deleteProvisioned(functionOf(ctx, p), qualifierOf(p.Qualifier));
  return {};
};

const putReserved: ScfAction = async (ctx, params) => {
  const p = parseParams(PutReserved, params);
  await ctx.service.capacity.putCap(functionOf(ctx, p), { unit: "memoryMb", value: p.ReservedConcurrencyMem });
  return {};
};

const getReserved: ScfAction = async (ctx, params) => {
  const p = parseParams(ByFunction, params);
  const { fn, cap } = await ctx.service.capacity.getCap(functionOf(ctx, p));
  // A cap set through FunctionGraph (instances) reads as that many executions of the function's memory.
  return { ReservedMem: cap === null ? null : capInMemory(cap, fn.config.memoryMb) };
};

const deleteReserved: ScfAction = async (ctx, params) => {
  const p = parseParams(ByFunction, params);
  await ctx.service.capacity.putCap(functionOf(ctx, p), null);
  return {};
};

const putTotal: ScfAction = async (ctx, params) => {
  const p = parseParams(PutTotal, params);
  await ctx.service.capacity.putTotal(ctx.scope, namespaceOf(p.Namespace), p.TotalConcurrencyMem);
  return {};
};

/** GetAccount takes no parameters (the Node SDK sends `{}`). */
const getAccount: ScfAction = async (ctx, params) => {
  parseParams(z.strictObject({}), params);
  const usage = await ctx.service.capacity.usage(ctx.scope);
  const limits = ctx.config.limits;
  const total = usage.reduce((sum, ns) => sum + ns.totalMb, 0);
  return {
    AccountUsage: {
      NamespacesCount: usage.length,
      Namespace: usage.map((ns) => ({
        Functions: ns.functions,
        Namespace: ns.namespace,
        FunctionsCount: ns.functions.length,
        TotalConcurrencyMem: ns.totalMb,
        TotalAllocatedConcurrencyMem: ns.reservedMb,
        TotalAllocatedProvisionedMem: ns.provisionedMb,
      })),
      TotalConcurrencyMem: total,
      TotalAllocatedConcurrencyMem: usage.reduce((sum, ns) => sum + ns.reservedMb, 0),
      UserConcurrencyMemLimit: total,
    },
    AccountLimit: {
      NamespacesCount: limits.maxNamespaces,
      Namespace: usage.map((ns) => ({
        FunctionsCount: limits.maxFunctionsPerNamespace,
        Trigger: triggerLimits(),
        Namespace: ns.namespace,
        ConcurrentExecutions: ctx.config.engine.maxInstancesTotal,
        TimeoutLimit: 900,
        TestModelLimit: null,
        InitTimeoutLimit: 300,
        RetryNumLimit: 2,
        MinMsgTTL: 60,
        MaxMsgTTL: 21600,
      })),
    },
  };
};

/** Triggers of each type per function (Quiver serves timers and HTTP; the others' limits are SCF's). */
function triggerLimits(): Record<string, number> {
  const each = MAX_TRIGGERS_PER_KIND;
  const types = ["Cos", "Timer", "Cmq", "Ckafka", "Apigw", "Cls", "Clb", "Mps", "Cm", "Vod", "Eb"];
  return { ...Object.fromEntries(types.map((t) => [t, each])), Total: each * types.length };
}

/** The capacity actions by wire name, at SCF's documented 20 requests per second. */
export const CAPACITY_ACTIONS: Readonly<Record<string, Action<ScfAction>>> = {
  PutProvisionedConcurrencyConfig: { handler: putProvisioned, ratePerSecond: 20 },
  GetProvisionedConcurrencyConfig: { handler: getProvisioned, ratePerSecond: 20 },
  DeleteProvisionedConcurrencyConfig: { handler: deleteProvisioned, ratePerSecond: 20 },
  PutReservedConcurrencyConfig: { handler: putReserved, ratePerSecond: 20 },
  GetReservedConcurrencyConfig: { handler: getReserved, ratePerSecond: 20 },
  DeleteReservedConcurrencyConfig: { handler: deleteReserved, ratePerSecond: 20 },
  PutTotalConcurrencyConfig: { handler: putTotal, ratePerSecond: 20 },
  GetAccount: { handler: getAccount, ratePerSecond: 20 },
};
