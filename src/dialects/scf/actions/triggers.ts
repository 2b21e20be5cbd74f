import { z } from "zod";
import { QuiverError, invalid } from "../../../core/errors.js";
import { DEFAULT_ALIAS } from "../../../core/aliases.js";
import type { FunctionRecord, FunctionRef } from "../../../core/model.js";
import type { NewTrigger } from "../../../core/functions/triggers.js";
import type { ListTriggersQuery, TriggerPatch } from "../../../core/ports.js";
import type { TriggerRecord } from "../../../core/triggers.js";
import { triggerInfoOut, triggerOut } from "../map-out.js";
import * as rules from "../rules.js";
import { int, parseParams, str } from "../schema.js";
import { keptOf, servedType, shownType, triggerDescIn, type ServedType } from "../trigger-desc.js";
import { customArgument, timerName, timerSettingsChanged, timerSettingsIn } from "../timer-trigger.js";
import type { Action } from "../../shared/pipeline.js";
import type { ScfAction, ScfContext } from "./context.js";
import { functionOf, type FunctionParams } from "./functions.js";
import { allTriggers, triggerPlace } from "./trigger-reads.js";

/**
 * SCF's trigger actions over the core's neutral triggers. Quiver serves the `http` (function
 * URL), `apigw` and `timer` types; a trigger is named by its function and TriggerName (names are unique
 * per function), and a Qualifier sent to UpdateTrigger, UpdateTriggerStatus or DeleteTrigger
 * must be the one the trigger is bound to.
 */

const TRIGGER_NAME = /^[A-Za-z0-9_-]{1,100}$/;
/** ListTriggers `Limit`: Serverless Inc's toolkit asks for 1000 at once. */
const MAX_LIST_LIMIT = 1000;
const MAX_FILTERS = 10;
const MAX_FILTER_VALUES = 20;

const TriggerRef = {
  FunctionName: str,
  TriggerName: str,
  Type: str,
  Namespace: str.optional(),
  Qualifier: str.optional(),
};

const CreateTrigger = z.strictObject({
  FunctionName: str,
  TriggerName: str,
  Type: str,
  TriggerDesc: str.optional(),
  Namespace: str.optional(),
  Qualifier: str.optional(),
  Enable: str.optional(),
  CustomArgument: str.optional(),
  Description: str.optional(),
});

const UpdateTrigger = z.strictObject({
  ...TriggerRef,
  Enable: str.optional(),
  TriggerDesc: str.optional(),
  Description: str.optional(),
  CustomArgument: str.optional(),
});

const UpdateTriggerStatus = z.strictObject({
  ...TriggerRef,
  Enable: str,
  // Documented for COS triggers only; accepted and not used.
  TriggerDesc: str.optional(),
});

const DeleteTrigger = z.strictObject({
  ...TriggerRef,
  // Documented for COS triggers only; accepted and not used.
  TriggerDesc: str.optional(),
});

/** Quiver's own action: the trigger by function and name; Type, when sent, must be timer. */
const FireTrigger = z.strictObject({
  FunctionName: str,
  TriggerName: str,
  Namespace: str.optional(),
  Qualifier: str.optional(),
  Type: str.optional(),
});

const ListTriggers = z.strictObject({
  FunctionName: str,
  Namespace: str.optional(),
  Offset: int.optional(),
  Limit: int.optional(),
  OrderBy: str.optional(),
  Order: str.optional(),
  Filters: z.array(z.strictObject({ Name: str, Values: z.array(str) })).optional(),
});

function triggerName(name: string): string {
  if (!TRIGGER_NAME.test(name)) throw invalid("TriggerName", `TriggerName "${name}" is invalid: 1-100 letters, digits, '-' or '_'.`);
  return name;
}

/** `OPEN` or `CLOSE`; absent is `fallback`. */
function enableOf(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === "OPEN") return true;
  if (value === "CLOSE") return false;
  throw invalid("Enable", `Enable "${value}" is invalid: OPEN or CLOSE.`);
}

/**
 * The trigger's extras with its SCF part changed: `desc` (what the TriggerDesc kept) and
 * `CustomArgument` replace theirs when given; what another dialect keeps is left alone.
 */
function withScf(trigger: Pick<TriggerRecord, "extras"> | null, change: { desc?: Readonly<Record<string, unknown>>; customArgument?: string }): Record<string, unknown> {
  const scf = { ...(trigger ? keptOf(trigger) : {}) };
  if (change.desc !== undefined) scf["desc"] = change.desc;
  if (change.customArgument !== undefined) scf["CustomArgument"] = change.customArgument;
  return { ...trigger?.extras, scf };
}

/** The parameters that name a trigger in UpdateTrigger, UpdateTriggerStatus and DeleteTrigger. */
interface TriggerParams extends FunctionParams {
  readonly TriggerName: string;
  readonly Type: string;
  readonly Qualifier?: string | undefined;
}

/**
 * The trigger the request names. Its Type must be one Quiver serves and the trigger's own, and a
 * Qualifier, when sent, the one it is bound to; otherwise there is no such trigger.
 */
async function namedTrigger(ctx: ScfContext, p: TriggerParams): Promise<{ ref: FunctionRef; fn: FunctionRecord; trigger: TriggerRecord; type: ServedType }> {
  const ref = functionOf(ctx, p);
  const type = servedType(p.Type);
  const { fn, trigger } = await ctx.service.triggers.get(ref, { name: triggerName(p.TriggerName) });
  const qualifierDiffers = p.Qualifier !== undefined && p.Qualifier !== "" && p.Qualifier !== trigger.qualifier;
  if (shownType(trigger) !== type || qualifierDiffers) {
    const bound = qualifierDiffers ? ` bound to ${p.Qualifier ?? ""}` : "";
    throw new QuiverError("TriggerNotFound", `Function "${fn.name}" has no ${type} trigger "${trigger.name}"${bound}.`, { subject: "trigger" });
  }
  return { ref, fn, trigger, type };
}

/**
 * A new trigger's settings and SCF extras: a timer's CustomArgument is its payload; an HTTP
 * trigger keeps it (and what its TriggerDesc keeps) beside its settings.
 */
function newTriggerOf(ctx: ScfContext, type: ServedType, desc: string | undefined, argument: string): Pick<NewTrigger, "settings" | "extras"> {
  if (type === "timer") return { settings: timerSettingsIn(desc, argument, ctx.config.timers.timezone), extras: {} };
  const http = triggerDescIn(type, desc);
  return { settings: http.settings, extras: withScf(null, { desc: http.kept, customArgument: argument }) };
}

const createTrigger: ScfAction = async (ctx, params) => {
  const p = parseParams(CreateTrigger, params);
  const ref = functionOf(ctx, p);
  const type = servedType(p.Type);
  const name = type === "timer" ? timerName(p.TriggerName) : triggerName(p.TriggerName);
  const qualifier = p.Qualifier === undefined || p.Qualifier === "" ? DEFAULT_ALIAS : p.Qualifier;
  const input = {
    name,
    qualifier,
    enabled: enableOf(p.Enable, true),
    description: rules.description(p.Description ?? ""),
    ...newTriggerOf(ctx, type, p.TriggerDesc, customArgument(p.CustomArgument ?? "")),
  };
  const fn = await ctx.service.functions.get(ref);
  const trigger = await ctx.service.triggers.create(ref, input);
  return { TriggerInfo: triggerOut(trigger, triggerPlace(ctx, fn, trigger)) };
};

/**
 * What UpdateTrigger changes in a trigger's settings and SCF extras: a timer's TriggerDesc its
 * schedule and CustomArgument its payload; an HTTP trigger's TriggerDesc its settings, and its
 * CustomArgument what it keeps.
 */
function triggerChangeOf(ctx: ScfContext, trigger: TriggerRecord, type: ServedType, desc: string | undefined, argument: string | undefined): Pick<TriggerPatch, "settings" | "extras"> {
  const { settings } = trigger;
  if (settings.kind === "timer") {
    return desc === undefined && argument === undefined ? {} : { settings: timerSettingsChanged(settings, { desc, payload: argument }, ctx.config.timers.timezone) };
  }
  // namedTrigger checked that `type` is the trigger's own: an HTTP type here.
  const http = desc === undefined || type === "timer" ? null : triggerDescIn(type, desc);
  return {
    ...(http ? { settings: http.settings } : {}),
    extras: withScf(trigger, { ...(http ? { desc: http.kept } : {}), ...(argument === undefined ? {} : { customArgument: argument }) }),
  };
}

/** Absent fields keep their value (Enable, when sent, must be OPEN or CLOSE); Description and CustomArgument sent as "" clear theirs. */
const updateTrigger: ScfAction = async (ctx, params) => {
  const p = parseParams(UpdateTrigger, params);
  const { ref, trigger, type } = await namedTrigger(ctx, p);
  if (type === "apigw") throw invalid("Type", "An apigw trigger cannot be updated; only http and timer triggers can (delete it and create another, or switch it with UpdateTriggerStatus).");
  const argument = p.CustomArgument === undefined ? undefined : customArgument(p.CustomArgument);
  await ctx.service.triggers.update(ref, trigger.id, {
    enabled: enableOf(p.Enable, trigger.enabled),
    ...(p.Description === undefined ? {} : { description: rules.description(p.Description) }),
    ...triggerChangeOf(ctx, trigger, type, p.TriggerDesc, argument),
  });
  return {};
};

const updateTriggerStatus: ScfAction = async (ctx, params) => {
  const p = parseParams(UpdateTriggerStatus, params);
  const enabled = enableOf(p.Enable, true);
  const { ref, trigger } = await namedTrigger(ctx, p);
  await ctx.service.triggers.setEnabled(ref, trigger.id, enabled);
  return {};
};

const deleteTrigger: ScfAction = async (ctx, params) => {
  const p = parseParams(DeleteTrigger, params);
  const { ref, trigger } = await namedTrigger(ctx, p);
  await ctx.service.triggers.delete(ref, trigger.id);
  return {};
};

/**
 * Quiver's own action, not Tencent's: runs a timer trigger now with its CustomArgument, as a fire
 * at the present time would (an asynchronous invocation; disabled timers too), for development.
 * Answers the invocation's id, which GetAsyncEventStatus and ListAsyncEvents know.
 */
const fireTrigger: ScfAction = async (ctx, params) => {
  const p = parseParams(FireTrigger, params);
  if (p.Type !== undefined && p.Type !== "timer") throw invalid("Type", `Only timer triggers can be fired; Type "${p.Type}" is not timer.`);
  const { ref, trigger } = await namedTrigger(ctx, { ...p, Type: "timer" });
  const record = await ctx.timers.fireNow(ref, trigger.id);
  return { InvokeRequestId: record.id };
};

type Filter = (trigger: TriggerRecord) => boolean;

/**
 * ListTriggers `Filters`: Qualifier, Type and TriggerName match one of their Values exactly;
 * Description matches a description containing one of them. Filters are and-ed.
 */
function filterOf(filters: readonly { Name: string; Values: readonly string[] }[]): Filter {
  if (filters.length > MAX_FILTERS) throw invalid("Filters", `Filters has ${filters.length} entries; at most ${MAX_FILTERS} are allowed.`);
  const checks = filters.map(({ Name, Values }): Filter => {
    if (Values.length > MAX_FILTER_VALUES) throw invalid("Filters", `Filter ${Name} has ${Values.length} values; at most ${MAX_FILTER_VALUES} are allowed.`);
    if (Values.length === 0) return () => true;
    const values = new Set(Values);
    if (Name === "Qualifier") return (t) => values.has(t.qualifier);
    if (Name === "Type") return (t) => values.has(shownType(t));
    if (Name === "TriggerName") return (t) => values.has(t.name);
    if (Name === "Description") return (t) => Values.some((v) => t.description.includes(v));
    throw invalid("Filters", `Filter name "${Name}" is invalid: Qualifier, Type, TriggerName or Description.`);
  });
  return (trigger) => checks.every((check) => check(trigger));
}

function orderByOf(value: string | undefined): ListTriggersQuery["orderBy"] {
  if (value === undefined || value === "" || value === "mod_time") return "updatedAt";
  if (value === "add_time") return "createdAt";
  throw invalid("OrderBy", `OrderBy "${value}" is invalid: add_time or mod_time.`);
}

/** Newest change first by default; the filters apply before Offset and Limit. */
const listTriggers: ScfAction = async (ctx, params) => {
  const p = parseParams(ListTriggers, params);
  const { offset, limit } = rules.paging(p.Offset, p.Limit, MAX_LIST_LIMIT);
  const wanted = filterOf(p.Filters ?? []);
  const order = { order: rules.order(p.Order, "DESC"), orderBy: orderByOf(p.OrderBy) };
  const { fn, triggers } = await allTriggers(ctx, functionOf(ctx, p), order);
  const matching = triggers.filter(wanted);
  return {
    Triggers: matching.slice(offset, offset + limit).map((t) => triggerInfoOut(t, triggerPlace(ctx, fn, t))),
    TotalCount: matching.length,
  };
};

/**
 * Trigger actions by wire name, at the rates Tencent documents (per account, per second):
 * CreateTrigger and DeleteTrigger 100, UpdateTrigger 20. Tencent's pages give none for
 * ListTriggers and UpdateTriggerStatus, which get UpdateTrigger's 20. FireTrigger is Quiver's
 * own (docs/triggers.md), at 20.
 */
export const TRIGGER_ACTIONS: Readonly<Record<string, Action<ScfAction>>> = {
  CreateTrigger: { handler: createTrigger, ratePerSecond: 100 },
  ListTriggers: { handler: listTriggers, ratePerSecond: 20 },
  UpdateTrigger: { handler: updateTrigger, ratePerSecond: 20 },
  UpdateTriggerStatus: { handler: updateTriggerStatus, ratePerSecond: 20 },
  DeleteTrigger: { handler: deleteTrigger, ratePerSecond: 100 },
  FireTrigger: { handler: fireTrigger, ratePerSecond: 20 },
};
