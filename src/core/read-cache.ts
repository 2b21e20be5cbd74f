import type { AliasRecord } from "./aliases.js";
import type { FunctionRecord, Scope, VersionRecord } from "./model.js";
import type { MetadataStore } from "./ports.js";
import type { TriggerRecord } from "./triggers.js";

/** Functions whose reads are kept; past this the cache starts again empty (a bound, not an LRU: cheap and rare). */
const MAX_FUNCTIONS = 10_000;

/** Versions, aliases or triggers by name per function, found or not; past this that map starts again (names come from callers). */
const MAX_NAMES = 1_000;

/** Scopes whose APIG triggers are kept; past this the map starts again. */
const MAX_APIG_SCOPES = 1_000;

/** What is cached of one function: its row, and versions, aliases and triggers by name (null: known not to exist). */
interface Entry {
  fn: FunctionRecord | null;
  readonly versions: Map<string, VersionRecord | null>;
  readonly aliases: Map<string, AliasRecord | null>;
  readonly triggers: Map<string, TriggerRecord | null>;
}

type ApigTriggers = Awaited<ReturnType<MetadataStore["findApigTriggers"]>>;

/** Writes that change a function's row, versions or aliases, and where each names the function. */
const WRITES = {
  transitionFunction: (args) => args[0],
  deleteFunction: (args) => args[0],
  publishVersion: (args) => args[0],
  deleteVersion: (args) => args[0],
  insertAlias: (args) => (args[0] as AliasRecord | undefined)?.functionId,
  updateAlias: (args) => args[0],
  deleteAlias: (args) => args[0],
  insertTrigger: (args) => (args[0] as TriggerRecord | undefined)?.functionId,
  updateTrigger: (args) => args[0],
  deleteTrigger: (args) => args[0],
  deleteTriggers: (args) => args[0],
} satisfies Partial<Record<keyof MetadataStore, (args: readonly unknown[]) => unknown>>;

/**
 * The store with the reads an invocation makes (function by name or id, version, alias, and
 * for an HTTP trigger's request the trigger by name or a scope's APIG triggers) served from
 * memory. Every invoke resolves its qualifier through these rows, and each read is a database
 * round trip (60 µs and more); versions never change and functions, aliases and triggers
 * change rarely. (A timer's planned fire time changes often, but it is not part of a
 * trigger's record: `listTimers` and `claimTimer` always go to the store.)
 *
 * A function's entry is dropped when this process writes it, its aliases or its triggers
 * (after the write) and when the store's change feed says another node did (PostgreSQL
 * NOTIFY, sent on commit). A scope's APIG triggers carry their functions' rows, so any drop
 * drops them all (writes are rare; a request finds its route again with one read). A write
 * returns only after this node heard a barrier sent after it (`settle`): the other nodes were
 * sent the change at the same time, before the client can reach them with its next call.
 * While the feed is down nothing is served from or put in the cache. A read that was on its way while
 * an entry was dropped is not cached (a generation count), so a slow read cannot put back
 * what a change replaced.
 */
export function cachedReads(store: MetadataStore): MetadataStore {
  const cache = new ReadCache(store);
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      if (Object.hasOwn(cache.reads, property)) return cache.reads[property as keyof ReadCache["reads"]];
      const write = (WRITES as Partial<Record<string, (args: readonly unknown[]) => unknown>>)[property];
      const method = value as (...a: unknown[]) => unknown;
      if (!write) return (...args: unknown[]): unknown => method.apply(target, args);
      return async (...args: unknown[]): Promise<unknown> => {
        try {
          return await method.apply(target, args);
        } finally {
          const id = write(args);
          if (typeof id === "string") cache.drop(id);
          // Acknowledged only once the change is on its way to every node (ChangeFeed.settle).
          await target.changes?.settle();
        }
      };
    },
  });
}

class ReadCache {
  readonly #store: MetadataStore;
  readonly #byId = new Map<string, Entry>();
  /** Name key → function id, for entries whose row is cached. */
  readonly #byName = new Map<string, string>();
  /** Scope key → the scope's APIG triggers with their functions. */
  readonly #apig = new Map<string, ApigTriggers>();
  #generation = 0;

  constructor(store: MetadataStore) {
    this.#store = store;
    store.changes?.subscribe({ changed: (id) => this.drop(id), reset: () => this.#clear() });
  }

  get #usable(): boolean {
    return this.#store.changes?.live ?? true;
  }

  drop(functionId: string): void {
    this.#generation += 1;
    const entry = this.#byId.get(functionId);
    if (entry?.fn) this.#byName.delete(nameKey(entry.fn.scope, entry.fn.namespace, entry.fn.name));
    this.#byId.delete(functionId);
    this.#apig.clear();
  }

  #clear(): void {
    this.#generation += 1;
    this.#byId.clear();
    this.#byName.clear();
    this.#apig.clear();
  }

  #entry(functionId: string): Entry {
    let entry = this.#byId.get(functionId);
    if (!entry) {
      if (this.#byId.size >= MAX_FUNCTIONS) this.#clear();
      entry = { fn: null, versions: new Map(), aliases: new Map(), triggers: new Map() };
      this.#byId.set(functionId, entry);
    }
    return entry;
  }

  /** Reads through the store; keeps the answer only if nothing was dropped meanwhile. */
  async #load<T>(read: () => Promise<T>, keep: (value: T) => void): Promise<T> {
    const generation = this.#generation;
    const value = await read();
    if (generation === this.#generation && this.#usable) keep(value);
    return value;
  }

  #keepFunction(fn: FunctionRecord | null): void {
    // A missing function is not kept: nothing would announce its creation under that name.
    if (!fn) return;
    this.#entry(fn.id).fn = fn;
    this.#byName.set(nameKey(fn.scope, fn.namespace, fn.name), fn.id);
  }

  readonly reads = {
    getFunction: async (scope: Scope, namespace: string, name: string): Promise<FunctionRecord | null> => {
      if (this.#usable) {
        const id = this.#byName.get(nameKey(scope, namespace, name));
        const fn = id === undefined ? undefined : this.#byId.get(id)?.fn;
        if (fn) return fn;
      }
      return this.#load(() => this.#store.getFunction(scope, namespace, name), (fn) => this.#keepFunction(fn));
    },
    getFunctionById: async (id: string): Promise<FunctionRecord | null> => {
      const fn = this.#usable ? this.#byId.get(id)?.fn : undefined;
      if (fn) return fn;
      return this.#load(() => this.#store.getFunctionById(id), (found) => this.#keepFunction(found));
    },
    getVersion: async (functionId: string, name: string): Promise<VersionRecord | null> => {
      const known = this.#usable ? this.#byId.get(functionId)?.versions.get(name) : undefined;
      if (known !== undefined) return known;
      return this.#load(() => this.#store.getVersion(functionId, name), (version) => remember(this.#entry(functionId).versions, name, version));
    },
    getAlias: async (functionId: string, name: string): Promise<AliasRecord | null> => {
      const known = this.#usable ? this.#byId.get(functionId)?.aliases.get(name) : undefined;
      if (known !== undefined) return known;
      return this.#load(() => this.#store.getAlias(functionId, name), (alias) => remember(this.#entry(functionId).aliases, name, alias));
    },
    getTriggerByName: async (functionId: string, name: string): Promise<TriggerRecord | null> => {
      const known = this.#usable ? this.#byId.get(functionId)?.triggers.get(name) : undefined;
      if (known !== undefined) return known;
      return this.#load(() => this.#store.getTriggerByName(functionId, name), (trigger) => remember(this.#entry(functionId).triggers, name, trigger));
    },
    findApigTriggers: async (scope: Scope): Promise<ApigTriggers> => {
      const key = scopeKey(scope);
      const known = this.#usable ? this.#apig.get(key) : undefined;
      if (known !== undefined) return [...known];
      const found = await this.#load(
        () => this.#store.findApigTriggers(scope),
        (list) => {
          if (this.#apig.size >= MAX_APIG_SCOPES) this.#apig.clear();
          this.#apig.set(key, list);
        },
      );
      return [...found];
    },
  } satisfies Partial<MetadataStore>;
}

function remember<T>(map: Map<string, T | null>, name: string, value: T | null): void {
  if (map.size >= MAX_NAMES) map.clear();
  map.set(name, value);
}

function nameKey(scope: Scope, namespace: string, name: string): string {
  return `${scopeKey(scope)}\0${namespace}\0${name}`;
}

function scopeKey(scope: Scope): string {
  return `${scope.accountId}\0${scope.region}`;
}
