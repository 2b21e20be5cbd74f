import type { ConcurrencyCap, FunctionConcurrency, ProvisionedConfig, ProvisionedSettings } from "../core/capacity.js";
import type { FunctionConfig } from "../core/model.js";
import type { SizedProvisioned } from "../core/store-rules/index.js";

/**
 * Capacity rows shared by both stores (core/capacity.ts). JSON columns arrive as text from
 * SQLite and parsed (JSONB) from PostgreSQL. A provisioned config's row names its version or
 * its alias in the column of that kind, so the row goes when either is deleted (a foreign key
 * with ON DELETE CASCADE).
 */
export interface ProvisionedRow {
  function_id: string;
  qualifier: string;
  version_name: string | null;
  alias_name: string | null;
  settings: unknown;
  created_at: number;
  updated_at: number;
  account_id: string;
  region: string;
  namespace: string;
  function_name: string;
}

export interface CapRow {
  function_id: string;
  cap: unknown;
  account_id: string;
  region: string;
  namespace: string;
}

/** The columns a provisioned config's row has, in insert order. */
export function provisionedColumns(config: ProvisionedConfig): Record<string, unknown> {
  return {
    function_id: config.functionId,
    qualifier: config.qualifier,
    version_name: config.qualifierKind === "version" ? config.qualifier : null,
    alias_name: config.qualifierKind === "alias" ? config.qualifier : null,
    settings: JSON.stringify(config.settings),
    created_at: config.createdAt,
    updated_at: config.updatedAt,
  };
}

/** Selects provisioned rows with their function's names (append WHERE / ORDER BY). */
export const PROVISIONED_SELECT = `SELECT p.*, f.account_id, f.region, f.namespace, f.name AS function_name
  FROM provisioned_configs p JOIN functions f ON f.id = p.function_id`;

/** Selects cap rows with their function's scope and namespace. */
export const CAP_SELECT = `SELECT c.function_id, c.cap, f.account_id, f.region, f.namespace
  FROM concurrency_caps c JOIN functions f ON f.id = c.function_id`;

export function toProvisioned(row: ProvisionedRow): ProvisionedConfig {
  return {
    functionId: row.function_id,
    scope: { accountId: row.account_id, region: row.region },
    namespace: row.namespace,
    functionName: row.function_name,
    qualifier: row.qualifier,
    qualifierKind: row.version_name !== null ? "version" : "alias",
    settings: json<ProvisionedSettings>(row.settings),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toCap(row: CapRow): FunctionConcurrency {
  return { functionId: row.function_id, scope: { accountId: row.account_id, region: row.region }, namespace: row.namespace, cap: json<ConcurrencyCap>(row.cap) };
}

function json<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/**
 * A function's provisioned configs with the configuration of what each keeps instances of: its
 * version, or an alias's main version (the head's own when the alias names `$LATEST`), for the
 * memory of its instances (append WHERE on `p.function_id`).
 */
export const SIZED_PROVISIONED_SELECT = `SELECT p.qualifier, p.settings, COALESCE(v.config, f.config) AS kept_config
  FROM provisioned_configs p JOIN functions f ON f.id = p.function_id
  LEFT JOIN aliases a ON a.function_id = p.function_id AND a.name = p.alias_name
  LEFT JOIN versions v ON v.function_id = p.function_id AND v.name = COALESCE(p.version_name, a.version)`;

export interface SizedProvisionedRow {
  qualifier: string;
  settings: unknown;
  kept_config: unknown;
}

export function toSizedProvisioned(row: SizedProvisionedRow): SizedProvisioned {
  return { qualifier: row.qualifier, settings: json<ProvisionedSettings>(row.settings), memoryMb: memoryOf(row.kept_config) };
}

/** The memory (MB) a stored function or version configuration gives each instance; 0 when there is none. */
export function memoryOf(config: unknown): number {
  return config === null || config === undefined ? 0 : json<Pick<FunctionConfig, "memoryMb">>(config).memoryMb;
}
