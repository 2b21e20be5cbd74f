/**
 * The whole store contract through the invoke path's read cache (core/read-cache.ts) on SQLite,
 * as a differential test: after every call that is not one of the cached reads, each function,
 * version and alias a case has read so far is read again through the cache and straight from
 * the store, and the two must agree. A write that changes those rows but is missing from the
 * cache's list of writes (so leaves a stale entry behind) fails here, whichever case makes it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { MetadataStore } from "../../src/core/ports.js";
import { cachedReads } from "../../src/core/read-cache.js";
import { runStoreConformance } from "../../src/store/conformance/metadata-store.case.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempDir } from "../helpers/accounts.js";

const CACHED_READS = new Set(["getFunction", "getFunctionById", "getVersion", "getAlias"]);

/** `raw` behind the read cache, checked against `raw` itself after every other call. */
function checked(raw: MetadataStore): MetadataStore {
  const cached = cachedReads(raw);
  const functions = new Set<string>();
  const versions = new Map<string, [string, string]>();
  const aliases = new Map<string, [string, string]>();
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
  };
  const compare = async (after: string): Promise<void> => {
    for (const id of functions) assert.deepEqual(await cached.getFunctionById(id), await raw.getFunctionById(id), `function ${id} is stale in the cache after ${after}`);
    for (const [fn, name] of versions.values()) assert.deepEqual(await cached.getVersion(fn, name), await raw.getVersion(fn, name), `version ${name} of ${fn} is stale after ${after}`);
    for (const [fn, name] of aliases.values()) assert.deepEqual(await cached.getAlias(fn, name), await raw.getAlias(fn, name), `alias ${name} of ${fn} is stale after ${after}`);
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

runStoreConformance("sqlite behind the read cache", async () => {
  const dir = tempDir("quiver-store-");
  const file = join(dir.path, "quiver.db");
  const raw = new SqliteStore(file);
  const peers: SqliteStore[] = [];
  return {
    store: checked(raw),
    openPeer: async () => {
      const peer = new SqliteStore(file);
      peers.push(peer);
      return checked(peer);
    },
    multiNode: false,
    cleanup: async () => {
      for (const peer of peers) await peer.close();
      await raw.close();
      dir.remove();
    },
  };
});
