import { QuiverError } from "../errors.js";
import { stateConflict } from "../store-rules/statuses.js";
import { keyPrefix } from "../instance-keys.js";
import { LATEST, type CodeRef, type FunctionRecord, type FunctionRef, type Page, type VersionRecord } from "../model.js";
import type { ListVersionsQuery, VersionNaming } from "../ports.js";
import { hostDirsOf, type ServiceDeps } from "./context.js";
import type { Functions } from "./functions.js";

export interface PublishInput {
  readonly description: string;
  readonly naming: VersionNaming;
  readonly maxVersions: number;
  readonly expectedSha512: string | null;
}

/** What a qualifier resolved to: the head, or one published version. */
export interface ResolvedQualifier {
  readonly fn: FunctionRecord;
  /** Null means the mutable head ($LATEST). */
  readonly version: VersionRecord | null;
}

/** Where one page starts and how long it is. */
export interface PageWindow {
  readonly offset: number;
  readonly limit: number;
}

/**
 * One page of the list "the head, then the published versions" (both vendors list versions
 * that way: SCF's example reads `["$LATEST","3","2","1"]`). The head takes position 0, so the
 * published versions are read one position earlier, and one fewer on the first page.
 */
export async function headFirst<T>(head: T, window: PageWindow, published: (window: PageWindow) => Promise<Page<T>>): Promise<Page<T>> {
  const includeHead = window.offset === 0;
  const page = await published({ offset: Math.max(0, window.offset - 1), limit: includeHead ? window.limit - 1 : window.limit });
  return { items: includeHead ? [head, ...page.items] : page.items, total: page.total + 1 };
}

/** Published versions: immutable snapshots of the head, and the qualifiers that name them. */
export class Versions {
  readonly #deps: ServiceDeps;
  readonly #functions: Functions;

  constructor(deps: ServiceDeps, functions: Functions) {
    this.#deps = deps;
    this.#functions = functions;
  }

  /**
   * Publishes the head as a new version. Returns the function too (as read before the publish:
   * identity, names and times, which a publish does not change), so dialects answering with
   * function fields need no second read.
   */
  async publish(ref: FunctionRef, input: PublishInput): Promise<{ fn: FunctionRecord; version: VersionRecord }> {
    const fn = await this.#functions.get(ref);
    const snapshot = fn.hotReloadDir === undefined ? undefined : await this.#snapshot(fn.hotReloadDir);
    const version = await this.#deps.store.publishVersion(fn.id, { ...input, ...(snapshot ? { snapshot } : {}), now: this.#deps.clock.now() });
    this.#deps.onPublished?.(fn, version);
    return { fn, version };
  }

  /**
   * A hot-reloaded head's files as a package, with the checks and digests of an upload, stored
   * before the publish refers to it: the version keeps these bytes whatever the directory does.
   */
  async #snapshot(dir: string): Promise<CodeRef> {
    const hostDirs = hostDirsOf(this.#deps);
    const zip = await hostDirs.zip(await hostDirs.resolve(dir));
    const code = await this.#functions.checkCode({ zip, fileName: "" });
    await this.#deps.blobs.put(code.ref.sha256, code.bytes);
    return code.ref;
  }

  /**
   * The package a qualifier runs, stored: a version's, the head's, or a hot-reloaded head's
   * files zipped now (and stored, content-addressed, like a publish's snapshot).
   */
  async packageOf(ref: FunctionRef, qualifier: string): Promise<CodeRef> {
    const { fn, version } = await this.resolve(ref, qualifier);
    if (version) return version.code;
    if (fn.hotReloadDir !== undefined) return this.#snapshot(fn.hotReloadDir);
    if (fn.code === null) throw stateConflict(fn, "invoke");
    return fn.code;
  }

  /** `$LATEST` (the head) or a published version; aliases are not looked at. */
  async resolve(ref: FunctionRef, qualifier: string): Promise<ResolvedQualifier> {
    const fn = await this.#functions.get(ref);
    if (qualifier === LATEST) return { fn, version: null };
    const version = await this.#deps.store.getVersion(fn.id, qualifier);
    if (!version) throw versionNotFound(ref, qualifier);
    return { fn, version };
  }

  /** The head first, then the published versions in the query's order; `total` counts the head. */
  async list(ref: FunctionRef, query: ListVersionsQuery): Promise<Page<ResolvedQualifier>> {
    const fn = await this.#functions.get(ref);
    return headFirst<ResolvedQualifier>({ fn, version: null }, query, async (window) => {
      const page = await this.#deps.store.listVersions(fn.id, { ...query, ...window });
      return { items: page.items.map((version) => ({ fn, version })), total: page.total };
    });
  }

  async delete(ref: FunctionRef, qualifier: string): Promise<void> {
    if (qualifier === LATEST) {
      throw new QuiverError("LatestProtected", `The head version of "${ref.name}" cannot be deleted on its own; delete the function instead.`, { subject: "qualifier" });
    }
    const fn = await this.#functions.get(ref);
    const version = await this.#deps.store.getVersion(fn.id, qualifier);
    if (!version || !(await this.#deps.store.deleteVersion(fn.id, qualifier))) throw versionNotFound(ref, qualifier);
    this.#deps.onCodeRetired?.(keyPrefix.version(fn.id, version.seq));
  }
}

function versionNotFound(ref: FunctionRef, qualifier: string): QuiverError {
  return new QuiverError("VersionNotFound", `Version "${qualifier}" of function "${ref.name}" does not exist.`, { subject: "qualifier" });
}
