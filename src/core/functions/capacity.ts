import type { ConcurrencyCap, ProvisionedConfig, ProvisionedSettings } from "../capacity.js";
import { DEFAULT_TOTAL_CONCURRENCY_MB, peakCount } from "../capacity.js";
import type { ProvisionedStatus } from "../capacity-keeper.js";
import { QuiverError } from "../errors.js";
import type { FunctionRecord, FunctionRef, Scope } from "../model.js";
import { reservedMemory } from "../store-rules/capacity.js";
import type { CapacityHooks, ServiceDeps } from "./context.js";
import type { Functions } from "./functions.js";
import type { Namespaces } from "./namespaces.js";

/** A provisioned config with how its instances are doing on this node. */
export interface ProvisionedView {
  readonly config: ProvisionedConfig;
  readonly status: ProvisionedStatus;
}

/** One namespace's concurrency, as an account's usage shows it. */
export interface NamespaceCapacity {
  readonly namespace: string;
  readonly functions: readonly string[];
  /** The total put for the namespace (or the default). */
  readonly totalMb: number;
  /** Memory the namespace's functions reserve (caps in memory). */
  readonly reservedMb: number;
  /** Memory of the provisioned instances asked for now (instances × their version's memory). */
  readonly provisionedMb: number;
}

/** Without a keeper (a store-only setup), nothing is kept: every config is still in progress. */
const NO_KEEPER: CapacityHooks = {
  machineInstances: 0,
  status: () => ({ allocated: 0, available: 0, status: "InProgress", reason: "" }),
  changed: () => Promise.resolve(),
};

/**
 * Capacity of functions: provisioned instances per version or alias, a cap on a function's
 * concurrent executions, and the total of a namespace (core/capacity.ts). The store checks and
 * writes; the node's keeper acts (core/capacity-keeper.ts), and each change made here is acted
 * on before the call returns.
 */
export class Capacity {
  readonly #deps: ServiceDeps;
  readonly #functions: Functions;
  readonly #namespaces: Namespaces;

  constructor(deps: ServiceDeps, functions: Functions, namespaces: Namespaces) {
    this.#deps = deps;
    this.#functions = functions;
    this.#namespaces = namespaces;
  }

  get #hooks(): CapacityHooks {
    return this.#deps.capacity ?? NO_KEEPER;
  }

  async putProvisioned(ref: FunctionRef, qualifier: string, settings: ProvisionedSettings): Promise<ProvisionedView> {
    const fn = await this.#functions.get(ref);
    const now = this.#deps.clock.now();
    const config = await this.#deps.store.putProvisioned(
      { functionId: fn.id, scope: fn.scope, namespace: fn.namespace, functionName: fn.name, qualifier, qualifierKind: "version", settings, createdAt: now, updatedAt: now },
      this.#hooks.machineInstances,
    );
    await this.#hooks.changed();
    return this.#view(config);
  }

  /** The function's configs, or the one of `qualifier` (none when it has none; VersionNotFound when it names nothing). */
  async listProvisioned(ref: FunctionRef, qualifier: string | null): Promise<{ fn: FunctionRecord; items: ProvisionedView[] }> {
    const fn = await this.#functions.get(ref);
    if (qualifier !== null) await this.#requireQualifier(fn, qualifier);
    const configs = await this.#deps.store.listProvisioned(fn.id);
    return { fn, items: configs.filter((c) => qualifier === null || c.qualifier === qualifier).map((c) => this.#view(c)) };
  }

  /** Every config of the scope's functions. */
  async listProvisionedInScope(scope: Scope): Promise<ProvisionedView[]> {
    const all = await this.#deps.store.listProvisioned(null);
    return all.filter((c) => c.scope.accountId === scope.accountId && c.scope.region === scope.region).map((c) => this.#view(c));
  }

  /** Instances the machine could still provision: its cap less what every config may ask for (scheduled changes included). */
  async unallocated(): Promise<number> {
    const all = await this.#deps.store.listProvisioned(null);
    return Math.max(0, this.#hooks.machineInstances - all.reduce((sum, c) => sum + peakCount(c.settings), 0));
  }

  /** Deletes the qualifier's config and releases its instances; nothing to delete is not an error, an unknown qualifier is. */
  async deleteProvisioned(ref: FunctionRef, qualifier: string): Promise<void> {
    const fn = await this.#functions.get(ref);
    if (!(await this.#deps.store.deleteProvisioned(fn.id, qualifier))) await this.#requireQualifier(fn, qualifier);
    await this.#hooks.changed();
  }

  /** Sets (or with null removes) the function's cap on concurrent executions. */
  async putCap(ref: FunctionRef, cap: ConcurrencyCap | null): Promise<FunctionRecord> {
    const fn = await this.#functions.get(ref);
    await this.#deps.store.putConcurrencyCap(fn.id, cap, DEFAULT_TOTAL_CONCURRENCY_MB);
    await this.#hooks.changed();
    return fn;
  }

  async getCap(ref: FunctionRef): Promise<{ fn: FunctionRecord; cap: ConcurrencyCap | null }> {
    const fn = await this.#functions.get(ref);
    const caps = await this.#deps.store.listConcurrencyCaps(fn.scope);
    return { fn, cap: caps.find((c) => c.functionId === fn.id)?.cap ?? null };
  }

  async putTotal(scope: Scope, namespace: string, totalMb: number): Promise<void> {
    await this.#namespaces.require(scope, namespace);
    await this.#deps.store.putTotalConcurrency(scope, namespace, totalMb);
  }

  /** Each namespace of the scope with its functions, total, reserved and provisioned memory. */
  async usage(scope: Scope): Promise<NamespaceCapacity[]> {
    const store = this.#deps.store;
    const [namespaces, caps, totals, configs] = await Promise.all([
      store.listNamespaces(scope, { offset: 0, limit: 10_000, order: "ASC", orderBy: "name" }),
      store.listConcurrencyCaps(scope),
      store.listTotalConcurrency(scope),
      this.listProvisionedInScope(scope),
    ]);
    const out: NamespaceCapacity[] = [];
    for (const ns of namespaces.items) {
      const fns = await store.listFunctions(scope, { namespace: ns.name, offset: 0, limit: 10_000, order: "ASC", orderBy: "name" });
      const ids = new Set(fns.items.map((f) => f.id));
      let provisionedMb = 0;
      for (const { config, status } of configs) {
        if (!ids.has(config.functionId)) continue;
        provisionedMb += status.allocated * (await this.#memoryOf(config));
      }
      out.push({
        namespace: ns.name,
        functions: fns.items.map((f) => f.name),
        totalMb: totals.find((t) => t.namespace === ns.name)?.totalMb ?? DEFAULT_TOTAL_CONCURRENCY_MB,
        reservedMb: caps.filter((c) => ids.has(c.functionId)).reduce((sum, c) => sum + reservedMemory(c.cap), 0),
        provisionedMb,
      });
    }
    return out;
  }

  /** Per function of the scope: its cap, and the memory of its provisioned instances due now. */
  async byFunction(scope: Scope): Promise<Map<string, { readonly cap: ConcurrencyCap | null; readonly provisionedMb: number }>> {
    const [caps, configs] = await Promise.all([this.#deps.store.listConcurrencyCaps(scope), this.listProvisionedInScope(scope)]);
    const out = new Map<string, { cap: ConcurrencyCap | null; provisionedMb: number }>();
    for (const c of caps) out.set(c.functionId, { cap: c.cap, provisionedMb: 0 });
    for (const { config, status } of configs) {
      const entry = out.get(config.functionId) ?? { cap: null, provisionedMb: 0 };
      entry.provisionedMb += status.allocated * (await this.#memoryOf(config));
      out.set(config.functionId, entry);
    }
    return out;
  }

  #view(config: ProvisionedConfig): ProvisionedView {
    return { config, status: this.#hooks.status(config) };
  }

  /** The memory of the version a config keeps instances of (an alias: its main version's). */
  async #memoryOf(config: ProvisionedConfig): Promise<number> {
    const store = this.#deps.store;
    const name = config.qualifierKind === "alias" ? (await store.getAlias(config.functionId, config.qualifier))?.version : config.qualifier;
    const version = name === undefined ? null : await store.getVersion(config.functionId, name);
    return version?.config.memoryMb ?? 0;
  }

  async #requireQualifier(fn: FunctionRecord, qualifier: string): Promise<void> {
    const store = this.#deps.store;
    if ((await store.getVersion(fn.id, qualifier)) !== null || (await store.getAlias(fn.id, qualifier)) !== null) return;
    throw new QuiverError("VersionNotFound", `Qualifier "${qualifier}" is neither a version nor an alias of function "${fn.name}".`, { subject: "qualifier" });
  }
}
