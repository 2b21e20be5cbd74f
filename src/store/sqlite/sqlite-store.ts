import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { AliasRecord } from "../../core/aliases.js";
import type { FunctionRecord, FunctionStatus, Namespace, Page, Scope, VersionRecord } from "../../core/model.js";
import type {
  AliasChange,
  AsyncFinish,
  AsyncInvocationRecord,
  FunctionPatch,
  ListFunctionsQuery,
  ListNamespacesQuery,
  ListTriggersQuery,
  ListVersionsQuery,
  MetadataStore,
  NewFunction,
  PlannedTimer,
  PublishPlan,
  TimerClaim,
  TriggerPatch,
} from "../../core/ports.js";
import type { LayerDeletePolicy, LayerPublishPlan, LayerVersionRecord, ListLayersQuery } from "../../core/layers.js";
import type { TriggerRecord } from "../../core/triggers.js";
import * as rules from "../../core/store-rules/index.js";
import type { InvocationBucket, InvocationRecord, RecordQuery } from "../../core/invocation-records.js";
import type { ConcurrencyCap, FunctionConcurrency, ProvisionedConfig } from "../../core/capacity.js";
import { CAP_SELECT, memoryOf, PROVISIONED_SELECT, provisionedColumns, SIZED_PROVISIONED_SELECT, toCap, toProvisioned, toSizedProvisioned, type CapRow, type ProvisionedRow, type SizedProvisionedRow } from "../capacity-rows.js";
import { MIGRATIONS } from "./migrations.js";
import { SqliteRecordWriter } from "./records-writer.js";
import { ERROR_CODES_SQL, PRUNE_BATCH, recordOrder, recordWhere, rowsOverBudget, toBucket, toRecord, type BucketRow, type RecordRow } from "../record-rows.js";
import { layerVersionColumns, toLayerVersion, type LayerVersionRow } from "../rows.js";
import { toAlias, toAsync, toFunction, toNamespace, toTrigger, toVersion, type AliasRow, type AsyncRow, type FunctionRow, type NamespaceRow, type TimerRow, type TriggerRow, type VersionRow } from "../rows.js";
import { aliasColumns, ALIAS_UPSERT, asyncColumns, insertSql, newFunctionColumns, TRANSIENT_CONDITION, triggerColumns, TRIGGER_UPSERT, versionColumns, type Columns } from "../rows.js";

type Db = Database.Database;

/**
 * The embedded default store: one SQLite file in WAL mode with `synchronous = FULL`, so every
 * committed write survives a crash or `kill -9`. better-sqlite3 is synchronous, and one
 * process owns the file, so each method's transaction (`BEGIN IMMEDIATE`: the write lock) runs
 * without interleaving. The decisions are the shared store rules (`core/store-rules`).
 */
export class SqliteStore implements MetadataStore {
  readonly kind = "sqlite";
  readonly #db: Db;
  /** Prepared once, reused: compiling a statement costs more than running these small queries. */
  readonly #statements = new Map<string, Database.Statement>();
  /** This instance; invocations it accepted are its own, others' are a previous run's. */
  readonly #nodeId = randomUUID();

  readonly #file: string;
  #records: SqliteRecordWriter | null = null;

  constructor(file: string) {
    this.#file = file;
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.#db = new Database(file);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    this.#db.pragma("foreign_keys = ON");
    this.#db.pragma("busy_timeout = 5000");
    migrate(this.#db);
  }

  // ---- namespaces ---------------------------------------------------------------------------

  async getNamespace(scope: Scope, name: string): Promise<Namespace | null> {
    const row = this.#sql<[string, string, string], NamespaceRow>("SELECT * FROM namespaces WHERE account_id = ? AND region = ? AND name = ?")
      .get(scope.accountId, scope.region, name);
    return row ? toNamespace(row) : null;
  }

  async insertNamespace(scope: Scope, ns: Namespace, quota: number | null): Promise<boolean> {
    return this.#db.transaction(() => {
      const explicitCount = this.#count("SELECT count(*) AS n FROM namespaces WHERE account_id = ? AND region = ? AND implicit = 0", scope.accountId, scope.region);
      if (!rules.decideNamespaceInsert({ exists: this.#namespaceExists(scope, ns.name), explicitCount }, quota)) return false;
      this.#sql("INSERT INTO namespaces (account_id, region, name, description, created_at, updated_at, implicit) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .run(scope.accountId, scope.region, ns.name, ns.description, ns.createdAt, ns.updatedAt, quota === null ? 1 : 0);
      return true;
    }).immediate();
  }

  async updateNamespace(scope: Scope, name: string, description: string, now: number): Promise<boolean> {
    const info = this.#sql("UPDATE namespaces SET description = ?, updated_at = ? WHERE account_id = ? AND region = ? AND name = ?")
      .run(description, now, scope.accountId, scope.region, name);
    return info.changes > 0;
  }

  async deleteNamespace(scope: Scope, name: string): Promise<boolean> {
    return this.#db.transaction(() => {
      const hasFunctions = this.#sql("SELECT 1 FROM functions WHERE account_id = ? AND region = ? AND namespace = ? LIMIT 1").get(scope.accountId, scope.region, name) !== undefined;
      if (!rules.decideNamespaceDelete(name, { exists: this.#namespaceExists(scope, name), hasFunctions })) return false;
      this.#sql("DELETE FROM namespaces WHERE account_id = ? AND region = ? AND name = ?").run(scope.accountId, scope.region, name);
      return true;
    }).immediate();
  }

  async listNamespaces(scope: Scope, q: ListNamespacesQuery): Promise<Page<Namespace>> {
    const where = ["account_id = ?", "region = ?"];
    const args: unknown[] = [scope.accountId, scope.region];
    if (q.nameContains) {
      where.push("instr(name, ?) > 0");
      args.push(q.nameContains);
    }
    if (q.descriptionContains) {
      where.push("instr(description, ?) > 0");
      args.push(q.descriptionContains);
    }
    const column = q.orderBy === "name" ? "name" : "updated_at";
    return this.#page<NamespaceRow, Namespace>("namespaces", where, args, `${column} ${q.order}, name ${q.order}`, q, toNamespace);
  }

  #namespaceExists(scope: Scope, name: string): boolean {
    return this.#sql("SELECT 1 FROM namespaces WHERE account_id = ? AND region = ? AND name = ?").get(scope.accountId, scope.region, name) !== undefined;
  }

  // ---- functions ----------------------------------------------------------------------------

  async insertFunction(fn: NewFunction): Promise<FunctionRecord> {
    return this.#db.transaction(() => {
      const { scope } = fn;
      const record = rules.decideFunctionInsert(fn, {
        nameTaken: this.#functionRow(scope, fn.namespace, fn.name) !== undefined,
        count: this.#count("SELECT count(*) AS n FROM functions WHERE account_id = ? AND region = ? AND namespace = ?", scope.accountId, scope.region, fn.namespace),
      });
      this.#insert("functions", newFunctionColumns(record));
      return record;
    }).immediate();
  }

  async getFunction(scope: Scope, namespace: string, name: string): Promise<FunctionRecord | null> {
    const row = this.#functionRow(scope, namespace, name);
    return row ? toFunction(row) : null;
  }

  async getFunctionById(id: string): Promise<FunctionRecord | null> {
    const row = this.#functionById(id);
    return row ? toFunction(row) : null;
  }

  async listFunctions(scope: Scope, q: ListFunctionsQuery): Promise<Page<FunctionRecord>> {
    const where = ["account_id = ?", "region = ?"];
    const args: unknown[] = [scope.accountId, scope.region];
    if (q.namespace !== undefined) {
      where.push("namespace = ?");
      args.push(q.namespace);
    }
    if (q.nameContains) {
      where.push("instr(lower(name), lower(?)) > 0");
      args.push(q.nameContains);
    }
    if (q.descriptionContains) {
      where.push("instr(lower(json_extract(config, '$.description')), lower(?)) > 0");
      args.push(q.descriptionContains);
    }
    const column = { createdAt: "created_at", updatedAt: "updated_at", name: "name" }[q.orderBy];
    return this.#page<FunctionRow, FunctionRecord>("functions", where, args, `${column} ${q.order}, id ${q.order}`, q, toFunction);
  }

  async transitionFunction(id: string, from: readonly FunctionStatus[], patch: FunctionPatch): Promise<FunctionRecord | null> {
    return this.#db.transaction(() => {
      const row = this.#functionById(id);
      const next = row ? rules.decideTransition(toFunction(row), from, patch) : null;
      if (next) {
        this.#sql("UPDATE functions SET status = ?, status_reason = ?, config = ?, code = ?, hot_reload_dir = ?, revision = ?, updated_at = ? WHERE id = ?")
          .run(next.status, next.statusReason, JSON.stringify(next.config), next.code && JSON.stringify(next.code), next.hotReloadDir ?? null, next.revision, next.updatedAt, id);
      }
      return next;
    }).immediate();
  }

  async deleteFunction(id: string): Promise<boolean> {
    return this.#sql("DELETE FROM functions WHERE id = ?").run(id).changes > 0;
  }

  async listTransient(): Promise<FunctionRecord[]> {
    return this.#sql<[], FunctionRow>(`SELECT * FROM functions WHERE ${TRANSIENT_CONDITION} ORDER BY created_at, id`).all().map(toFunction);
  }

  #functionRow(scope: Scope, namespace: string, name: string): FunctionRow | undefined {
    return this.#sql<[string, string, string, string], FunctionRow>("SELECT * FROM functions WHERE account_id = ? AND region = ? AND namespace = ? AND name = ?")
      .get(scope.accountId, scope.region, namespace, name);
  }

  #functionById(id: string): FunctionRow | undefined {
    return this.#sql<[string], FunctionRow>("SELECT * FROM functions WHERE id = ?").get(id);
  }

  // ---- versions -----------------------------------------------------------------------------

  async publishVersion(functionId: string, plan: PublishPlan): Promise<VersionRecord> {
    return this.#db.transaction(() => {
      const row = rules.requireFunction(this.#functionById(functionId));
      const state = { fn: toFunction(row), versionCount: row.version_count, lastSeq: row.last_version_seq };
      const { version: v, lastVersionNumber } = rules.decidePublish(state, plan, (name) => this.#versionExists(functionId, name));
      this.#insert("versions", versionColumns(v));
      this.#sql("UPDATE functions SET last_version_number = ?, last_version_seq = ?, version_count = version_count + 1 WHERE id = ?")
        .run(lastVersionNumber, v.seq, functionId);
      return v;
    }).immediate();
  }

  async getVersion(functionId: string, name: string): Promise<VersionRecord | null> {
    const row = this.#sql<[string, string], VersionRow>("SELECT * FROM versions WHERE function_id = ? AND name = ?").get(functionId, name);
    return row ? toVersion(row) : null;
  }

  async listVersions(functionId: string, q: ListVersionsQuery): Promise<Page<VersionRecord>> {
    // Versions never change after publish, so creation order (seq) is also modification order.
    return this.#page<VersionRow, VersionRecord>("versions", ["function_id = ?"], [functionId], `seq ${q.order}`, q, toVersion);
  }

  async countVersions(functionId: string): Promise<number> {
    const row = this.#sql<[string], { n: number }>("SELECT version_count AS n FROM functions WHERE id = ?").get(functionId);
    return row?.n ?? 0;
  }

  async deleteVersion(functionId: string, name: string): Promise<boolean> {
    return this.#db.transaction(() => {
      rules.checkVersionDeletable(name, this.#aliases(functionId));
      rules.checkQualifierUnbound("version", name, this.#triggersBoundTo(functionId, name));
      const deleted = this.#sql("DELETE FROM versions WHERE function_id = ? AND name = ?").run(functionId, name).changes > 0;
      if (deleted) this.#sql("UPDATE functions SET version_count = version_count - 1 WHERE id = ?").run(functionId);
      return deleted;
    }).immediate();
  }

  // ---- aliases ------------------------------------------------------------------------------

  async getAlias(functionId: string, name: string): Promise<AliasRecord | null> {
    return this.#alias(functionId, name);
  }

  async listAliases(functionId: string): Promise<AliasRecord[]> {
    return this.#aliases(functionId);
  }

  async insertAlias(alias: AliasRecord, maxAliases: number): Promise<AliasRecord> {
    return this.#db.transaction(() => {
      rules.requireFunction(this.#functionById(alias.functionId));
      const state = { aliases: this.#aliases(alias.functionId), versions: this.#existingVersions(alias.functionId, rules.versionsRoutedBy(alias)) };
      rules.checkAliasInsert(alias, state, maxAliases);
      this.#insert("aliases", aliasColumns(alias));
      return alias;
    }).immediate();
  }

  async updateAlias(functionId: string, name: string, change: AliasChange, now: number, upsert: boolean): Promise<AliasRecord | null> {
    return this.#db.transaction(() => {
      rules.requireFunction(this.#functionById(functionId));
      const state = { current: this.#alias(functionId, name), versions: this.#existingVersions(functionId, rules.versionsRoutedBy(change)) };
      const next = rules.decideAliasUpdate({ functionId, name, change, now, upsert }, state);
      if (!next) return null;
      this.#insert("aliases", aliasColumns(next), ALIAS_UPSERT);
      return next;
    }).immediate();
  }

  async deleteAlias(functionId: string, name: string): Promise<boolean> {
    return this.#db.transaction(() => {
      if (this.#alias(functionId, name) === null) return false;
      rules.checkQualifierUnbound("alias", name, this.#triggersBoundTo(functionId, name));
      return this.#sql("DELETE FROM aliases WHERE function_id = ? AND name = ?").run(functionId, name).changes > 0;
    }).immediate();
  }

  #alias(functionId: string, name: string): AliasRecord | null {
    const row = this.#sql<[string, string], AliasRow>("SELECT * FROM aliases WHERE function_id = ? AND name = ?").get(functionId, name);
    return row ? toAlias(row) : null;
  }

  #aliases(functionId: string): AliasRecord[] {
    return this.#sql<[string], AliasRow>("SELECT * FROM aliases WHERE function_id = ? ORDER BY created_at, name").all(functionId).map(toAlias);
  }

  #versionExists(functionId: string, name: string): boolean {
    return this.#sql("SELECT 1 FROM versions WHERE function_id = ? AND name = ?").get(functionId, name) !== undefined;
  }

  #existingVersions(functionId: string, names: readonly string[]): Set<string> {
    return new Set(names.filter((name) => this.#versionExists(functionId, name)));
  }

  // ---- triggers -----------------------------------------------------------------------------

  async insertTrigger(trigger: TriggerRecord, maxPerKind: number): Promise<TriggerRecord> {
    return this.#db.transaction(() => {
      const fn = toFunction(rules.requireFunction(this.#functionById(trigger.functionId)));
      const state = {
        triggers: this.#triggers(fn.id),
        qualifier: this.#qualifierFacts(fn.id, trigger.qualifier),
        pathHolder: this.#apigPathHolder(fn, rules.apigPath(trigger.settings)),
      };
      rules.checkTriggerInsert(trigger, state, maxPerKind);
      this.#insert("triggers", triggerColumns(trigger, fn.scope));
      return trigger;
    }).immediate();
  }

  async getTrigger(functionId: string, id: string): Promise<TriggerRecord | null> {
    return this.#trigger(functionId, id);
  }

  async getTriggerByName(functionId: string, name: string): Promise<TriggerRecord | null> {
    const row = this.#sql<[string, string], TriggerRow>("SELECT * FROM triggers WHERE function_id = ? AND name = ?").get(functionId, name);
    return row ? toTrigger(row) : null;
  }

  async listTriggers(functionId: string, q: ListTriggersQuery): Promise<Page<TriggerRecord>> {
    const where = ["function_id = ?"];
    const args: unknown[] = [functionId];
    const filters: [string, string | undefined][] = [
      ["qualifier = ?", q.qualifier],
      ["kind = ?", q.kind],
      ["instr(name, ?) > 0", q.nameContains || undefined],
      ["instr(description, ?) > 0", q.descriptionContains || undefined],
    ];
    for (const [condition, value] of filters) {
      if (value === undefined) continue;
      where.push(condition);
      args.push(value);
    }
    const column = q.orderBy === "createdAt" ? "created_at" : "updated_at";
    return this.#page<TriggerRow, TriggerRecord>("triggers", where, args, `${column} ${q.order}, name ${q.order}`, q, toTrigger);
  }

  async updateTrigger(functionId: string, id: string, patch: TriggerPatch): Promise<TriggerRecord | null> {
    return this.#db.transaction(() => {
      const fn = toFunction(rules.requireFunction(this.#functionById(functionId)));
      const current = this.#trigger(functionId, id);
      const state = {
        current,
        qualifier: this.#qualifierFacts(functionId, patch.qualifier),
        pathHolder: this.#apigPathHolder(fn, rules.apigPathAfter(patch, current)),
      };
      const next = rules.decideTriggerUpdate(patch, state);
      if (next) this.#insert("triggers", triggerColumns(next, fn.scope), TRIGGER_UPSERT);
      return next;
    }).immediate();
  }

  async deleteTrigger(functionId: string, id: string): Promise<boolean> {
    return this.#sql("DELETE FROM triggers WHERE function_id = ? AND id = ?").run(functionId, id).changes > 0;
  }

  async deleteTriggers(functionId: string, qualifier: string | null): Promise<number> {
    if (qualifier === null) return this.#sql("DELETE FROM triggers WHERE function_id = ?").run(functionId).changes;
    return this.#sql("DELETE FROM triggers WHERE function_id = ? AND qualifier = ?").run(functionId, qualifier).changes;
  }

  async findApigTriggers(scope: Scope): Promise<{ fn: FunctionRecord; trigger: TriggerRecord }[]> {
    const rows = this.#sql<[string, string], TriggerRow>("SELECT * FROM triggers WHERE account_id = ? AND region = ? AND apig_path IS NOT NULL ORDER BY apig_path")
      .all(scope.accountId, scope.region);
    return rows.flatMap((row) => {
      const fn = this.#functionById(row.function_id);
      return fn ? [{ fn: toFunction(fn), trigger: toTrigger(row) }] : [];
    });
  }

  async listTimers(): Promise<PlannedTimer[]> {
    const rows = this.#sql<[], TimerRow>("SELECT * FROM triggers WHERE kind = 'timer' AND enabled = 1 ORDER BY created_at, id").all();
    return rows.flatMap((row) => {
      const fn = this.#functionById(row.function_id);
      return fn ? [{ fn: toFunction(fn), trigger: toTrigger(row), nextFireAt: row.timer_next_at }] : [];
    });
  }

  async claimTimer(claim: TimerClaim): Promise<boolean> {
    return this.#db.transaction(() => {
      const row = this.#sql<[string], TimerRow>("SELECT * FROM triggers WHERE id = ?").get(claim.triggerId);
      if (!rules.decideTimerClaim(claim, row ? { trigger: toTrigger(row), nextFireAt: row.timer_next_at } : null)) return false;
      this.#sql("UPDATE triggers SET timer_next_at = ? WHERE id = ?").run(claim.nextFireAt, claim.triggerId);
      if (claim.invocation) this.#insert("async_invocations", asyncColumns(claim.invocation, this.#nodeId));
      return true;
    }).immediate();
  }

  #trigger(functionId: string, id: string): TriggerRecord | null {
    const row = this.#sql<[string, string], TriggerRow>("SELECT * FROM triggers WHERE function_id = ? AND id = ?").get(functionId, id);
    return row ? toTrigger(row) : null;
  }

  #triggers(functionId: string): TriggerRecord[] {
    return this.#sql<[string], TriggerRow>("SELECT * FROM triggers WHERE function_id = ? ORDER BY created_at, name").all(functionId).map(toTrigger);
  }

  #triggersBoundTo(functionId: string, qualifier: string): TriggerRecord[] {
    return this.#sql<[string, string], TriggerRow>("SELECT * FROM triggers WHERE function_id = ? AND qualifier = ? ORDER BY created_at, name").all(functionId, qualifier).map(toTrigger);
  }

  #qualifierFacts(functionId: string, qualifier: string | undefined): rules.QualifierFacts {
    if (qualifier === undefined || !rules.qualifierNeedsLookup(qualifier)) return { isVersion: false, isAlias: false };
    return { isVersion: this.#versionExists(functionId, qualifier), isAlias: this.#alias(functionId, qualifier) !== null };
  }

  #apigPathHolder(fn: FunctionRecord, path: string | null): TriggerRecord | null {
    if (path === null) return null;
    const row = this.#sql<[string, string, string], TriggerRow>("SELECT * FROM triggers WHERE account_id = ? AND region = ? AND apig_path = ?").get(fn.scope.accountId, fn.scope.region, path);
    return row ? toTrigger(row) : null;
  }

  // ---- async invocations -----------------------------------------------------------------

  async insertAsyncInvocation(r: AsyncInvocationRecord): Promise<void> {
    this.#insert("async_invocations", asyncColumns(r, this.#nodeId));
  }

  async finishAsyncInvocation(id: string, f: AsyncFinish): Promise<void> {
    this.#sql("UPDATE async_invocations SET status = ?, result = ?, error = ?, log = ?, duration_ms = ?, finished_at = ? WHERE id = ?")
      .run(f.status, f.result, f.error ? JSON.stringify(f.error) : null, f.log, f.durationMs, f.finishedAt, id);
  }

  async getAsyncInvocation(scope: Scope, id: string): Promise<AsyncInvocationRecord | null> {
    const row = this.#sql<[string, string, string], AsyncRow>("SELECT * FROM async_invocations WHERE id = ? AND account_id = ? AND region = ?").get(id, scope.accountId, scope.region);
    return row ? toAsync(row) : null;
  }

  async listAsyncInvocations(scope: Scope, functionId: string, limit: number): Promise<AsyncInvocationRecord[]> {
    return this.#sql<[string, string, string, number], AsyncRow>("SELECT * FROM async_invocations WHERE function_id = ? AND account_id = ? AND region = ? ORDER BY created_at DESC LIMIT ?")
      .all(functionId, scope.accountId, scope.region, limit)
      .map(toAsync);
  }

  async referencedBlobs(): Promise<Set<string>> {
    const rows = this.#sql<[], { s: string | null }>(REFERENCED_BLOBS).all();
    return new Set(rows.map((row) => row.s).filter((s): s is string => s !== null));
  }

  async listUnfinishedAsync(): Promise<AsyncInvocationRecord[]> {
    // One process owns the file, so an unfinished invocation this instance did not accept or
    // claim belongs to a previous run. Claiming it makes a second call return it no more.
    return this.#sql<[string, string], AsyncRow>("UPDATE async_invocations SET claimed_by = ? WHERE status = 'RUNNING' AND claimed_by IS NOT ? RETURNING *")
      .all(this.#nodeId, this.#nodeId)
      .map(toAsync)
      .sort(rules.acceptanceOrder);
  }

  // ---- layers -------------------------------------------------------------------------------

  async publishLayerVersion(plan: LayerPublishPlan): Promise<LayerVersionRecord> {
    return this.#db.transaction(() => {
      const { scope } = plan;
      const layer = this.#sql<[string, string, string], { id: string; last_version: number }>("SELECT id, last_version FROM layers WHERE account_id = ? AND region = ? AND name = ?")
        .get(scope.accountId, scope.region, plan.name);
      const record = rules.decideLayerPublish({
        layer: layer ? { id: layer.id, lastVersion: layer.last_version } : null,
        versionCount: this.#count("SELECT count(*) AS n FROM layer_versions WHERE account_id = ? AND region = ? AND name = ?", scope.accountId, scope.region, plan.name),
        layerCount: this.#count("SELECT count(DISTINCT name) AS n FROM layer_versions WHERE account_id = ? AND region = ?", scope.accountId, scope.region),
      }, plan);
      this.#sql("INSERT INTO layers (account_id, region, name, id, last_version) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, region, name) DO UPDATE SET last_version = excluded.last_version")
        .run(scope.accountId, scope.region, plan.name, record.layerId, record.version);
      this.#insert("layer_versions", layerVersionColumns(record));
      return record;
    }).immediate();
  }

  async getLayerVersion(scope: Scope, name: string, version: number): Promise<LayerVersionRecord | null> {
    const row = this.#sql<[string, string, string, number], LayerVersionRow>("SELECT * FROM layer_versions WHERE account_id = ? AND region = ? AND name = ? AND version = ?")
      .get(scope.accountId, scope.region, name, version);
    return row ? toLayerVersion(row) : null;
  }

  async getLayerVersionById(scope: Scope, id: string): Promise<LayerVersionRecord | null> {
    const row = this.#sql<[string, string, string], LayerVersionRow>("SELECT * FROM layer_versions WHERE account_id = ? AND region = ? AND id = ?").get(scope.accountId, scope.region, id);
    return row ? toLayerVersion(row) : null;
  }

  async listLayers(scope: Scope, q: ListLayersQuery): Promise<Page<LayerVersionRecord>> {
    const where = ["v.account_id = ?", "v.region = ?", "v.version = (SELECT max(w.version) FROM layer_versions w WHERE w.account_id = v.account_id AND w.region = v.region AND w.name = v.name)"];
    const args: unknown[] = [scope.accountId, scope.region];
    if (q.nameContains) {
      where.push("instr(v.name, ?) > 0");
      args.push(q.nameContains);
    }
    if (q.runtime) {
      where.push("EXISTS (SELECT 1 FROM json_each(v.runtimes) r WHERE json_extract(r.value, '$.family') = ? AND json_extract(r.value, '$.version') = ?)");
      args.push(q.runtime.family, q.runtime.version);
    }
    return this.#page<LayerVersionRow, LayerVersionRecord>("layer_versions v", where, args, "v.name", q, toLayerVersion);
  }

  async listLayerVersions(scope: Scope, layer: { readonly name: string } | { readonly layerId: string }): Promise<LayerVersionRecord[]> {
    const [column, value] = "name" in layer ? ["name", layer.name] : ["layer_id", layer.layerId];
    return this.#sql<[string, string, string], LayerVersionRow>(`SELECT * FROM layer_versions WHERE account_id = ? AND region = ? AND ${column} = ? ORDER BY version DESC`)
      .all(scope.accountId, scope.region, value)
      .map(toLayerVersion);
  }

  async deleteLayerVersion(scope: Scope, name: string, version: number, policy: LayerDeletePolicy): Promise<boolean> {
    return this.#db.transaction(() => {
      const row = this.#sql<[string, string, string, number], { id: string }>("SELECT id FROM layer_versions WHERE account_id = ? AND region = ? AND name = ? AND version = ?")
        .get(scope.accountId, scope.region, name, version);
      const inUse = row !== undefined && this.#sql<string[], { used: number }>(LAYER_IN_USE).get(scope.accountId, scope.region, row.id, scope.accountId, scope.region, row.id)?.used === 1;
      if (!rules.decideLayerDelete(name, version, { exists: row !== undefined, inUse }, policy) || row === undefined) return false;
      this.#sql("DELETE FROM layer_versions WHERE id = ?").run(row.id);
      return true;
    }).immediate();
  }

  // ---- invocation records ----------------------------------------------------------------

  async insertInvocationRecords(records: readonly InvocationRecord[]): Promise<void> {
    if (records.length === 0) return;
    // Off the server's thread (records-writer.ts); the writer is started on first use.
    this.#records ??= new SqliteRecordWriter(this.#file);
    await this.#records.insert(records);
  }

  async queryInvocationRecords(scope: Scope, q: RecordQuery): Promise<Page<InvocationRecord>> {
    const { where, args } = recordWhere(scope, q, () => "?");
    return this.#page<RecordRow, InvocationRecord>("invocation_records", [where], args, recordOrder(q), q, toRecord);
  }

  async invocationBuckets(scope: Scope, functionId: string, from: number, to: number, bucketMs: number): Promise<InvocationBucket[]> {
    const start = Math.floor(from);
    const size = Math.max(1, Math.floor(bucketMs));
    const rows = this.#sql<unknown[], BucketRow>(
      `SELECT (started_at - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS b, count(*) AS n,
              sum(result_code IN (${ERROR_CODES_SQL})) AS errors, sum(result_code = 'throttled') AS throttles,
              sum(duration_ms) AS dsum, min(duration_ms) AS dmin, max(duration_ms) AS dmax
         FROM invocation_records
        WHERE account_id = ? AND region = ? AND function_id = ? AND started_at >= ? AND started_at < ?
        GROUP BY b ORDER BY b`,
    ).all(start, size, scope.accountId, scope.region, functionId, start, to);
    return rows.map((row) => toBucket(row, start, size));
  }

  async pruneInvocationRecords(olderThan: number, maxBytes: number): Promise<number> {
    // better-sqlite3 runs on this thread: small batches, yielding between them, keep the
    // server answering while a large backlog goes.
    let removed = 0;
    for (;;) {
      const n = this.#sql("DELETE FROM invocation_records WHERE rowid IN (SELECT rowid FROM invocation_records WHERE started_at < ? ORDER BY started_at LIMIT ?)")
        .run(olderThan, PRUNE_BATCH).changes;
      removed += n;
      if (n < PRUNE_BATCH) break;
      await yieldToEvents();
    }
    for (;;) {
      const total = this.#count("SELECT total AS n FROM record_bytes WHERE id = 1");
      if (total <= maxBytes) break;
      const oldest = this.#sql<[number], { rowid: number; size_bytes: number }>("SELECT rowid, size_bytes FROM invocation_records ORDER BY started_at LIMIT ?").all(PRUNE_BATCH);
      const n = rowsOverBudget(oldest.map((row) => row.size_bytes), total, maxBytes);
      if (n === 0) break;
      const ids = oldest.slice(0, n).map((row) => row.rowid);
      this.#sql(`DELETE FROM invocation_records WHERE rowid IN (SELECT value FROM json_each(?))`).run(JSON.stringify(ids));
      removed += n;
      await yieldToEvents();
    }
    return removed;
  }

  // ---- capacity ----------------------------------------------------------------------------
  // BEGIN IMMEDIATE is the one write lock: every capacity put sees every other config.

  async putProvisioned(config: ProvisionedConfig, machineInstances: number): Promise<ProvisionedConfig> {
    return this.#db.transaction(() => {
      const fn = rules.requireFunction(this.#functionById(config.functionId));
      const others = this.#provisioned(`${PROVISIONED_SELECT} WHERE NOT (p.function_id = ? AND p.qualifier = ?)`, config.functionId, config.qualifier);
      const facts = this.#qualifierFacts(config.functionId, config.qualifier);
      const cap = this.#caps(`${CAP_SELECT} WHERE c.function_id = ?`, config.functionId)[0]?.cap ?? null;
      const siblings = this.#sizedProvisioned(`${SIZED_PROVISIONED_SELECT} WHERE p.function_id = ? AND p.qualifier <> ?`, config.functionId, config.qualifier);
      const memoryMb = this.#keptMemory(fn, config.qualifier, facts);
      const decided = rules.decideProvisionedPut(config, { qualifier: facts, others, cap, siblings, memoryMb }, machineInstances);
      const existing = this.#provisioned(`${PROVISIONED_SELECT} WHERE p.function_id = ? AND p.qualifier = ?`, config.functionId, config.qualifier)[0];
      const stored = { ...decided, createdAt: existing?.createdAt ?? decided.createdAt };
      this.#sql("DELETE FROM provisioned_configs WHERE function_id = ? AND qualifier = ?").run(config.functionId, config.qualifier);
      this.#insert("provisioned_configs", provisionedColumns(stored));
      return stored;
    }).immediate();
  }

  async listProvisioned(functionId: string | null): Promise<ProvisionedConfig[]> {
    if (functionId === null) return this.#provisioned(`${PROVISIONED_SELECT} ORDER BY p.function_id, p.qualifier`);
    return this.#provisioned(`${PROVISIONED_SELECT} WHERE p.function_id = ? ORDER BY p.qualifier`, functionId);
  }

  async deleteProvisioned(functionId: string, qualifier: string): Promise<boolean> {
    return this.#sql("DELETE FROM provisioned_configs WHERE function_id = ? AND qualifier = ?").run(functionId, qualifier).changes > 0;
  }

  async putConcurrencyCap(functionId: string, cap: ConcurrencyCap | null, defaultTotalMb: number): Promise<void> {
    this.#db.transaction(() => {
      const fn = rules.requireFunction(this.#functionById(functionId));
      if (cap === null) {
        this.#sql("DELETE FROM concurrency_caps WHERE function_id = ?").run(functionId);
        return;
      }
      const others = this.#caps(`${CAP_SELECT} WHERE f.account_id = ? AND f.region = ? AND f.namespace = ? AND c.function_id <> ?`, fn.account_id, fn.region, fn.namespace, functionId);
      const total = this.#sql<unknown[], { total_mb: number }>("SELECT total_mb FROM concurrency_totals WHERE account_id = ? AND region = ? AND namespace = ?").get(fn.account_id, fn.region, fn.namespace);
      rules.checkReservedPut(cap, { others, totalMb: total?.total_mb ?? defaultTotalMb });
      rules.checkCapCoversProvisioned(cap, this.#sizedProvisioned(`${SIZED_PROVISIONED_SELECT} WHERE p.function_id = ?`, functionId), fn.name);
      this.#sql("INSERT INTO concurrency_caps (function_id, cap) VALUES (?, ?) ON CONFLICT (function_id) DO UPDATE SET cap = excluded.cap").run(functionId, JSON.stringify(cap));
    }).immediate();
  }

  async listConcurrencyCaps(scope: Scope | null): Promise<FunctionConcurrency[]> {
    if (scope === null) return this.#caps(CAP_SELECT);
    return this.#caps(`${CAP_SELECT} WHERE f.account_id = ? AND f.region = ?`, scope.accountId, scope.region);
  }

  async putTotalConcurrency(scope: Scope, namespace: string, totalMb: number): Promise<void> {
    this.#db.transaction(() => {
      rules.checkTotalPut(totalMb, this.#caps(`${CAP_SELECT} WHERE f.account_id = ? AND f.region = ? AND f.namespace = ?`, scope.accountId, scope.region, namespace));
      this.#sql("INSERT INTO concurrency_totals (account_id, region, namespace, total_mb) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, region, namespace) DO UPDATE SET total_mb = excluded.total_mb")
        .run(scope.accountId, scope.region, namespace, totalMb);
    }).immediate();
  }

  async listTotalConcurrency(scope: Scope): Promise<{ readonly namespace: string; readonly totalMb: number }[]> {
    return this.#sql<unknown[], { namespace: string; total_mb: number }>("SELECT namespace, total_mb FROM concurrency_totals WHERE account_id = ? AND region = ? ORDER BY namespace")
      .all(scope.accountId, scope.region)
      .map((row) => ({ namespace: row.namespace, totalMb: row.total_mb }));
  }

  #provisioned(sql: string, ...args: unknown[]): ProvisionedConfig[] {
    return this.#sql<unknown[], ProvisionedRow>(sql).all(...args).map(toProvisioned);
  }

  #caps(sql: string, ...args: unknown[]): FunctionConcurrency[] {
    return this.#sql<unknown[], CapRow>(sql).all(...args).map(toCap);
  }

  #sizedProvisioned(sql: string, ...args: unknown[]): rules.SizedProvisioned[] {
    return this.#sql<unknown[], SizedProvisionedRow>(sql).all(...args).map(toSizedProvisioned);
  }

  /** The memory of each instance a config of `qualifier` keeps: its version's, its alias's main version's, or the head's. */
  #keptMemory(fn: FunctionRow, qualifier: string, facts: rules.QualifierFacts): number {
    const name = facts.isVersion ? qualifier : facts.isAlias ? this.#alias(fn.id, qualifier)?.version : undefined;
    const version = name === undefined ? undefined : this.#sql<[string, string], { config: string }>("SELECT config FROM versions WHERE function_id = ? AND name = ?").get(fn.id, name);
    return memoryOf(version?.config ?? fn.config);
  }

  async close(): Promise<void> {
    await this.#records?.close();
    this.#records = null;
    if (this.#db.open) this.#db.close();
  }

  #sql<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  }

  // ---- helpers ------------------------------------------------------------------------------

  #insert(table: string, columns: Columns, tail = ""): void {
    this.#sql(`${insertSql(table, columns, () => "?")} ${tail}`).run(...Object.values(columns));
  }

  #count(sql: string, ...args: unknown[]): number {
    return this.#sql<unknown[], { n: number }>(sql).get(...args)?.n ?? 0;
  }

  #page<Row, T>(table: string, where: string[], args: unknown[], orderBy: string, q: { offset: number; limit: number }, map: (row: Row) => T): Page<T> {
    const clause = where.join(" AND ");
    const total = this.#sql<unknown[], { n: number }>(`SELECT count(*) AS n FROM ${table} WHERE ${clause}`).get(...args)?.n ?? 0;
    const rows = this.#sql<unknown[], Row>(`SELECT * FROM ${table} WHERE ${clause} ORDER BY ${orderBy} LIMIT ? OFFSET ?`).all(...args, q.limit, q.offset);
    return { items: rows.map(map), total };
  }
}

/** Code packages in use: function heads and versions, layer versions, and layers bound to functions (kept after their layer version is deleted). */
const REFERENCED_BLOBS = `
  SELECT json_extract(code, '$.sha256') AS s FROM functions WHERE code IS NOT NULL
  UNION SELECT json_extract(code, '$.sha256') FROM versions
  UNION SELECT json_extract(code, '$.sha256') FROM layer_versions
  UNION SELECT json_extract(l.value, '$.code.sha256') FROM functions, json_each(functions.config, '$.layers') l
  UNION SELECT json_extract(l.value, '$.code.sha256') FROM versions, json_each(versions.config, '$.layers') l`;

/** Whether a function head or version of the scope binds the layer version with this id. */
const LAYER_IN_USE = `
  SELECT EXISTS (
    SELECT 1 FROM functions f, json_each(f.config, '$.layers') l
     WHERE f.account_id = ? AND f.region = ? AND json_extract(l.value, '$.id') = ?
    UNION ALL
    SELECT 1 FROM versions v JOIN functions f ON f.id = v.function_id, json_each(v.config, '$.layers') l
     WHERE f.account_id = ? AND f.region = ? AND json_extract(l.value, '$.id') = ?
  ) AS used`;

function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  MIGRATIONS.slice(current).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + i + 1}`);
    }).immediate();
  });
}
