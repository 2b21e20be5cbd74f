import { QuiverError } from "../errors.js";
import { MAX_TRIGGERS_PER_KIND } from "../limits.js";
import type { FunctionRecord, FunctionRef, Page, Scope } from "../model.js";
import type { ListTriggersQuery, TriggerPatch } from "../ports.js";
import type { HttpTriggerSettings, TriggerRecord } from "../triggers.js";
import type { ServiceDeps } from "./context.js";
import type { Functions } from "./functions.js";

/** A trigger as a dialect asks for it: everything but what Quiver assigns (id, function, times). */
export type NewTrigger = Omit<TriggerRecord, "id" | "functionId" | "createdAt" | "updatedAt">;

/** How a use case names one trigger of a function. */
export type TriggerKey = { readonly id: string } | { readonly name: string };

/** A FunctionGraph APIG trigger that serves a request path, and the part of the path under its own. */
export interface ApigRoute {
  readonly fn: FunctionRecord;
  readonly trigger: TriggerRecord;
  /** What follows the trigger's path: "" when the request path is the trigger's, else "/…". */
  readonly subPath: string;
}

/**
 * Triggers of a function, bound to one of its qualifiers. The stores check the qualifier, the
 * name, the per-kind limit and APIG paths (core/store-rules/triggers.ts); the dialects check
 * the settings and refuse the types Quiver does not serve.
 */
export class Triggers {
  readonly #deps: ServiceDeps;
  readonly #functions: Functions;

  constructor(deps: ServiceDeps, functions: Functions) {
    this.#deps = deps;
    this.#functions = functions;
  }

  async create(ref: FunctionRef, input: NewTrigger): Promise<TriggerRecord> {
    const fn = await this.#functions.get(ref);
    const now = this.#deps.clock.now();
    // FunctionGraph shows trigger ids as 32 lower-case hex characters.
    const id = this.#deps.ids.uuid().replaceAll("-", "").toLowerCase();
    const trigger: TriggerRecord = { ...input, id, functionId: fn.id, createdAt: now, updatedAt: now };
    return this.#changed(await this.#deps.store.insertTrigger(trigger, MAX_TRIGGERS_PER_KIND));
  }

  async get(ref: FunctionRef, key: TriggerKey): Promise<{ fn: FunctionRecord; trigger: TriggerRecord }> {
    const fn = await this.#functions.get(ref);
    const { store } = this.#deps;
    const trigger = "id" in key ? await store.getTrigger(fn.id, key.id) : await store.getTriggerByName(fn.id, key.name);
    if (!trigger) throw triggerNotFound(ref, "id" in key ? key.id : key.name);
    return { fn, trigger };
  }

  async list(ref: FunctionRef, query: ListTriggersQuery): Promise<{ fn: FunctionRecord; page: Page<TriggerRecord> }> {
    const fn = await this.#functions.get(ref);
    return { fn, page: await this.#deps.store.listTriggers(fn.id, query) };
  }

  async update(ref: FunctionRef, id: string, patch: Omit<TriggerPatch, "now">): Promise<TriggerRecord> {
    const fn = await this.#functions.get(ref);
    const updated = await this.#deps.store.updateTrigger(fn.id, id, { ...patch, now: this.#deps.clock.now() });
    if (!updated) throw triggerNotFound(ref, id);
    return this.#changed(updated);
  }

  /**
   * Switches a trigger on or off. Switching it to the state it has is refused
   * (TriggerStatusUnchanged), checked by the store under its lock.
   */
  async setEnabled(ref: FunctionRef, id: string, enabled: boolean): Promise<TriggerRecord> {
    return this.update(ref, id, { enabled, mustSwitch: true });
  }

  async delete(ref: FunctionRef, id: string): Promise<void> {
    const fn = await this.#functions.get(ref);
    if (!(await this.#deps.store.deleteTrigger(fn.id, id))) throw triggerNotFound(ref, id);
    this.#changed(null);
  }

  /** Deletes the function's triggers bound to `qualifier`, or every one (null); returns how many. */
  async deleteAll(ref: FunctionRef, qualifier: string | null): Promise<number> {
    const fn = await this.#functions.get(ref);
    return this.#changed(await this.#deps.store.deleteTriggers(fn.id, qualifier));
  }

  #changed<T>(result: T): T {
    this.#deps.onTriggersChanged?.();
    return result;
  }

  /**
   * The APIG trigger of the scope that serves `path` (no query string): an exact trigger whose
   * path is `path`, or a prefix trigger whose path is `path` or one of its parent segments; the
   * longest path wins. Disabled triggers are found too: how they answer is the front door's call.
   */
  async findApigRoute(scope: Scope, path: string): Promise<ApigRoute | null> {
    let best: ApigRoute | null = null;
    let bestLength = -1;
    for (const { fn, trigger } of await this.#deps.store.findApigTriggers(scope)) {
      if (trigger.settings.kind !== "http") continue;
      const subPath = subPathUnder(trigger.settings, path);
      if (subPath !== null && trigger.settings.path.length > bestLength) {
        best = { fn, trigger, subPath };
        bestLength = trigger.settings.path.length;
      }
    }
    return best;
  }
}

/**
 * What of `path` lies under an HTTP trigger's path, or null when the trigger does not serve it.
 * Matching is by whole segments: a prefix trigger at `/api` serves `/api` and `/api/x`, not `/apix`.
 */
export function subPathUnder(settings: Pick<HttpTriggerSettings, "path" | "matchMode">, path: string): string | null {
  if (path === settings.path) return "";
  if (settings.matchMode === "exact") return null;
  const base = settings.path.replace(/\/+$/, "");
  return path.startsWith(`${base}/`) ? path.slice(base.length) : null;
}

function triggerNotFound(ref: FunctionRef, key: string): QuiverError {
  return new QuiverError("TriggerNotFound", `Trigger "${key}" of function "${ref.name}" is not found.`, { subject: "trigger" });
}
