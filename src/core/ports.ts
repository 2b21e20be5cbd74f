/**
 * The ports the core needs from the outside world. Implementations live in `src/store`,
 * `src/blobs` and `src/code`; the composition root (`src/server/app.ts`) wires them.
 */
import type { AliasRecord, AliasRouting } from "./aliases.js";
import type { ConcurrencyCap, FunctionConcurrency, ProvisionedConfig } from "./capacity.js";
import type { InvocationRecordStore } from "./invocation-records.js";
import type { HandlerConvention } from "./invoke.js";
import type { LayerDeletePolicy, LayerPublishPlan, LayerVersionRecord, ListLayersQuery } from "./layers.js";
import type {
  CodeRef,
  FunctionConfig,
  FunctionRecord,
  FunctionStatus,
  Namespace,
  Page,
  Scope,
  SortOrder,
  VersionRecord,
} from "./model.js";
import type { TriggerKind, TriggerRecord, TriggerSettings } from "./triggers.js";

export interface ListNamespacesQuery {
  readonly offset: number;
  readonly limit: number;
  readonly order: SortOrder;
  readonly orderBy: "name" | "updatedAt";
  readonly nameContains?: string;
  readonly descriptionContains?: string;
}

export interface ListFunctionsQuery {
  /** Absent: every namespace of the scope. */
  readonly namespace?: string;
  readonly nameContains?: string;
  readonly descriptionContains?: string;
  readonly offset: number;
  readonly limit: number;
  readonly order: SortOrder;
  readonly orderBy: "createdAt" | "updatedAt" | "name";
}

export interface ListVersionsQuery {
  readonly offset: number;
  readonly limit: number;
  readonly order: SortOrder;
  readonly orderBy: "createdAt" | "updatedAt";
}

export interface ListTriggersQuery {
  /** Only triggers bound to this qualifier. */
  readonly qualifier?: string;
  readonly kind?: TriggerKind;
  /** Case-sensitive substring filters. */
  readonly nameContains?: string;
  readonly descriptionContains?: string;
  readonly offset: number;
  readonly limit: number;
  readonly order: SortOrder;
  readonly orderBy: "createdAt" | "updatedAt";
}

/** What a trigger update may change; absent fields keep their value. The kind never changes. */
export interface TriggerPatch {
  readonly qualifier?: string;
  readonly enabled?: boolean;
  readonly description?: string;
  readonly settings?: TriggerSettings;
  readonly extras?: Readonly<Record<string, unknown>>;
  /** Refuse with TriggerStatusUnchanged when `enabled` is what the trigger already has (a status switch). */
  readonly mustSwitch?: boolean;
  readonly now: number;
}

/**
 * How a new version is named:
 * - `next-number`: the next unused number ("1", "2", …; SCF);
 * - `exact`: this name, or VersionAlreadyExists (FunctionGraph with `version`);
 * - `unique`: this base name, or `base-2`, `base-3`, … if taken (FunctionGraph's time-based default).
 */
export type VersionNaming =
  | { readonly kind: "next-number" }
  | { readonly kind: "exact"; readonly name: string }
  | { readonly kind: "unique"; readonly base: string };

/** What a publish asks of the store; the store checks and applies it in one atomic step. */
export interface PublishPlan {
  readonly naming: VersionNaming;
  readonly description: string;
  /** Published versions allowed per function (the head is not counted). */
  readonly maxVersions: number;
  /** When set, the function's current code must have this SHA-512 (FunctionGraph `digest`). */
  readonly expectedSha512: string | null;
  /**
   * A head that runs a hot-reload directory: the package its files were zipped into for this
   * publish (stored before the transaction), which the version keeps.
   */
  readonly snapshot?: CodeRef;
  readonly now: number;
}

export interface NewFunction {
  readonly id: string;
  readonly scope: Scope;
  readonly namespace: string;
  readonly name: string;
  readonly config: FunctionConfig;
  readonly now: number;
  /** Functions allowed per namespace. */
  readonly maxFunctions: number;
}

/** Fields a status transition may change together with the status. */
export interface FunctionPatch {
  readonly status: FunctionStatus;
  readonly statusReason?: string;
  readonly config?: FunctionConfig;
  /** A stored package for the head; it replaces a hot-reload directory. */
  readonly code?: CodeRef;
  /** A hot-reload directory for the head (absolute); it replaces the stored package. */
  readonly hotReloadDir?: string;
  /** When true the function revision is bumped (code or configuration changed). */
  readonly changed?: boolean;
  readonly now: number;
}

/**
 * Metadata persistence. Every method is atomic on its own; methods that must check and change
 * state together (publish, transitions, deletes) do so in one transaction, so two Quiver nodes
 * on one database stay correct.
 */
/**
 * Capacity settings (core/capacity.ts). Provisioned configs go with their version or alias: a
 * store deletes them with it (and with the function), so deleting either releases its instances.
 */
export interface CapacityStore {
  /**
   * Creates or replaces the config of (function, qualifier), holding a lock every capacity put
   * takes, after `decideProvisionedPut` (core/store-rules/capacity.ts) accepted it against every
   * other config. Throws FunctionNotFound, LatestProtected, VersionNotFound (subject qualifier)
   * or CapacityExceedsMachine, and ProvisionedOverReserved when the function's configs would
   * exceed its cap (read under the function's lock). A replaced config keeps its `createdAt`.
   */
  putProvisioned(config: ProvisionedConfig, machineInstances: number): Promise<ProvisionedConfig>;
  /** One function's configs (by qualifier), or every config of every account (null). */
  listProvisioned(functionId: string | null): Promise<ProvisionedConfig[]>;
  deleteProvisioned(functionId: string, qualifier: string): Promise<boolean>;
  /**
   * Sets (or with null removes) a function's concurrency cap. A cap in memory is checked with
   * `checkReservedPut` against the namespace's total (`defaultTotalMb` when none was put).
   * Under the function's lock, any cap must cover what the function's provisioned configs keep
   * (`checkCapCoversProvisioned`). Throws FunctionNotFound, ReservedOverTotal or ProvisionedOverReserved.
   */
  putConcurrencyCap(functionId: string, cap: ConcurrencyCap | null, defaultTotalMb: number): Promise<void>;
  /** Caps of one scope's functions, or of every scope (null). */
  listConcurrencyCaps(scope: Scope | null): Promise<FunctionConcurrency[]>;
  /** Sets a namespace's total concurrency memory, checked with `checkTotalPut`. Throws TotalBelowReserved. */
  putTotalConcurrency(scope: Scope, namespace: string, totalMb: number): Promise<void>;
  /** The totals put for the scope's namespaces. */
  listTotalConcurrency(scope: Scope): Promise<{ readonly namespace: string; readonly totalMb: number }[]>;
}

export interface MetadataStore extends InvocationRecordStore, CapacityStore {
  readonly kind: string;
  /**
   * Changes other processes make to functions, versions, aliases and triggers (several nodes on one
   * database); absent when this process is the only writer (SQLite).
   */
  readonly changes?: ChangeFeed;

  getNamespace(scope: Scope, name: string): Promise<Namespace | null>;
  /**
   * Creates the namespace unless it exists; returns false when it already existed. `quota`
   * bounds the namespaces created explicitly (CreateNamespace); null creates one implicitly
   * (the default namespace, a FunctionGraph package), which no quota counts.
   */
  insertNamespace(scope: Scope, ns: Namespace, quota: number | null): Promise<boolean>;
  updateNamespace(scope: Scope, name: string, description: string, now: number): Promise<boolean>;
  /** Throws NamespaceNotEmpty when functions remain; returns false when it did not exist. */
  deleteNamespace(scope: Scope, name: string): Promise<boolean>;
  listNamespaces(scope: Scope, query: ListNamespacesQuery): Promise<Page<Namespace>>;

  /** Inserts in status Creating. Throws FunctionAlreadyExists / FunctionLimitExceeded. */
  insertFunction(fn: NewFunction): Promise<FunctionRecord>;
  getFunction(scope: Scope, namespace: string, name: string): Promise<FunctionRecord | null>;
  getFunctionById(id: string): Promise<FunctionRecord | null>;
  listFunctions(scope: Scope, query: ListFunctionsQuery): Promise<Page<FunctionRecord>>;
  /**
   * Compare-and-set on the status: applies `patch` only if the function's status is one of
   * `from`. Returns the updated record, or null when the status did not match (or it is gone).
   */
  transitionFunction(id: string, from: readonly FunctionStatus[], patch: FunctionPatch): Promise<FunctionRecord | null>;
  /** Deletes the function with all its versions, aliases and triggers. Returns false when it did not exist. */
  deleteFunction(id: string): Promise<boolean>;
  /** Every function stuck in a transient status (after a crash), for recovery at start. */
  listTransient(): Promise<FunctionRecord[]>;

  /**
   * Publishes the function's current code and configuration as a new version.
   * Throws FunctionNotFound, FunctionStateConflict (status not Active), CodeDigestMismatch,
   * VersionLimitExceeded or VersionAlreadyExists.
   */
  publishVersion(functionId: string, plan: PublishPlan): Promise<VersionRecord>;
  getVersion(functionId: string, name: string): Promise<VersionRecord | null>;
  listVersions(functionId: string, query: ListVersionsQuery): Promise<Page<VersionRecord>>;
  countVersions(functionId: string): Promise<number>;
  /** Throws VersionInUse when an alias routes to the version, QualifierHasTriggers when a trigger is bound to it. */
  deleteVersion(functionId: string, name: string): Promise<boolean>;

  getAlias(functionId: string, name: string): Promise<AliasRecord | null>;
  listAliases(functionId: string): Promise<AliasRecord[]>;
  /**
   * Creates an alias after checking, in the same transaction, that its versions exist.
   * Throws AliasAlreadyExists, AliasLimitExceeded or VersionNotFound (subject aliasVersion).
   */
  insertAlias(alias: AliasRecord, maxAliases: number): Promise<AliasRecord>;
  /**
   * Replaces an alias's target and routing atomically (bumping its revision), after checking
   * the versions exist. With `upsert`, a missing alias is created. Null when it does not exist.
   */
  updateAlias(functionId: string, name: string, change: AliasChange, now: number, upsert: boolean): Promise<AliasRecord | null>;
  /** Throws QualifierHasTriggers when a trigger is bound to the alias. */
  deleteAlias(functionId: string, name: string): Promise<boolean>;

  /**
   * Creates a trigger, holding the function. Throws FunctionNotFound; VersionNotFound (subject
   * qualifier) unless the qualifier is $LATEST, a version, an alias or the implicit $DEFAULT;
   * TriggerAlreadyExists (name taken on the function); TriggerLimitExceeded (the function has
   * `maxPerKind` triggers of that kind); TriggerPathTaken (an APIG path taken in the scope).
   */
  insertTrigger(trigger: TriggerRecord, maxPerKind: number): Promise<TriggerRecord>;
  getTrigger(functionId: string, id: string): Promise<TriggerRecord | null>;
  getTriggerByName(functionId: string, name: string): Promise<TriggerRecord | null>;
  listTriggers(functionId: string, query: ListTriggersQuery): Promise<Page<TriggerRecord>>;
  /** Applies `patch`, re-checking a new qualifier and APIG path as an insert does. Null when the trigger does not exist. */
  updateTrigger(functionId: string, id: string, patch: TriggerPatch): Promise<TriggerRecord | null>;
  deleteTrigger(functionId: string, id: string): Promise<boolean>;
  /** Deletes the function's triggers bound to `qualifier` (null: every one); returns how many. */
  deleteTriggers(functionId: string, qualifier: string | null): Promise<number>;
  /** Every FunctionGraph APIG trigger of the scope (flavour `apig`), with its function. */
  findApigTriggers(scope: Scope): Promise<{ fn: FunctionRecord; trigger: TriggerRecord }[]>;

  /** Every enabled timer trigger of every scope, with its function and planned fire time (for the scheduler). */
  listTimers(): Promise<PlannedTimer[]>;
  /**
   * One step of a timer's schedule, in one transaction holding the trigger: applied only when
   * the trigger is still an enabled timer, unchanged since the scheduler read it, with the
   * planned fire time it read (core/store-rules/timers.ts). Then the plan moves to `nextFireAt`
   * and the fire's invocation, if any, is recorded with it. False when another node took the
   * step first or the trigger changed: nothing is written.
   */
  claimTimer(claim: TimerClaim): Promise<boolean>;

  insertAsyncInvocation(record: AsyncInvocationRecord): Promise<void>;
  finishAsyncInvocation(id: string, finish: AsyncFinish): Promise<void>;
  getAsyncInvocation(scope: Scope, id: string): Promise<AsyncInvocationRecord | null>;
  listAsyncInvocations(scope: Scope, functionId: string, limit: number): Promise<AsyncInvocationRecord[]>;
  /**
   * Publishes the next version of a layer (created with its first version), in one transaction
   * holding the scope's layers. Throws LayerLimitExceeded.
   */
  publishLayerVersion(plan: LayerPublishPlan): Promise<LayerVersionRecord>;
  getLayerVersion(scope: Scope, name: string, version: number): Promise<LayerVersionRecord | null>;
  /** A layer version by its id (FunctionGraph's dependency version id). */
  getLayerVersionById(scope: Scope, id: string): Promise<LayerVersionRecord | null>;
  /** The latest version of each layer of the scope, by name. */
  listLayers(scope: Scope, query: ListLayersQuery): Promise<Page<LayerVersionRecord>>;
  /** Every version of one layer, newest first (the layer by name, or by id). */
  listLayerVersions(scope: Scope, layer: { readonly name: string } | { readonly layerId: string }): Promise<LayerVersionRecord[]>;
  /**
   * Deletes one layer version; false when it does not exist. Throws LayerInUse when a function
   * head or version of the scope binds it and the policy refuses that.
   */
  deleteLayerVersion(scope: Scope, name: string, version: number, policy: LayerDeletePolicy): Promise<boolean>;
  /** SHA-256 of every code package a function head, a version, a layer version or a bound layer refers to. */
  referencedBlobs(): Promise<Set<string>>;
  /**
   * Claims, for this store's node to resume, accepted invocations that have not finished and
   * that no running node owns (the node that accepted one owns it while it runs). Each record
   * is returned to one caller once, so two nodes starting together never run it twice.
   * Oldest first.
   */
  listUnfinishedAsync(): Promise<AsyncInvocationRecord[]>;

  close(): Promise<void>;
}

/**
 * Tells a node which functions other nodes changed (their row, versions or aliases), so what
 * it cached of them is dropped. While `live` is false changes may be missed: nothing cached may
 * be trusted until it is live again (`reset` is called both when it is lost and when it is back).
 */
export interface ChangeFeed {
  readonly live: boolean;
  subscribe(listener: { changed(functionId: string): void; reset(): void }): void;
  /**
   * Resolves once this node has heard every change committed before the call (a barrier sent
   * after them, heard back). A node's write waits for it before it is acknowledged, so by then
   * the other nodes have been sent the change too.
   */
  settle(): Promise<void>;
}

/** An enabled timer trigger as the scheduler sees it. */
export interface PlannedTimer {
  readonly fn: FunctionRecord;
  readonly trigger: TriggerRecord;
  /**
   * The next fire time planned (epoch ms; `NEVER` from core/schedule.ts when it never fires
   * again), or null: not planned since the trigger was created or last changed (every update
   * of a trigger clears its plan).
   */
  readonly nextFireAt: number | null;
}

/** A step of a timer's schedule: the compare-and-set a store applies atomically (see `claimTimer`). */
export interface TimerClaim {
  readonly triggerId: string;
  /** The trigger's `updatedAt` as the scheduler read it: any change since loses the claim. */
  readonly seenUpdatedAt: number;
  /** The plan as the scheduler read it (null: unplanned). */
  readonly seenNextFireAt: number | null;
  /** The plan after this step. */
  readonly nextFireAt: number;
  /** The fire, recorded in the same transaction; null for a step that fires nothing (a plan, a skipped time). */
  readonly invocation: AsyncInvocationRecord | null;
}

export type AsyncStatus = "RUNNING" | "FINISHED" | "FAILED" | "ABORTED";

/** An accepted asynchronous invocation, kept durably until it has run (and afterwards, for status queries). */
export interface AsyncInvocationRecord {
  readonly id: string;
  readonly scope: Scope;
  readonly functionId: string;
  readonly namespace: string;
  readonly functionName: string;
  /** As the caller gave it. */
  readonly qualifier: string;
  /** What it resolved to when accepted; the run uses this version. */
  readonly versionName: string;
  readonly event: string;
  readonly convention: HandlerConvention;
  readonly contextValues: Readonly<Record<string, string>>;
  readonly status: AsyncStatus;
  readonly result: string;
  readonly error: { readonly kind: string; readonly message: string; readonly stack: string } | null;
  readonly log: string;
  readonly durationMs: number;
  readonly createdAt: number;
  readonly finishedAt: number | null;
}

export type AsyncFinish = Pick<AsyncInvocationRecord, "status" | "result" | "error" | "log" | "durationMs"> & { readonly finishedAt: number };

export interface AliasChange {
  readonly version: string;
  readonly description: string;
  readonly routing: AliasRouting;
}

/** Content-addressed code storage. */
export interface BlobStore {
  /** Stores the bytes durably under their SHA-256 (idempotent). */
  put(sha256: string, bytes: Buffer): Promise<void>;
  has(sha256: string): Promise<boolean>;
  read(sha256: string): Promise<Buffer>;
  /**
   * A local file with the blob's bytes, for runtimes that read it from disk: the stored file
   * itself, or a copy in this node's cache (verified against the digest) when blobs live elsewhere.
   */
  localFile(sha256: string): Promise<string>;
  /** Every stored blob with the time it was last written or reused. */
  list(): Promise<{ readonly sha256: string; readonly touchedAt: number }[]>;
  /** Removes a blob unless it was touched after `notAfter` (it is being reused); true if removed. */
  removeIfUntouchedSince(sha256: string, notAfter: number): Promise<boolean>;
  /** Releases connections, if the store holds any. */
  close?(): Promise<void>;
}

export interface ZipFacts {
  readonly entries: number;
  readonly unzippedSize: number;
  /** Names of the files at the archive's root (a web function's bootstrap must be one). */
  readonly rootFiles: readonly string[];
}

/** Checks that bytes are a safe zip archive. */
export interface CodeInspector {
  /** Throws CodeNotZip, CodeUnsafePath or CodeTooLarge. */
  inspect(zip: Buffer): Promise<ZipFacts>;
}

export interface Clock {
  now(): number;
}

/**
 * Host directories a function's head may run (hot reload). Off unless the server names a root;
 * every path is resolved (symbolic links included) and must lie under the root's real path.
 */
export interface HostDirectories {
  /**
   * The real path of an absolute directory under the root. Throws InvalidParameter (subject
   * codeSource) when hot reload is off, the path is relative, missing, not a directory, or
   * resolves outside the root.
   */
  resolve(dir: string): Promise<string>;
  /** The directory's current files as a zip (a publish's snapshot), after `resolve`. */
  zip(dir: string): Promise<Buffer>;
}

/** What one fire of a timer trigger delivers to its function. */
export interface TimerFire {
  /** The event as JSON text. */
  readonly event: string;
  readonly convention: HandlerConvention;
  readonly contextValues: Readonly<Record<string, string>>;
}

/**
 * Builds a timer trigger's fire for the time it is due (`fireTimeMs`, epoch ms): the event and
 * handler conventions of the dialect the trigger was created through (`settings.origin`). The
 * composition root wires it from the dialects; the core cannot import them.
 */
export type TimerEvents = (trigger: TriggerRecord, fn: FunctionRecord, fireTimeMs: number) => TimerFire;

export interface IdSource {
  uuid(): string;
}

/**
 * Request rates per key (dialect + account + action): takes one token at `ratePerSecond`,
 * bursting up to the rate; false when the caller is over it. Per node (in memory) or shared by
 * the nodes of a cluster (Redis).
 */
export interface TokenLimiter {
  take(key: string, ratePerSecond: number): boolean | Promise<boolean>;
}

/**
 * The ordinal (0, 1, 2, …) of this call among the weighted-routing calls of one alias
 * revision (`aliasKey` names the alias). Per node (in memory) or shared by a cluster (Redis),
 * which makes a weighted split exact across nodes.
 */
export interface SplitCounter {
  next(aliasKey: string, revision: number): number | Promise<number>;
  /** Forgets an alias's counter (it was deleted); a shared counter expires by itself. */
  forget(aliasKey: string): void;
}
