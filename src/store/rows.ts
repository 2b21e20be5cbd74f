import type { AliasRecord, AliasRouting } from "../core/aliases.js";
import type { HandlerConvention } from "../core/invoke.js";
import type { AsyncInvocationRecord, AsyncStatus } from "../core/ports.js";
import type { LayerStatus, LayerVersionRecord } from "../core/layers.js";
import type { CodeRef, FunctionConfig, FunctionRecord, FunctionStatus, Namespace, RuntimeId, Scope, VersionRecord } from "../core/model.js";
import { SETTLED_STATUSES } from "../core/store-rules/statuses.js";
import { apigPath } from "../core/store-rules/triggers.js";
import type { TriggerRecord, TriggerSettings } from "../core/triggers.js";

/**
 * Row shapes shared by both stores, and their mapping to domain records. JSON columns arrive as
 * text from SQLite and already parsed (JSONB) from PostgreSQL; `json` accepts either. Every JSON
 * column holds an object or null, never a bare string, so a string is always text to parse.
 */
type JsonColumn = unknown;

function json<T>(value: JsonColumn): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}
export interface NamespaceRow {
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

export interface FunctionRow {
  id: string;
  account_id: string;
  region: string;
  namespace: string;
  name: string;
  status: string;
  status_reason: string;
  config: JsonColumn;
  code: JsonColumn;
  /** The head's hot-reload directory (migration 9 in SQLite, 5 in PostgreSQL); null: a stored package. */
  hot_reload_dir: string | null;
  revision: number;
  last_version_number: number;
  last_version_seq: number;
  version_count: number;
  created_at: number;
  updated_at: number;
}

export interface VersionRow {
  function_id: string;
  seq: number;
  name: string;
  description: string;
  config: JsonColumn;
  code: JsonColumn;
  source_revision: number;
  created_at: number;
}

export function toNamespace(row: NamespaceRow): Namespace {
  return { name: row.name, description: row.description, createdAt: row.created_at, updatedAt: row.updated_at };
}

export function toFunction(row: FunctionRow): FunctionRecord {
  return {
    id: row.id,
    scope: { accountId: row.account_id, region: row.region },
    namespace: row.namespace,
    name: row.name,
    status: row.status as FunctionStatus,
    statusReason: row.status_reason,
    config: json<FunctionConfig>(row.config),
    code: row.code === null ? null : json<CodeRef>(row.code),
    ...(row.hot_reload_dir === null ? {} : { hotReloadDir: row.hot_reload_dir }),
    revision: row.revision,
    lastVersionNumber: row.last_version_number,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toVersion(row: VersionRow): VersionRecord {
  return {
    functionId: row.function_id,
    name: row.name,
    seq: row.seq,
    description: row.description,
    config: json<FunctionConfig>(row.config),
    code: json<CodeRef>(row.code),
    sourceRevision: row.source_revision,
    createdAt: row.created_at,
  };
}

export interface AliasRow {
  function_id: string;
  name: string;
  version: string;
  description: string;
  routing: JsonColumn;
  revision: number;
  created_at: number;
  updated_at: number;
}

export function toAlias(row: AliasRow): AliasRecord {
  return {
    functionId: row.function_id,
    name: row.name,
    version: row.version,
    description: row.description,
    routing: json<AliasRouting>(row.routing),
    revision: row.revision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface AsyncRow {
  id: string;
  account_id: string;
  region: string;
  function_id: string;
  namespace: string;
  function_name: string;
  qualifier: string;
  version_name: string;
  event: string;
  convention: string;
  context: JsonColumn;
  status: string;
  result: string;
  error: JsonColumn;
  log: string;
  duration_ms: number;
  created_at: number;
  finished_at: number | null;
}

export function toAsync(row: AsyncRow): AsyncInvocationRecord {
  return {
    id: row.id,
    scope: { accountId: row.account_id, region: row.region },
    functionId: row.function_id,
    namespace: row.namespace,
    functionName: row.function_name,
    qualifier: row.qualifier,
    versionName: row.version_name,
    event: row.event,
    convention: row.convention as HandlerConvention,
    contextValues: json<Record<string, string>>(row.context),
    status: row.status as AsyncStatus,
    result: row.result,
    error: row.error === null ? null : json<AsyncInvocationRecord["error"]>(row.error),
    log: row.log,
    durationMs: row.duration_ms,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

export interface TriggerRow {
  id: string;
  function_id: string;
  name: string;
  qualifier: string;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  enabled: number | boolean;
  description: string;
  settings: JsonColumn;
  extras: JsonColumn;
  created_at: number;
  updated_at: number;
}

/** A trigger row with its timer plan (`timer_next_at`, null when unplanned). */
export interface TimerRow extends TriggerRow {
  timer_next_at: number | null;
}

export function toTrigger(row: TriggerRow): TriggerRecord {
  return {
    id: row.id,
    functionId: row.function_id,
    name: row.name,
    qualifier: row.qualifier,
    enabled: Boolean(row.enabled),
    description: row.description,
    settings: json<TriggerSettings>(row.settings),
    extras: json<Record<string, unknown>>(row.extras),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The rows of functions in a transient status, for recovery. Spelled with literals, exactly as
 * the partial index on `functions (status)` of both stores' migrations, so that the index serves it.
 */
export const TRANSIENT_CONDITION = `status NOT IN (${SETTLED_STATUSES.map((status) => `'${status}'`).join(", ")})`;

// ---- writing: the same tables, from domain records ------------------------------------------

/** A row to write, column name → value. JSON columns are text: PostgreSQL casts it to jsonb. */
export type Columns = Readonly<Record<string, unknown>>;

/** `INSERT INTO table (…) VALUES (…)` for these columns, in the store's placeholder syntax (`?`, `$1`). */
export function insertSql(table: string, columns: Columns, placeholder: (position: number) => string): string {
  const names = Object.keys(columns);
  return `INSERT INTO ${table} (${names.join(", ")}) VALUES (${names.map((_, i) => placeholder(i + 1)).join(", ")})`;
}

/** A new function's row: its record, and no versions yet. */
export function newFunctionColumns(fn: FunctionRecord): Columns {
  return {
    id: fn.id,
    account_id: fn.scope.accountId,
    region: fn.scope.region,
    namespace: fn.namespace,
    name: fn.name,
    status: fn.status,
    status_reason: fn.statusReason,
    config: JSON.stringify(fn.config),
    code: fn.code && JSON.stringify(fn.code),
    hot_reload_dir: fn.hotReloadDir ?? null,
    revision: fn.revision,
    last_version_number: fn.lastVersionNumber,
    last_version_seq: 0,
    version_count: 0,
    created_at: fn.createdAt,
    updated_at: fn.updatedAt,
  };
}

export function versionColumns(v: VersionRecord): Columns {
  return {
    function_id: v.functionId,
    seq: v.seq,
    name: v.name,
    description: v.description,
    config: JSON.stringify(v.config),
    code: JSON.stringify(v.code),
    source_revision: v.sourceRevision,
    created_at: v.createdAt,
  };
}

export function aliasColumns(a: AliasRecord): Columns {
  return {
    function_id: a.functionId,
    name: a.name,
    version: a.version,
    description: a.description,
    routing: JSON.stringify(a.routing),
    revision: a.revision,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

/** Appended to an alias insert, it replaces an existing alias of that name (keeping its creation time). */
export const ALIAS_UPSERT = `ON CONFLICT (function_id, name) DO UPDATE SET version = excluded.version, description = excluded.description,
  routing = excluded.routing, revision = excluded.revision, updated_at = excluded.updated_at`;

/**
 * A trigger's row. `kind` and `apig_path` repeat what `settings` says, for the queries: the
 * per-kind filter, and the unique index that keeps an APIG path to one trigger per scope.
 * `enabled` is 0/1, which SQLite binds and PostgreSQL reads as a boolean.
 */
export function triggerColumns(t: TriggerRecord, scope: Scope): Columns {
  return {
    id: t.id,
    function_id: t.functionId,
    account_id: scope.accountId,
    region: scope.region,
    name: t.name,
    kind: t.settings.kind,
    qualifier: t.qualifier,
    enabled: t.enabled ? 1 : 0,
    description: t.description,
    settings: JSON.stringify(t.settings),
    extras: JSON.stringify(t.extras),
    apig_path: apigPath(t.settings),
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

/**
 * Appended to a trigger insert, it replaces the trigger of that id (an update: function, name,
 * kind and creation time stay). A timer's plan is cleared: the scheduler plans it again from the
 * update (a changed schedule, a timer switched back on after missing fires while off).
 */
export const TRIGGER_UPSERT = `ON CONFLICT (id) DO UPDATE SET qualifier = excluded.qualifier, enabled = excluded.enabled, description = excluded.description,
  settings = excluded.settings, extras = excluded.extras, apig_path = excluded.apig_path, updated_at = excluded.updated_at, timer_next_at = NULL`;

/** An accepted invocation's row; `claimedBy` is the node that runs it. */
export function asyncColumns(r: AsyncInvocationRecord, claimedBy: string): Columns {
  return {
    id: r.id,
    account_id: r.scope.accountId,
    region: r.scope.region,
    function_id: r.functionId,
    namespace: r.namespace,
    function_name: r.functionName,
    qualifier: r.qualifier,
    version_name: r.versionName,
    event: r.event,
    convention: r.convention,
    context: JSON.stringify(r.contextValues),
    status: r.status,
    result: r.result,
    error: r.error && JSON.stringify(r.error),
    log: r.log,
    duration_ms: r.durationMs,
    created_at: r.createdAt,
    finished_at: r.finishedAt,
    claimed_by: claimedBy,
  };
}

// ---- layers ----------------------------------------------------------------------------------

export interface LayerVersionRow {
  id: string;
  layer_id: string;
  account_id: string;
  region: string;
  name: string;
  version: number | string;
  description: string;
  license: string;
  runtimes: JsonColumn;
  architecture: string;
  code: JsonColumn;
  md5: string;
  status: string;
  extras: JsonColumn;
  created_at: number | string;
}

export function toLayerVersion(row: LayerVersionRow): LayerVersionRecord {
  return {
    scope: { accountId: row.account_id, region: row.region },
    layerId: row.layer_id,
    id: row.id,
    name: row.name,
    // BIGINT columns arrive from PostgreSQL as strings.
    version: Number(row.version),
    description: row.description,
    license: row.license,
    compatibleRuntimes: json<RuntimeId[]>(row.runtimes),
    architecture: row.architecture,
    code: json<CodeRef>(row.code),
    md5: row.md5,
    status: row.status as LayerStatus,
    extras: json<Record<string, unknown>>(row.extras),
    createdAt: Number(row.created_at),
  };
}

export function layerVersionColumns(v: LayerVersionRecord): Columns {
  return {
    id: v.id,
    layer_id: v.layerId,
    account_id: v.scope.accountId,
    region: v.scope.region,
    name: v.name,
    version: v.version,
    description: v.description,
    license: v.license,
    // An array, not a string: `json` above still tells it from text to parse.
    runtimes: JSON.stringify(v.compatibleRuntimes),
    architecture: v.architecture,
    code: JSON.stringify(v.code),
    md5: v.md5,
    status: v.status,
    extras: JSON.stringify(v.extras),
    created_at: v.createdAt,
  };
}
