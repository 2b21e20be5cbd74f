import type { FunctionRecord, FunctionRef } from "../../../core/model.js";
import type { ListTriggersQuery } from "../../../core/ports.js";
import type { TriggerRecord } from "../../../core/triggers.js";
import { triggerOut, type TriggerPlace } from "../map-out.js";
import type { ScfContext } from "./context.js";

/** Reading a function's triggers as SCF shows them: for the trigger actions and GetFunction. */

/** Where the front door serves a trigger: SCF triggers under their function, FunctionGraph's under their project. */
export function triggerPlace(ctx: ScfContext, fn: FunctionRecord, trigger: TriggerRecord): TriggerPlace {
  const { settings } = trigger;
  const url =
    settings.kind === "http" && settings.flavour === "apig"
      ? ctx.triggerUrls.apig(ctx.account.huawei?.projectId ?? "", settings.path)
      : ctx.triggerUrls.scf(ctx.account.appId, fn.scope.region, fn.namespace, fn.name, trigger.name);
  return { fn, uin: ctx.account.uin, url };
}

/** Every trigger of the function, in the order asked; a function has a few dozen at most. */
export async function allTriggers(
  ctx: ScfContext,
  ref: FunctionRef,
  order: Pick<ListTriggersQuery, "order" | "orderBy"> = { order: "ASC", orderBy: "createdAt" },
): Promise<{ fn: FunctionRecord; triggers: TriggerRecord[] }> {
  const pageSize = 100;
  const triggers: TriggerRecord[] = [];
  for (;;) {
    const { fn, page } = await ctx.service.triggers.list(ref, { ...order, offset: triggers.length, limit: pageSize });
    triggers.push(...page.items);
    if (page.items.length < pageSize || triggers.length >= page.total) return { fn, triggers };
  }
}

/** GetFunction's `Triggers`: every trigger of the function, whichever qualifier it is bound to. */
export async function functionTriggersOut(ctx: ScfContext, ref: FunctionRef): Promise<Record<string, unknown>[]> {
  const { fn, triggers } = await allTriggers(ctx, ref);
  return triggers.map((trigger) => triggerOut(trigger, triggerPlace(ctx, fn, trigger)));
}
