import type { AliasRecord, AliasRouting } from "../../core/aliases.js";
import type { HandlerConvention } from "../../core/invoke.js";
import type { CodeRef, FunctionConfig, FunctionRecord, FunctionStatus, Namespace, VersionRecord } from "../../core/model.js";
import type { AsyncInvocationRecord, AsyncStatus } from "../../core/ports.js";

/**
 * Row shapes as `pg` returns them (JSONB already parsed, BIGINT as number: see driver.ts),
 * and their mapping to domain records.
 */
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
  config: FunctionConfig;
  code: CodeRef | null;
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
  config: FunctionConfig;
  code: CodeRef;
  source_revision: number;
  created_at: number;
}

export interface AliasRow {
  function_id: string;
  name: string;
  version: string;
  description: string;
  routing: AliasRouting;
  revision: number;
  created_at: number;
  updated_at: number;
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
  context: Record<string, string>;
  status: string;
  result: string;
  error: AsyncInvocationRecord["error"];
  log: string;
  duration_ms: number;
  created_at: number;
  finished_at: number | null;
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
    config: row.config,
    code: row.code,
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
    config: row.config,
    code: row.code,
    sourceRevision: row.source_revision,
    createdAt: row.created_at,
  };
}

export function toAlias(row: AliasRow): AliasRecord {
  return {
    functionId: row.function_id,
    name: row.name,
    version: row.version,
    description: row.description,
    routing: row.routing,
    revision: row.revision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
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
    contextValues: row.context,
    status: row.status as AsyncStatus,
    result: row.result,
    error: row.error,
    log: row.log,
    durationMs: row.duration_ms,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}
