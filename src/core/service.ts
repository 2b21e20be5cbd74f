import { DEFAULT_ALIAS, type AliasRecord } from "./aliases.js";
import { QuiverError } from "./errors.js";
import { keyPrefix } from "./instance-keys.js";
import type { AliasRouter } from "./routing.js";
import { checkCode, type CheckedCode } from "./code.js";
import { checkConfigSize } from "./limits.js";
import {
  DEFAULT_NAMESPACE,
  LATEST,
  type FunctionConfig,
  type FunctionRecord,
  type FunctionStatus,
  type Namespace,
  type Page,
  type Scope,
  type VersionRecord,
} from "./model.js";
import type {
  BlobStore,
  Clock,
  CodeInspector,
  IdSource,
  ListFunctionsQuery,
  ListNamespacesQuery,
  ListVersionsQuery,
  AliasChange,
  MetadataStore,
  VersionNaming,
} from "./ports.js";
import { EDITABLE_STATUSES, settleAfterCrash, settleAfterFailedCodeWrite, stateConflict } from "./store-rules/statuses.js";

export interface ServiceDeps {
  readonly store: MetadataStore;
  readonly blobs: BlobStore;
  readonly inspector: CodeInspector;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly router: AliasRouter;
  /** Told when code can no longer be invoked (deleted function or version, replaced head). */
  readonly onCodeRetired?: (instanceKeyPrefix: string) => void;
}

export interface CodeUpload {
  readonly zip: Buffer;
  readonly fileName: string;
}

export interface CreateFunctionInput {
  readonly namespace: string;
  readonly name: string;
  readonly config: FunctionConfig;
  readonly code: CodeUpload;
  readonly maxFunctions: number;
}

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

/** What an invocation runs, and through which alias it got there. */
export interface ResolvedInvocation extends ResolvedQualifier {
  /** The concrete version name that runs ("$LATEST" for the head). */
  readonly versionName: string;
  readonly alias: string | null;
  readonly aliasRecord: AliasRecord | null;
}

/** How an invoke names what to run. */
export interface InvokeSelector {
  readonly qualifier: string;
  /** Header values for rule-based routing (SCF RoutingKey, FunctionGraph request headers). */
  readonly headers: Readonly<Record<string, string>>;
  /** A key that pins the caller to one version of a weighted alias. */
  readonly routingKey: string | null;
  /** Whether a qualifier may name an alias without a marker (SCF: always; FunctionGraph: `!name`). */
  readonly aliasLookup: "fallback" | "only" | "never";
}

export interface AliasInput extends AliasChange {
  readonly name: string;
  readonly maxAliases: number;
}

/**
 * The use cases of the control plane, shared by every wire dialect. It knows nothing of HTTP,
 * SQL or vendors; dialects validate wire input into domain values and call these methods.
 */
export class FunctionService {
  readonly #deps: ServiceDeps;

  constructor(deps: ServiceDeps) {
    this.#deps = deps;
  }

  // ---- namespaces -------------------------------------------------------------------------

  async createNamespace(scope: Scope, name: string, description: string, maxNamespaces: number): Promise<Namespace> {
    if (name === DEFAULT_NAMESPACE) {
      throw new QuiverError("NamespaceProtected", `Namespace "${DEFAULT_NAMESPACE}" always exists and cannot be created.`, { subject: "namespace", operation: "create" });
    }
    const now = this.#deps.clock.now();
    const ns: Namespace = { name, description, createdAt: now, updatedAt: now };
    await this.#ensureDefaultNamespace(scope);
    if (!(await this.#deps.store.insertNamespace(scope, ns, maxNamespaces))) {
      throw new QuiverError("NamespaceAlreadyExists", `Namespace "${name}" already exists.`, { subject: "namespace" });
    }
    return ns;
  }

  async requireNamespace(scope: Scope, name: string): Promise<void> {
    if (name === DEFAULT_NAMESPACE) return;
    if (!(await this.#deps.store.getNamespace(scope, name))) {
      throw new QuiverError("NamespaceNotFound", `Namespace "${name}" does not exist.`, { subject: "namespace" });
    }
  }

  async updateNamespace(scope: Scope, name: string, description: string): Promise<void> {
    if (name === DEFAULT_NAMESPACE) {
      await this.#ensureDefaultNamespace(scope);
    }
    if (!(await this.#deps.store.updateNamespace(scope, name, description, this.#deps.clock.now()))) {
      throw new QuiverError("NamespaceNotFound", `Namespace "${name}" does not exist.`, { subject: "namespace" });
    }
  }

  async deleteNamespace(scope: Scope, name: string): Promise<void> {
    if (name === DEFAULT_NAMESPACE) {
      throw new QuiverError("NamespaceProtected", `Namespace "${DEFAULT_NAMESPACE}" cannot be deleted.`, { subject: "namespace", operation: "delete" });
    }
    if (!(await this.#deps.store.deleteNamespace(scope, name))) {
      throw new QuiverError("NamespaceNotFound", `Namespace "${name}" does not exist.`, { subject: "namespace" });
    }
  }

  async listNamespaces(scope: Scope, query: ListNamespacesQuery): Promise<Page<Namespace>> {
    await this.#ensureDefaultNamespace(scope);
    return this.#deps.store.listNamespaces(scope, query);
  }

  /** Makes a namespace exist (FunctionGraph creates packages implicitly). */
  async ensureNamespace(scope: Scope, name: string): Promise<void> {
    if (await this.#deps.store.getNamespace(scope, name)) return;
    const now = this.#deps.clock.now();
    await this.#deps.store.insertNamespace(scope, { name, description: "", createdAt: now, updatedAt: now }, null);
  }

  async #ensureDefaultNamespace(scope: Scope): Promise<void> {
    await this.ensureNamespace(scope, DEFAULT_NAMESPACE);
  }

  // ---- functions --------------------------------------------------------------------------

  /** Checks and hashes a zip without storing it, so bad code never changes any state. */
  checkCode(upload: CodeUpload): Promise<CheckedCode> {
    return checkCode(this.#deps.inspector, upload.zip, upload.fileName);
  }

  async createFunction(scope: Scope, input: CreateFunctionInput): Promise<FunctionRecord> {
    checkConfigSize(input.config);
    const code = await this.checkCode(input.code);
    if (input.namespace === DEFAULT_NAMESPACE) await this.#ensureDefaultNamespace(scope);
    else await this.requireNamespace(scope, input.namespace);
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

  async getFunction(scope: Scope, namespace: string, name: string): Promise<FunctionRecord> {
    const fn = await this.#deps.store.getFunction(scope, namespace, name);
    if (fn) return fn;
    await this.requireNamespace(scope, namespace);
    throw new QuiverError("FunctionNotFound", `Function "${name}" does not exist in namespace "${namespace}".`, { subject: "function" });
  }

  listFunctions(scope: Scope, query: ListFunctionsQuery): Promise<Page<FunctionRecord>> {
    return this.#deps.store.listFunctions(scope, query);
  }

  /**
   * Replaces the head's code (and optionally its configuration, e.g. a new handler).
   * The function is Updating while the code is written, so a concurrent publish is refused
   * rather than snapshotting a half-applied change.
   */
  async updateCode(
    scope: Scope,
    namespace: string,
    name: string,
    upload: CodeUpload,
    change: (current: FunctionConfig) => FunctionConfig = (current) => current,
  ): Promise<FunctionRecord> {
    const code = await this.checkCode(upload);
    const fn = await this.getFunction(scope, namespace, name);
    // Checked before any state changes. The change is applied again to the row read under the
    // transition; code changes only touch small fields (handler, code type), so that cannot
    // grow a configuration past the limit that this one stayed within.
    checkConfigSize(change(fn.config), fn.config);
    const updating = await this.#deps.store.transitionFunction(fn.id, EDITABLE_STATUSES, { status: "Updating", now: this.#deps.clock.now() });
    if (!updating) throw await this.#conflict(fn.id, "updateCode");
    return this.#storeCodeThenSettle(updating, code, "Updating", change(updating.config));
  }

  async updateConfig(scope: Scope, namespace: string, name: string, change: (current: FunctionConfig) => FunctionConfig): Promise<FunctionRecord> {
    const fn = await this.getFunction(scope, namespace, name);
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

  async deleteFunction(scope: Scope, namespace: string, name: string): Promise<void> {
    const fn = await this.getFunction(scope, namespace, name);
    if (!(await this.#deps.store.deleteFunction(fn.id))) {
      throw new QuiverError("FunctionNotFound", `Function "${name}" does not exist in namespace "${namespace}".`, { subject: "function" });
    }
    this.#deps.onCodeRetired?.(keyPrefix.function(fn.id));
  }

  // ---- versions ---------------------------------------------------------------------------

  /**
   * Publishes the head as a new version. Returns the function too (as read before the publish:
   * identity, names and times, which a publish does not change), so dialects answering with
   * function fields need no second read.
   */
  async publish(scope: Scope, namespace: string, name: string, input: PublishInput): Promise<{ fn: FunctionRecord; version: VersionRecord }> {
    const fn = await this.getFunction(scope, namespace, name);
    const version = await this.#deps.store.publishVersion(fn.id, { ...input, now: this.#deps.clock.now() });
    return { fn, version };
  }

  async resolve(scope: Scope, namespace: string, name: string, qualifier: string): Promise<ResolvedQualifier> {
    const fn = await this.getFunction(scope, namespace, name);
    if (qualifier === LATEST) return { fn, version: null };
    const version = await this.#deps.store.getVersion(fn.id, qualifier);
    if (!version) {
      throw new QuiverError("VersionNotFound", `Version "${qualifier}" of function "${name}" does not exist.`, { subject: "qualifier" });
    }
    return { fn, version };
  }

  async listVersions(scope: Scope, namespace: string, name: string, query: ListVersionsQuery): Promise<{ fn: FunctionRecord; page: Page<VersionRecord> }> {
    const fn = await this.getFunction(scope, namespace, name);
    return { fn, page: await this.#deps.store.listVersions(fn.id, query) };
  }

  async deleteVersion(scope: Scope, namespace: string, name: string, qualifier: string): Promise<void> {
    if (qualifier === LATEST) {
      throw new QuiverError("LatestProtected", `The head version of "${name}" cannot be deleted on its own; delete the function instead.`, { subject: "qualifier" });
    }
    const fn = await this.getFunction(scope, namespace, name);
    const version = await this.#deps.store.getVersion(fn.id, qualifier);
    if (!version || !(await this.#deps.store.deleteVersion(fn.id, qualifier))) {
      throw new QuiverError("VersionNotFound", `Version "${qualifier}" of function "${name}" does not exist.`, { subject: "qualifier" });
    }
    this.#deps.onCodeRetired?.(keyPrefix.version(fn.id, version.seq));
  }

  // ---- aliases ------------------------------------------------------------------------------

  async createAlias(scope: Scope, namespace: string, functionName: string, input: AliasInput): Promise<AliasRecord> {
    const fn = await this.getFunction(scope, namespace, functionName);
    if (input.name === DEFAULT_ALIAS) {
      throw new QuiverError("AliasAlreadyExists", `Alias "${DEFAULT_ALIAS}" always exists; update it instead.`, { subject: "alias" });
    }
    const now = this.#deps.clock.now();
    const alias: AliasRecord = { functionId: fn.id, name: input.name, version: input.version, description: input.description, routing: input.routing, revision: 1, createdAt: now, updatedAt: now };
    return this.#deps.store.insertAlias(alias, input.maxAliases);
  }

  async getAlias(scope: Scope, namespace: string, functionName: string, name: string): Promise<{ fn: FunctionRecord; alias: AliasRecord }> {
    const fn = await this.getFunction(scope, namespace, functionName);
    const alias = (await this.#deps.store.getAlias(fn.id, name)) ?? (name === DEFAULT_ALIAS ? defaultAlias(fn) : null);
    if (!alias) throw new QuiverError("AliasNotFound", `Alias "${name}" of function "${functionName}" is not found.`, { subject: "alias" });
    return { fn, alias };
  }

  /** Every alias of the function; `$DEFAULT` (pointing at $LATEST until changed) comes first. */
  async listAliases(scope: Scope, namespace: string, functionName: string): Promise<{ fn: FunctionRecord; aliases: AliasRecord[] }> {
    const fn = await this.getFunction(scope, namespace, functionName);
    const stored = await this.#deps.store.listAliases(fn.id);
    const hasDefault = stored.some((a) => a.name === DEFAULT_ALIAS);
    return { fn, aliases: hasDefault ? stored : [defaultAlias(fn), ...stored] };
  }

  async updateAlias(scope: Scope, namespace: string, functionName: string, name: string, change: AliasChange): Promise<AliasRecord> {
    const fn = await this.getFunction(scope, namespace, functionName);
    const updated = await this.#deps.store.updateAlias(fn.id, name, change, this.#deps.clock.now(), name === DEFAULT_ALIAS);
    if (!updated) throw new QuiverError("AliasNotFound", `Alias "${name}" of function "${functionName}" is not found.`, { subject: "alias" });
    return updated;
  }

  async deleteAlias(scope: Scope, namespace: string, functionName: string, name: string): Promise<void> {
    if (name === DEFAULT_ALIAS) throw new QuiverError("AliasProtected", `Alias "${DEFAULT_ALIAS}" cannot be deleted.`, { subject: "alias" });
    const fn = await this.getFunction(scope, namespace, functionName);
    if (!(await this.#deps.store.deleteAlias(fn.id, name))) {
      throw new QuiverError("AliasNotFound", `Alias "${name}" of function "${functionName}" is not found.`, { subject: "alias" });
    }
    this.#deps.router.forget(fn.id, name);
  }

  // ---- invocation target --------------------------------------------------------------------

  /**
   * The one place a qualifier becomes the version that runs: `$LATEST`, a version name, or an
   * alias whose routing picks a version for this call. Alias rows are read on every call, so
   * a repointed alias takes effect for the very next invocation.
   */
  async resolveInvocation(scope: Scope, namespace: string, functionName: string, selector: InvokeSelector): Promise<ResolvedInvocation> {
    const fn = await this.getFunction(scope, namespace, functionName);
    const { qualifier } = selector;
    if (selector.aliasLookup !== "only") {
      if (qualifier === LATEST) return { fn, version: null, versionName: LATEST, alias: null, aliasRecord: null };
      const version = await this.#deps.store.getVersion(fn.id, qualifier);
      if (version) return { fn, version, versionName: version.name, alias: null, aliasRecord: null };
    }
    const alias = selector.aliasLookup === "never" ? null : ((await this.#deps.store.getAlias(fn.id, qualifier)) ?? (qualifier === DEFAULT_ALIAS ? defaultAlias(fn) : null));
    if (!alias) {
      throw new QuiverError("VersionNotFound", `Qualifier "${qualifier}" is neither a version nor an alias of function "${functionName}".`, { subject: "qualifier" });
    }
    const versionName = this.#deps.router.choose(alias, selector.headers, selector.routingKey);
    if (versionName === LATEST) return { fn, version: null, versionName, alias: alias.name, aliasRecord: alias };
    const version = await this.#deps.store.getVersion(fn.id, versionName);
    if (!version) throw new QuiverError("VersionNotFound", `Alias "${alias.name}" routes to version "${versionName}", which does not exist.`, { subject: "qualifier" });
    return { fn, version, versionName, alias: alias.name, aliasRecord: alias };
  }

  /** The stored zip of a code package. */
  readCode(sha256: string): Promise<Buffer> {
    return this.#deps.blobs.read(sha256);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

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

  async #storeCodeThenSettle(
    fn: FunctionRecord,
    code: CheckedCode,
    from: FunctionStatus,
    config: FunctionConfig,
  ): Promise<FunctionRecord> {
    const { store, blobs, clock } = this.#deps;
    try {
      await blobs.put(code.ref.sha256, code.bytes);
    } catch (cause) {
      await store.transitionFunction(fn.id, [from], { status: settleAfterFailedCodeWrite(from), statusReason: "code could not be stored", now: clock.now() });
      throw new QuiverError("Internal", "The code package could not be stored.", { cause });
    }
    const settled = await store.transitionFunction(fn.id, [from], {
      status: "Active",
      statusReason: "",
      code: code.ref,
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

function defaultAlias(fn: FunctionRecord): AliasRecord {
  return { functionId: fn.id, name: DEFAULT_ALIAS, version: LATEST, description: "", routing: { kind: "none" }, revision: 0, createdAt: fn.createdAt, updatedAt: fn.createdAt };
}
