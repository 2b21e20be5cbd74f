import { z } from "zod";
import { QuiverError, invalid } from "../../../core/errors.js";
import { LATEST, type FunctionRecord, type FunctionRef } from "../../../core/model.js";
import type { TriggerRecord, TriggerSettings } from "../../../core/triggers.js";
import { atRate } from "../../shared/pipeline.js";
import { ApigEventData, DOCUMENTED_TRIGGER_TYPES, apigTriggerIn, creatableType, typeCodeOf } from "../apig-trigger.js";
import { legacyTriggerOut, triggerOut } from "../map-out.js";
import { FG_LATEST } from "../rules.js";
import { jsonBody, parseBody } from "../schema.js";
import { timerTriggerIn } from "../timer-trigger.js";
import { parseFunctionUrn, type FunctionUrn } from "../urn.js";
import { created, functionOf, namedQualifier, noContent, ok, requestUrn, type FgsActions, type FgsContext, type FgsOperation } from "./context.js";

/**
 * Function triggers (v2 `/fgs/triggers/...`, v1.0 `/fss/triggers/...`, snake_case in both): one
 * trigger model shared with SCF, so a trigger created through either API is listed by both.
 * Quiver serves APIG and TIMER triggers; every other documented type is refused at create
 * (docs/triggers.md, "FunctionGraph trigger routes").
 */

const Status = z.enum(["ACTIVE", "DISABLED"]);

/** What every create body has; `event_data` is read by its type's schema once the type is known. */
const CreateHead = z.object({
  trigger_type_code: z.string(),
  trigger_status: Status.nullish(),
  event_type_code: z.string().max(64).nullish(),
  // Required by each type's own schema, so a missing one is that type's error (APIG FSS.1107, TIMER FSS.1109).
  event_data: z.record(z.string(), z.unknown()).nullish(),
});
const CreateApig = CreateHead.extend({ event_data: ApigEventData });

/**
 * FunctionGraph documents `event_data` of an update as an array of DIS/Kafka settings, which
 * APIG triggers do not have; an object or an array is accepted and only `trigger_status` applied.
 */
const UpdateBody = z.object({
  trigger_status: Status.nullish(),
  event_data: z.union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]).nullish(),
});

/** The neutral qualifier a URN or `func_info.version` names: the head, a version, or an alias (`!name`). */
function neutralQualifier(qualifier: string | null): string {
  if (qualifier === null || qualifier === FG_LATEST) return LATEST;
  return qualifier.startsWith("!") ? qualifier.slice(1) : qualifier;
}

/**
 * What a new trigger is bound to: the URN's qualifier, else `func_info.version`, else latest.
 * When both are given they must agree.
 */
function bindingOf(urn: FunctionUrn, version: string | undefined): string {
  const fromUrn = urn.qualifier === null ? null : neutralQualifier(urn.qualifier);
  const fromBody = version === undefined ? null : neutralQualifier(version);
  if (fromUrn !== null && fromBody !== null && fromUrn !== fromBody) {
    throw invalid("event_data.func_info", `event_data.func_info.version "${version ?? ""}" does not match the qualifier "${urn.qualifier ?? ""}" of the function URN.`);
  }
  return fromUrn ?? fromBody ?? LATEST;
}

/** `func_info.function_urn`, when sent, must name the function of the path (any qualifier). */
function checkSameFunction(ctx: FgsContext, ref: FunctionRef, functionUrn: string | undefined): void {
  if (functionUrn === undefined) return;
  const named = parseFunctionUrn(functionUrn, ctx.out);
  if (named.package !== ref.namespace || named.name !== ref.name) {
    throw invalid("event_data.func_info", `event_data.func_info.function_urn "${functionUrn}" names another function than the path's ${ref.namespace}:${ref.name}.`);
  }
}

/**
 * Which triggers a collection route covers: none or `latest` every trigger of the function;
 * a version its own; `!alias` (or a plain name no version has) the alias's. A version or alias
 * that does not exist is 404, as elsewhere.
 */
async function coveredQualifier(ctx: FgsContext, urn: FunctionUrn): Promise<string | null> {
  const named = await namedQualifier(ctx, urn);
  return named.kind === "latest" ? null : named.kind === "version" ? named.name : named.alias.name;
}

/** Where a trigger is called: an APIG trigger at its path in the project, an SCF one at its SCF URL. */
function invokeUrlOf(ctx: FgsContext, fn: FunctionRecord, trigger: TriggerRecord): string {
  const { settings } = trigger;
  if (settings.kind === "http" && settings.flavour === "apig") return ctx.triggerUrls.apig(ctx.out.projectId, settings.path);
  return ctx.triggerUrls.scf(ctx.account.appId, ctx.scope.region, fn.namespace, fn.name, trigger.name);
}

type Render = typeof triggerOut;

function rendered(ctx: FgsContext, render: Render, fn: FunctionRecord, trigger: TriggerRecord): Record<string, unknown> {
  return render(ctx.out, trigger, { fn, invokeUrl: invokeUrlOf(ctx, fn, trigger) });
}

/** A new trigger as its type reads its `event_data`: the name, settings, what is kept, and what it is bound to. */
interface CreateIn {
  readonly name: string;
  readonly settings: TriggerSettings;
  readonly kept: Readonly<Record<string, unknown>>;
  readonly qualifier: string;
}

function apigCreate(ctx: FgsContext, urn: FunctionUrn, body: Record<string, unknown>): CreateIn {
  const apig = apigTriggerIn(parseBody(CreateApig, body).event_data);
  checkSameFunction(ctx, functionOf(ctx, urn), apig.functionUrn);
  return { name: apig.name, settings: apig.settings, kept: apig.kept, qualifier: bindingOf(urn, apig.version) };
}

/** A timer is bound to the URN's qualifier (its event_data names no version). */
function timerCreate(ctx: FgsContext, urn: FunctionUrn, eventData: Record<string, unknown> | null | undefined): CreateIn {
  const timer = timerTriggerIn(eventData, ctx.config.timers.timezone);
  return { name: timer.name, settings: timer.settings, kept: {}, qualifier: bindingOf(urn, undefined) };
}

async function create(ctx: FgsContext, render: Render): Promise<Record<string, unknown>> {
  const urn = requestUrn(ctx);
  const ref = functionOf(ctx, urn);
  const body = jsonBody(ctx.body);
  const head = parseBody(CreateHead, body);
  const type = creatableType(head.trigger_type_code);
  const made = type === "TIMER" ? timerCreate(ctx, urn, head.event_data) : apigCreate(ctx, urn, body);
  const fn = await ctx.service.functions.get(ref);
  const trigger = await ctx.service.triggers.create(ref, {
    name: made.name,
    qualifier: made.qualifier,
    enabled: head.trigger_status !== "DISABLED",
    description: "",
    settings: made.settings,
    extras: { fgs: { ...made.kept, ...(head.event_type_code ? { event_type_code: head.event_type_code } : {}) } },
  });
  return rendered(ctx, render, fn, trigger);
}

async function list(ctx: FgsContext, render: Render): Promise<Array<Record<string, unknown>>> {
  const urn = requestUrn(ctx);
  const ref = functionOf(ctx, urn);
  const qualifier = await coveredQualifier(ctx, urn);
  const query = { ...(qualifier === null ? {} : { qualifier }), order: "ASC" as const, orderBy: "createdAt" as const };
  const out: Array<Record<string, unknown>> = [];
  // FunctionGraph's list has no paging: every page of the core's list is read.
  for (let offset = 0; ; ) {
    const { fn, page } = await ctx.service.triggers.list(ref, { ...query, offset, limit: 100 });
    out.push(...page.items.map((trigger) => rendered(ctx, render, fn, trigger)));
    offset += page.items.length;
    if (page.items.length === 0 || offset >= page.total) return out;
  }
}

const batchDelete: FgsOperation = async (ctx) => {
  const urn = requestUrn(ctx);
  await ctx.service.triggers.deleteAll(functionOf(ctx, urn), await coveredQualifier(ctx, urn));
  return noContent;
};

/**
 * The trigger an item route names. Its `trigger_type_code` must be the trigger's type: a
 * documented type that is not the trigger's is "not found" (404 FSS.1131), a code FunctionGraph
 * does not document is "trigger type not found" (404 FSS.1137). The URN names the function;
 * its qualifier is not checked, since the id alone names the trigger.
 */
async function pathTrigger(ctx: FgsContext): Promise<{ fn: FunctionRecord; trigger: TriggerRecord }> {
  const { typeCode, id } = ctx.trigger ?? { typeCode: "", id: "" };
  if (!DOCUMENTED_TRIGGER_TYPES.includes(typeCode)) {
    throw new QuiverError("TriggerNotFound", `Trigger type ${typeCode} is not a FunctionGraph trigger type.`, { subject: "trigger", parameter: "trigger_type_code" });
  }
  const found = await ctx.service.triggers.get(functionOf(ctx), { id });
  if (typeCodeOf(found.trigger) !== typeCode) throw new QuiverError("TriggerNotFound", `The function has no ${typeCode} trigger ${id}.`, { subject: "trigger" });
  return found;
}

async function show(ctx: FgsContext, render: Render): Promise<Record<string, unknown>> {
  const { fn, trigger } = await pathTrigger(ctx);
  return rendered(ctx, render, fn, trigger);
}

/** Switches a trigger ACTIVE or DISABLED; a body without `trigger_status` changes nothing. */
const update: FgsOperation = async (ctx) => {
  const p = parseBody(UpdateBody, jsonBody(ctx.body));
  const { fn, trigger } = await pathTrigger(ctx);
  if (p.trigger_status === undefined || p.trigger_status === null) return ok(rendered(ctx, triggerOut, fn, trigger));
  const enabled = p.trigger_status === "ACTIVE";
  const changed = await ctx.service.triggers.setEnabled(functionOf(ctx), trigger.id, enabled);
  return ok(rendered(ctx, triggerOut, fn, changed));
};

const remove: FgsOperation = async (ctx) => {
  const { trigger } = await pathTrigger(ctx);
  await ctx.service.triggers.delete(functionOf(ctx), trigger.id);
  return noContent;
};

/**
 * Quiver's own route, not FunctionGraph's: runs a TIMER trigger now with its user_event, as a
 * fire at the present time would (an asynchronous invocation; disabled timers too), for
 * development. 202 with the invocation's `request_id`, as an asynchronous invoke answers.
 */
const fire: FgsOperation = async (ctx) => {
  const { trigger } = await pathTrigger(ctx);
  if (trigger.settings.kind !== "timer") throw new QuiverError("TriggerNotFound", `Only TIMER triggers can be fired; ${ctx.trigger?.typeCode ?? ""} ${trigger.id} is not one.`, { subject: "trigger" });
  const record = await ctx.timers.fireNow(functionOf(ctx), trigger.id);
  return { status: 202, body: { request_id: record.id } };
};

const TRIGGER_OPERATIONS = {
  createFunctionTrigger: (async (ctx) => created(await create(ctx, triggerOut))) satisfies FgsOperation,
  listFunctionTriggers: (async (ctx) => ok(await list(ctx, triggerOut))) satisfies FgsOperation,
  batchDeleteFunctionTriggers: batchDelete,
  showFunctionTrigger: (async (ctx) => ok(await show(ctx, triggerOut))) satisfies FgsOperation,
  updateTrigger: update,
  deleteFunctionTrigger: remove,
  fireFunctionTrigger: fire,
  legacyCreateFunctionTrigger: (async (ctx) => created(await create(ctx, legacyTriggerOut))) satisfies FgsOperation,
  legacyListFunctionTriggers: (async (ctx) => ok(await list(ctx, legacyTriggerOut))) satisfies FgsOperation,
  legacyBatchDeleteFunctionTriggers: batchDelete,
  legacyShowFunctionTrigger: (async (ctx) => ok(await show(ctx, legacyTriggerOut))) satisfies FgsOperation,
  legacyDeleteFunctionTrigger: remove,
} as const;

/**
 * Trigger operations by wire name, v2 and legacy, at SCF's documented trigger rates
 * (CreateTrigger 100/s, UpdateTrigger 20/s; the rest 20/s like the other management calls).
 */
export const TRIGGER_ACTIONS = {
  ...atRate(20, TRIGGER_OPERATIONS),
  createFunctionTrigger: { handler: TRIGGER_OPERATIONS.createFunctionTrigger, ratePerSecond: 100 },
  legacyCreateFunctionTrigger: { handler: TRIGGER_OPERATIONS.legacyCreateFunctionTrigger, ratePerSecond: 100 },
} satisfies FgsActions;
