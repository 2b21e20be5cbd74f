import { QuiverError } from "../errors.js";
import { keyPrefix } from "../instance-keys.js";
import { checkCode, type CheckedCode } from "../code.js";
import { checkConfigSize } from "../limits.js";
import { requireWebBootstrap } from "../web-functions.js";
import type { FunctionConfig, FunctionRecord, FunctionRef, FunctionStatus, Page, Scope } from "../model.js";
import type { ListFunctionsQuery } from "../ports.js";
import { EDITABLE_STATUSES, settleAfterCrash, settleAfterFailedCodeWrite, stateConflict } from "../store-rules/statuses.js";
import { hostDirsOf, type ServiceDeps } from "./context.js";
import type { Namespaces } from "./namespaces.js";

export interface CodeUpload {
  readonly zip: Buffer;
  readonly fileName: string;
  /**
   * The file a web function's package must hold at its root, in the calling dialect's
   * vendor's name (SCF `scf_bootstrap`, FunctionGraph `bootstrap`); checked when the function
   * the code is for is a web function.
   */
  readonly webBootstrap?: string;
}

/** Hot reload: the head runs this host directory's current files instead of a stored package. */
export interface HotReloadSource {
  readonly hotReloadDir: string;
}

/** Where a head's code comes from: an uploaded zip, or a host directory. */
export type CodeSource = CodeUpload | HotReloadSource;

function isHotReload(source: object): source is HotReloadSource {
  return "hotReloadDir" in source;
}

export interface CreateFunctionInput {
  readonly namespace: string;
  readonly name: string;
  readonly config: FunctionConfig;
  readonly code: CodeSource;
  readonly maxFunctions: number;
}

/**
 * Functions: their mutable head (code and configuration) and its status. Every change goes
 * through a transient status (Creating, Updating), so a crash or a concurrent change can
 * never leave a half-applied head behind.
 */
export class Functions {
  readonly #deps: ServiceDeps;
  readonly #namespaces: Namespaces;

  constructor(deps: ServiceDeps, namespaces: Namespaces) {
    this.#deps = deps;
    this.#namespaces = namespaces;
  }

  /** Checks and hashes a zip without storing it, so bad code never changes any state. */
  checkCode(upload: CodeUpload): Promise<CheckedCode> {
    return checkCode(this.#deps.inspector, upload.zip, upload.fileName);
  }

  async create(scope: Scope, input: CreateFunctionInput): Promise<FunctionRecord> {
    checkConfigSize(input.config);
    const code = await this.#checkSource(input.code, input.config);
    await this.#namespaces.requireForNewFunction(scope, input.namespace);
    const { store, clock, ids } = this.#deps;
    // 1. Claim the name in status Creating, so concurrent creates of the same name conflict.
    const created = await store.insertFunction({
      id: ids.uuid(),
      scope,
      namespace: input.namespace,
      name: input.name,
      config: input.config,
      now: clock.now(),
      maxFunctions: input.maxFunctions,
    });
    // 2. Store the code, 3. then make the function Active with it.
    return this.#storeCodeThenSettle(created, code, "Creating", input.config);
  }

  async get(ref: FunctionRef): Promise<FunctionRecord> {
    const fn = await this.#deps.store.getFunction(ref.scope, ref.namespace, ref.name);
    if (fn) return fn;
    await this.#namespaces.require(ref.scope, ref.namespace);
    throw notFound(ref);
  }

  list(scope: Scope, query: ListFunctionsQuery): Promise<Page<FunctionRecord>> {
    return this.#deps.store.listFunctions(scope, query);
  }

  /**
   * Replaces the head's code (and optionally its configuration, e.g. a new handler).
   * The function is Updating while the code is written, so a concurrent publish is refused
   * rather than snapshotting a half-applied change.
   */
  async updateCode(ref: FunctionRef, upload: CodeSource, change: (current: FunctionConfig) => FunctionConfig = (current) => current): Promise<FunctionRecord> {
    const fn = await this.get(ref);
    // Checked before any state changes. The change is applied again to the row read under the
    // transition; code changes only touch small fields (handler, code type), so that cannot
    // grow a configuration past the limit that this one stayed within.
    checkConfigSize(change(fn.config), fn.config);
    const code = await this.#checkSource(upload, change(fn.config));
    const updating = await this.#deps.store.transitionFunction(fn.id, EDITABLE_STATUSES, { status: "Updating", now: this.#deps.clock.now() });
    if (!updating) throw await this.#conflict(fn.id, "updateCode");
    return this.#storeCodeThenSettle(updating, code, "Updating", change(updating.config));
  }

  async updateConfig(ref: FunctionRef, change: (current: FunctionConfig) => FunctionConfig): Promise<FunctionRecord> {
    const fn = await this.get(ref);
    const config = change(fn.config);
    checkConfigSize(config, fn.config);
    const updated = await this.#deps.store.transitionFunction(fn.id, EDITABLE_STATUSES, {
      status: "Active",
      statusReason: "",
      config,
      changed: true,
      now: this.#deps.clock.now(),
    });
    if (!updated) throw await this.#conflict(fn.id, "updateConfig");
    this.#deps.onCodeRetired?.(keyPrefix.head(fn.id));
    return updated;
  }

  async delete(ref: FunctionRef): Promise<void> {
    const fn = await this.get(ref);
    if (!(await this.#deps.store.deleteFunction(fn.id))) throw notFound(ref);
    this.#deps.onCodeRetired?.(keyPrefix.function(fn.id));
  }

  /** The stored zip of a code package. */
  readCode(sha256: string): Promise<Buffer> {
    return this.#deps.blobs.read(sha256);
  }

  /**
   * Settles functions left in a transient status by a crash: an interrupted create or update
   * did not commit its code, so it is reported as failed; the old code is intact.
   */
  async recover(): Promise<number> {
    const { store, clock } = this.#deps;
    const stuck = await store.listTransient();
    for (const fn of stuck) {
      const settled = settleAfterCrash(fn.status);
      if (settled) {
        await store.transitionFunction(fn.id, [fn.status], {
          status: settled,
          statusReason: "interrupted by a server restart; repeat the request",
          now: clock.now(),
        });
      }
    }
    return stuck.length;
  }

  /**
   * Checks a code source before any state changes: a zip is checked and hashed (and must hold
   * a web function's bootstrap); a hot-reload directory must resolve under the server's root.
   */
  async #checkSource(source: CodeSource, config: FunctionConfig): Promise<CheckedCode | HotReloadSource> {
    if (isHotReload(source)) {
      await hostDirsOf(this.#deps).resolve(source.hotReloadDir);
      return source;
    }
    const code = await this.checkCode(source);
    requireWebBootstrap(config, code.facts, source.webBootstrap);
    return code;
  }

  async #storeCodeThenSettle(
    fn: FunctionRecord,
    code: CheckedCode | HotReloadSource,
    from: FunctionStatus,
    config: FunctionConfig,
  ): Promise<FunctionRecord> {
    const { store, blobs, clock } = this.#deps;
    if (!isHotReload(code)) {
      try {
        await blobs.put(code.ref.sha256, code.bytes);
      } catch (cause) {
        await store.transitionFunction(fn.id, [from], { status: settleAfterFailedCodeWrite(from), statusReason: "code could not be stored", now: clock.now() });
        throw new QuiverError("Internal", "The code package could not be stored.", { cause });
      }
    }
    const settled = await store.transitionFunction(fn.id, [from], {
      status: "Active",
      statusReason: "",
      ...(isHotReload(code) ? { hotReloadDir: code.hotReloadDir } : { code: code.ref }),
      config,
      changed: true,
      now: clock.now(),
    });
    if (!settled) throw await this.#conflict(fn.id, "updateCode");
    this.#deps.onCodeRetired?.(keyPrefix.head(fn.id));
    return settled;
  }

  async #conflict(id: string, operation: "updateCode" | "updateConfig"): Promise<QuiverError> {
    const now = await this.#deps.store.getFunctionById(id);
    if (!now) return new QuiverError("FunctionNotFound", "The function was deleted while the request ran.", { subject: "function" });
    return stateConflict(now, operation);
  }
}

function notFound(ref: FunctionRef): QuiverError {
  return new QuiverError("FunctionNotFound", `Function "${ref.name}" does not exist in namespace "${ref.namespace}".`, { subject: "function" });
}
