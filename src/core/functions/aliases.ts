import { DEFAULT_ALIAS, type AliasRecord } from "../aliases.js";
import { QuiverError } from "../errors.js";
import { LATEST, type FunctionRecord, type FunctionRef } from "../model.js";
import type { AliasChange } from "../ports.js";
import type { ServiceDeps } from "./context.js";
import type { Functions } from "./functions.js";

export interface AliasInput extends AliasChange {
  readonly name: string;
  readonly maxAliases: number;
}

/**
 * Aliases of a function. `$DEFAULT` always exists: until it is changed it is not stored and
 * points at the head. The stores check an alias's routing and versions (core/store-rules).
 */
export class Aliases {
  readonly #deps: ServiceDeps;
  readonly #functions: Functions;

  constructor(deps: ServiceDeps, functions: Functions) {
    this.#deps = deps;
    this.#functions = functions;
  }

  async create(ref: FunctionRef, input: AliasInput): Promise<AliasRecord> {
    const fn = await this.#functions.get(ref);
    if (input.name === DEFAULT_ALIAS) {
      throw new QuiverError("AliasAlreadyExists", `Alias "${DEFAULT_ALIAS}" always exists; update it instead.`, { subject: "alias" });
    }
    const now = this.#deps.clock.now();
    const alias: AliasRecord = { functionId: fn.id, name: input.name, version: input.version, description: input.description, routing: input.routing, revision: 1, createdAt: now, updatedAt: now };
    return this.#deps.store.insertAlias(alias, input.maxAliases);
  }

  async get(ref: FunctionRef, name: string): Promise<{ fn: FunctionRecord; alias: AliasRecord }> {
    const fn = await this.#functions.get(ref);
    const alias = await this.find(fn, name);
    if (!alias) throw aliasNotFound(ref, name);
    return { fn, alias };
  }

  /** The alias of that name, the implicit `$DEFAULT` included; null when there is none. */
  async find(fn: FunctionRecord, name: string): Promise<AliasRecord | null> {
    return (await this.#deps.store.getAlias(fn.id, name)) ?? (name === DEFAULT_ALIAS ? defaultAlias(fn) : null);
  }

  /** Every alias of the function; `$DEFAULT` (pointing at $LATEST until changed) comes first. */
  async list(ref: FunctionRef): Promise<{ fn: FunctionRecord; aliases: AliasRecord[] }> {
    const fn = await this.#functions.get(ref);
    const stored = await this.#deps.store.listAliases(fn.id);
    const hasDefault = stored.some((a) => a.name === DEFAULT_ALIAS);
    return { fn, aliases: hasDefault ? stored : [defaultAlias(fn), ...stored] };
  }

  async update(ref: FunctionRef, name: string, change: AliasChange): Promise<AliasRecord> {
    const fn = await this.#functions.get(ref);
    const updated = await this.#deps.store.updateAlias(fn.id, name, change, this.#deps.clock.now(), name === DEFAULT_ALIAS);
    if (!updated) throw aliasNotFound(ref, name);
    // Provisioned instances of the alias move to the version it names now.
    await this.#deps.capacity?.changed();
    return updated;
  }

  async delete(ref: FunctionRef, name: string): Promise<void> {
    if (name === DEFAULT_ALIAS) throw new QuiverError("AliasProtected", `Alias "${DEFAULT_ALIAS}" cannot be deleted.`, { subject: "alias" });
    const fn = await this.#functions.get(ref);
    if (!(await this.#deps.store.deleteAlias(fn.id, name))) throw aliasNotFound(ref, name);
    this.#deps.router.forget(fn.id, name);
    // Its provisioned config went with it: the instances are released.
    await this.#deps.capacity?.changed();
  }
}

/** `$DEFAULT` before it was ever changed: the head, no routing. */
function defaultAlias(fn: FunctionRecord): AliasRecord {
  return { functionId: fn.id, name: DEFAULT_ALIAS, version: LATEST, description: "", routing: { kind: "none" }, revision: 0, createdAt: fn.createdAt, updatedAt: fn.createdAt };
}

function aliasNotFound(ref: FunctionRef, name: string): QuiverError {
  return new QuiverError("AliasNotFound", `Alias "${name}" of function "${ref.name}" is not found.`, { subject: "alias" });
}
