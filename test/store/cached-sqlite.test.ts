/**
 * The whole store contract through the invoke path's read cache (core/read-cache.ts) on SQLite,
 * as a differential test: after every call that is not one of the cached reads, each function,
 * version, alias and trigger (by name) a case has read so far, and each scope's APIG triggers,
 * is read again through the cache and straight from the store, and the two must agree. A write that changes those rows but is missing from the
 * cache's list of writes (so leaves a stale entry behind) fails here, whichever case makes it.
 */
import assert from "node:assert/strict";
import type { Scope } from "../../src/core/model.js";
import type { MetadataStore } from "../../src/core/ports.js";
import { cachedReads } from "../../src/core/read-cache.js";
import { runStoreConformance } from "../../src/store/conformance/metadata-store.case.js";
import { sqliteUnderTest } from "./sqlite-under-test.js";

const CACHED_READS = new Set(["getFunction", "getFunctionById", "getVersion", "getAlias", "getTriggerByName", "findApigTriggers"]);

/** `raw` behind the read cache, checked against `raw` itself after every other call. */
function checked(raw: MetadataStore): MetadataStore {
  const cached = cachedReads(raw);
  const functions = new Set<string>();
  const versions = new Map<string, [string, string]>();
  const aliases = new Map<string, [string, string]>();
  const triggers = new Map<string, [string, string]>();
  const scopes = new Map<string, Scope>();
  const pair = (map: Map<string, [string, string]>, functionId: unknown, name: unknown): void => {
    if (typeof functionId === "string" && typeof name === "string") map.set(`${functionId}/${name}`, [functionId, name]);
  };
  /** Every function, version and alias a call names or returns is checked from then on. */
  const note = (method: string, args: unknown[], result: unknown): void => {
    const record = (result ?? {}) as { id?: unknown; functionId?: unknown; name?: unknown };
    if ((method === "getFunction" || method === "insertFunction") && typeof record.id === "string") functions.add(record.id);
    if (["getFunctionById", "transitionFunction", "deleteFunction"].includes(method) && typeof args[0] === "string") functions.add(args[0]);
    if (method === "getVersion" || method === "deleteVersion") pair(versions, args[0], args[1]);
    if (method === "publishVersion") pair(versions, record.functionId, record.name);
    if (method === "getAlias" || method === "updateAlias" || method === "deleteAlias") pair(aliases, args[0], args[1]);
    if (method === "insertAlias") pair(aliases, record.functionId, record.name);
    if (method === "getTriggerByName") pair(triggers, args[0], args[1]);
    if (["insertTrigger", "updateTrigger", "getTrigger"].includes(method)) pair(triggers, record.functionId, record.name);
    if (method === "findApigTriggers") {
      const scope = args[0] as Scope;
      scopes.set(`${scope.accountId}/${scope.region}`, scope);
    }
  };
  const compare = async (after: string): Promise<void> => {
    for (const id of functions) assert.deepEqual(await cached.getFunctionById(id), await raw.getFunctionById(id), `function ${id} is stale in the cache after ${after}`);
    for (const [fn, name] of versions.values()) assert.deepEqual(await cached.getVersion(fn, name), await raw.getVersion(fn, name), `version ${name} of ${fn} is stale after ${after}`);
    for (const [fn, name] of aliases.values()) assert.deepEqual(await cached.getAlias(fn, name), await raw.getAlias(fn, name), `alias ${name} of ${fn} is stale after ${after}`);
    for (const [fn, name] of triggers.values()) assert.deepEqual(await cached.getTriggerByName(fn, name), await raw.getTriggerByName(fn, name), `trigger ${name} of ${fn} is stale after ${after}`);
    for (const scope of scopes.values()) assert.deepEqual(await cached.findApigTriggers(scope), await raw.findApigTriggers(scope), `the APIG triggers of ${scope.accountId}/${scope.region} are stale after ${after}`);
  };
  return new Proxy(cached, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      const method = value as (...a: unknown[]) => unknown;
      return (...args: unknown[]): unknown => {
        const result = method.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(async (resolved: unknown) => {
          note(property, args, resolved);
          if (!CACHED_READS.has(property)) await compare(property);
          return resolved;
        });
      };
    },
  });
}

runStoreConformance("sqlite behind the read cache", () => sqliteUnderTest(checked));
