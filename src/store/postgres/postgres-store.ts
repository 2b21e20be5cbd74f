import { randomUUID } from "node:crypto";
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
import { openPool, redactUrl, StoreUnavailableError, type PgClient, type PgPool, type PgQueryable } from "./driver.js";
import type { InvocationBucket, InvocationRecord, RecordQuery } from "../../core/invocation-records.js";
import { ERROR_CODES_SQL, PRUNE_BATCH, recordColumns, recordOrder, recordWhere, rowsOverBudget, toBucket, toRecord, type BucketRow, type RecordRow } from "../record-rows.js";
import type { ConcurrencyCap, FunctionConcurrency, ProvisionedConfig } from "../../core/capacity.js";
import { CAP_SELECT, memoryOf, PROVISIONED_SELECT, provisionedColumns, SIZED_PROVISIONED_SELECT, toCap, toProvisioned, toSizedProvisioned, type CapRow, type ProvisionedRow, type SizedProvisionedRow } from "../capacity-rows.js";
import { migrate } from "./migrations.js";
import { NodeLease } from "./node-lease.js";
import { PgChangeFeed } from "./change-feed.js";
import { takenVersionNames } from "./publish-names.js";
import { layerVersionColumns, toLayerVersion, type LayerVersionRow } from "../rows.js";
import { toAlias, toAsync, toFunction, toNamespace, toTrigger, toVersion, type AliasRow, type AsyncRow, type FunctionRow, type NamespaceRow, type TimerRow, type TriggerRow, type VersionRow } from "../rows.js";
import { aliasColumns, ALIAS_UPSERT, asyncColumns, insertSql, newFunctionColumns, TRANSIENT_CONDITION, triggerColumns, TRIGGER_UPSERT, versionColumns, type Columns } from "../rows.js";
import { inTransaction, isUniqueViolation, LOCK, lockKey } from "./transaction.js";

export interface PostgresStoreOptions {
  readonly url: string;
  /** Schema to work in (created if missing); absent: the connection's own `search_path`. */
  readonly schema?: string;
  /** How long a silent node keeps its claim on asynchronous invocations (default 30 s). */
  readonly leaseMs?: number;
  readonly poolSize?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The store for several Quiver nodes on one PostgreSQL database. Every method is one statement
 * or one transaction; checks and changes that belong together hold a lock on the function row
 * (`SELECT … FOR UPDATE`) or an advisory lock on the scope or namespace, so nodes serialise on
 * the database rather than in memory. The decisions are the shared store rules (`core/store-rules`).
 */
export class PostgresStore implements MetadataStore {
  readonly kind = "postgres";
  readonly #pool: PgPool;
  readonly #lease: NodeLease;
  /** What other nodes change, heard through LISTEN (core/read-cache.ts drops what it kept of it). */
  readonly changes: PgChangeFeed;
  #closed = false;

  private constructor(pool: PgPool, lease: NodeLease, changes: PgChangeFeed) {
    this.#pool = pool;
    this.#lease = lease;
    this.changes = changes;
  }

  /** Connects, migrates (once across nodes) and registers this node. Throws StoreUnavailableError. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new StoreUnavailableError(`invalid PostgreSQL schema name "${options.schema}"`);
    }
    const pool = await openPool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // An idle connection that breaks is dropped by the pool; without a listener it would crash the process.
    pool.on("error", () => undefined);
    try {
      if (options.schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
      await migrate(pool);
      const lease = new NodeLease(pool, randomUUID(), options.leaseMs ?? 30_000);
      await lease.start();
      const changes = new PgChangeFeed(pool);
      await changes.start();
      return new PostgresStore(pool, lease, changes);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new StoreUnavailableError(`cannot use PostgreSQL at ${redactUrl(options.url)}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** This node's id, as recorded on the asynchronous invocations it runs. */
  get nodeId(): string {
    return this.#lease.id;
  }

  // ---- namespaces ---------------------------------------------------------------------------

  async getNamespace(scope: Scope, name: string): Promise<Namespace | null> {
    const { rows } = await this.#pool.query<NamespaceRow>("SELECT * FROM namespaces WHERE account_id = $1 AND region = $2 AND name = $3", [scope.accountId, scope.region, name]);
    return rows[0] ? toNamespace(rows[0]) : null;
  }

  async insertNamespace(scope: Scope, ns: Namespace, quota: number | null): Promise<boolean> {
    return inTransaction(this.#pool, async (c) => {
      await lockKey(c, LOCK.namespaces, scopeKey(scope));
      const explicitCount = await count(c, "SELECT count(*)::int AS n FROM namespaces WHERE account_id = $1 AND region = $2 AND NOT implicit", [scope.accountId, scope.region]);
      if (!rules.decideNamespaceInsert({ exists: await this.#namespaceExists(c, scope, ns.name), explicitCount }, quota)) return false;
      await c.query(
        "INSERT INTO namespaces (account_id, region, name, description, created_at, updated_at, implicit) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [scope.accountId, scope.region, ns.name, ns.description, ns.createdAt, ns.updatedAt, quota === null],
      );
      return true;
    });
  }

  async updateNamespace(scope: Scope, name: string, description: string, now: number): Promise<boolean> {
    const result = await this.#pool.query(
      "UPDATE namespaces SET description = $1, updated_at = $2 WHERE account_id = $3 AND region = $4 AND name = $5",
      [description, now, scope.accountId, scope.region, name],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async deleteNamespace(scope: Scope, name: string): Promise<boolean> {
    return inTransaction(this.#pool, async (c) => {
      // The same lock insertFunction takes, so no function can appear while we look.
      await lockKey(c, LOCK.namespaceFunctions, namespaceKey(scope, name));
      const used = await c.query("SELECT 1 FROM functions WHERE account_id = $1 AND region = $2 AND namespace = $3 LIMIT 1", [scope.accountId, scope.region, name]);
      if (!rules.decideNamespaceDelete(name, { exists: await this.#namespaceExists(c, scope, name), hasFunctions: used.rows.length > 0 })) return false;
      await c.query("DELETE FROM namespaces WHERE account_id = $1 AND region = $2 AND name = $3", [scope.accountId, scope.region, name]);
      return true;
    });
  }

  async listNamespaces(scope: Scope, q: ListNamespacesQuery): Promise<Page<Namespace>> {
    const filter = new Filter([scope.accountId, scope.region], ["account_id = $1", "region = $2"]);
    if (q.nameContains) filter.add((p) => `strpos(name, ${p}) > 0`, q.nameContains);
    if (q.descriptionContains) filter.add((p) => `strpos(description, ${p}) > 0`, q.descriptionContains);
    const column = q.orderBy === "name" ? "name" : "updated_at";
    return this.#page<NamespaceRow, Namespace>("namespaces", filter, `${column} ${q.order}, name ${q.order}`, q, toNamespace);
  }

  async #namespaceExists(db: PgQueryable, scope: Scope, name: string): Promise<boolean> {
    const { rows } = await db.query("SELECT 1 FROM namespaces WHERE account_id = $1 AND region = $2 AND name = $3", [scope.accountId, scope.region, name]);
    return rows.length > 0;
  }

  // ---- functions ----------------------------------------------------------------------------

  async insertFunction(fn: NewFunction): Promise<FunctionRecord> {
    try {
      return await inTransaction(this.#pool, async (c) => {
        const { scope } = fn;
        await lockKey(c, LOCK.namespaceFunctions, namespaceKey(scope, fn.namespace));
        const record = rules.decideFunctionInsert(fn, {
          nameTaken: (await this.#functionRow(c, scope, fn.namespace, fn.name)) !== undefined,
          count: await count(c, "SELECT count(*)::int AS n FROM functions WHERE account_id = $1 AND region = $2 AND namespace = $3", [scope.accountId, scope.region, fn.namespace]),
        });
        await insert(c, "functions", newFunctionColumns(record));
        return record;
      });
    } catch (error) {
      // The advisory lock makes this unlikely, but the unique key is the last word.
      if (isUniqueViolation(error)) throw rules.functionAlreadyExists(fn);
      throw error;
    }
  }

  async getFunction(scope: Scope, namespace: string, name: string): Promise<FunctionRecord | null> {
    const row = await this.#functionRow(this.#pool, scope, namespace, name);
    return row ? toFunction(row) : null;
  }

  async getFunctionById(id: string): Promise<FunctionRecord | null> {
    const { rows } = await this.#pool.query<FunctionRow>("SELECT * FROM functions WHERE id = $1", [id]);
    return rows[0] ? toFunction(rows[0]) : null;
  }

  async listFunctions(scope: Scope, q: ListFunctionsQuery): Promise<Page<FunctionRecord>> {
    const filter = new Filter([scope.accountId, scope.region], ["account_id = $1", "region = $2"]);
    if (q.namespace !== undefined) filter.add((p) => `namespace = ${p}`, q.namespace);
    if (q.nameContains) filter.add((p) => `strpos(lower(name), lower(${p})) > 0`, q.nameContains);
    if (q.descriptionContains) filter.add((p) => `strpos(lower(config->>'description'), lower(${p})) > 0`, q.descriptionContains);
    const column = { createdAt: "created_at", updatedAt: "updated_at", name: "name" }[q.orderBy];
    return this.#page<FunctionRow, FunctionRecord>("functions", filter, `${column} ${q.order}, id ${q.order}`, q, toFunction);
  }

  async transitionFunction(id: string, from: readonly FunctionStatus[], patch: FunctionPatch): Promise<FunctionRecord | null> {
    return inTransaction(this.#pool, async (c) => {
      // The row lock makes the status check and the change one compare-and-set.
      const row = await lockFunction(c, id);
      const next = row ? rules.decideTransition(toFunction(row), from, patch) : null;
      if (next) {
        await c.query(
          "UPDATE functions SET status = $2, status_reason = $3, config = $4, code = $5, hot_reload_dir = $8, revision = $6, updated_at = $7 WHERE id = $1",
          [id, next.status, next.statusReason, JSON.stringify(next.config), next.code && JSON.stringify(next.code), next.revision, next.updatedAt, next.hotReloadDir ?? null],
        );
      }
      return next;
    });
  }

  async deleteFunction(id: string): Promise<boolean> {
    const result = await this.#pool.query("DELETE FROM functions WHERE id = $1", [id]);
    return (result.rowCount ?? 0) > 0;
  }

  async listTransient(): Promise<FunctionRecord[]> {
    const { rows } = await this.#pool.query<FunctionRow>(`SELECT * FROM functions WHERE ${TRANSIENT_CONDITION} ORDER BY created_at, id`);
    return rows.map(toFunction);
  }

  async #functionRow(db: PgQueryable, scope: Scope, namespace: string, name: string): Promise<FunctionRow | undefined> {
    const { rows } = await db.query<FunctionRow>("SELECT * FROM functions WHERE account_id = $1 AND region = $2 AND namespace = $3 AND name = $4", [scope.accountId, scope.region, namespace, name]);
    return rows[0];
  }

  // ---- versions -----------------------------------------------------------------------------

  async publishVersion(functionId: string, plan: PublishPlan): Promise<VersionRecord> {
    return inTransaction(this.#pool, async (c) => {
      // 1. Lock the function row: publishes of one function, from any node, run one at a time.
      const row = rules.requireFunction(await lockFunction(c, functionId));
      // 2. decidePublish asks synchronously whether names are taken: load every name it can ask about.
      const taken = await takenVersionNames(c, functionId, row.last_version_number, plan.naming);
      const state = { fn: toFunction(row), versionCount: row.version_count, lastSeq: row.last_version_seq };
      const { version: v, lastVersionNumber } = rules.decidePublish(state, plan, (name) => taken.has(name));
      // 3. Insert the version and bump the counters in the same transaction.
      await insert(c, "versions", versionColumns(v));
      await c.query("UPDATE functions SET last_version_number = $2, last_version_seq = $3, version_count = version_count + 1 WHERE id = $1", [functionId, lastVersionNumber, v.seq]);
      return v;
    });
  }

  async getVersion(functionId: string, name: string): Promise<VersionRecord | null> {
    const { rows } = await this.#pool.query<VersionRow>("SELECT * FROM versions WHERE function_id = $1 AND name = $2", [functionId, name]);
    return rows[0] ? toVersion(rows[0]) : null;
  }

  async listVersions(functionId: string, q: ListVersionsQuery): Promise<Page<VersionRecord>> {
    // Versions never change after publish, so creation order (seq) is also modification order.
    return this.#page<VersionRow, VersionRecord>("versions", new Filter([functionId], ["function_id = $1"]), `seq ${q.order}`, q, toVersion);
  }

  async countVersions(functionId: string): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>("SELECT version_count AS n FROM functions WHERE id = $1", [functionId]);
    return rows[0]?.n ?? 0;
  }

  async deleteVersion(functionId: string, name: string): Promise<boolean> {
    return inTransaction(this.#pool, async (c) => {
      // Alias changes lock the same row, so no alias can start routing here while we delete.
      if (!(await lockFunction(c, functionId))) return false;
      rules.checkVersionDeletable(name, await aliases(c, functionId));
      rules.checkQualifierUnbound("version", name, await triggersBoundTo(c, functionId, name));
      const deleted = await c.query("DELETE FROM versions WHERE function_id = $1 AND name = $2", [functionId, name]);
      if ((deleted.rowCount ?? 0) === 0) return false;
      await c.query("UPDATE functions SET version_count = version_count - 1 WHERE id = $1", [functionId]);
      return true;
    });
  }

  // ---- aliases ------------------------------------------------------------------------------

  async getAlias(functionId: string, name: string): Promise<AliasRecord | null> {
    return aliasNamed(this.#pool, functionId, name);
  }

  async listAliases(functionId: string): Promise<AliasRecord[]> {
    return aliases(this.#pool, functionId);
  }

  async insertAlias(alias: AliasRecord, maxAliases: number): Promise<AliasRecord> {
    return inTransaction(this.#pool, async (c) => {
      rules.requireFunction(await lockFunction(c, alias.functionId));
      const state = { aliases: await aliases(c, alias.functionId), versions: await existingVersions(c, alias.functionId, rules.versionsRoutedBy(alias)) };
      rules.checkAliasInsert(alias, state, maxAliases);
      await insert(c, "aliases", aliasColumns(alias));
      return alias;
    });
  }

  async updateAlias(functionId: string, name: string, change: AliasChange, now: number, upsert: boolean): Promise<AliasRecord | null> {
    return inTransaction(this.#pool, async (c) => {
      rules.requireFunction(await lockFunction(c, functionId));
      const state = { current: await aliasNamed(c, functionId, name), versions: await existingVersions(c, functionId, rules.versionsRoutedBy(change)) };
      const next = rules.decideAliasUpdate({ functionId, name, change, now, upsert }, state);
      if (!next) return null;
      await insert(c, "aliases", aliasColumns(next), ALIAS_UPSERT);
      return next;
    });
  }

  async deleteAlias(functionId: string, name: string): Promise<boolean> {
    return inTransaction(this.#pool, async (c) => {
      // Trigger changes lock the same row, so no trigger can be bound to the alias while we delete.
      if (!(await lockFunction(c, functionId)) || (await aliasNamed(c, functionId, name)) === null) return false;
      rules.checkQualifierUnbound("alias", name, await triggersBoundTo(c, functionId, name));
      const result = await c.query("DELETE FROM aliases WHERE function_id = $1 AND name = $2", [functionId, name]);
      return (result.rowCount ?? 0) > 0;
    });
  }

  // ---- triggers -----------------------------------------------------------------------------

  async insertTrigger(trigger: TriggerRecord, maxPerKind: number): Promise<TriggerRecord> {
    return inTransaction(this.#pool, async (c) => {
      const fn = toFunction(rules.requireFunction(await lockFunction(c, trigger.functionId)));
      const state = {
        triggers: await triggersOf(c, fn.id),
        qualifier: await qualifierFacts(c, fn.id, trigger.qualifier),
        pathHolder: await apigPathHolder(c, fn.scope, rules.apigPath(trigger.settings)),
      };
      rules.checkTriggerInsert(trigger, state, maxPerKind);
      await writeTrigger(c, trigger, fn.scope);
      return trigger;
    });
  }

  async getTrigger(functionId: string, id: string): Promise<TriggerRecord | null> {
    return triggerById(this.#pool, functionId, id);
  }

  async getTriggerByName(functionId: string, name: string): Promise<TriggerRecord | null> {
    const { rows } = await this.#pool.query<TriggerRow>("SELECT * FROM triggers WHERE function_id = $1 AND name = $2", [functionId, name]);
    return rows[0] ? toTrigger(rows[0]) : null;
  }

  async listTriggers(functionId: string, q: ListTriggersQuery): Promise<Page<TriggerRecord>> {
    const filter = new Filter([functionId], ["function_id = $1"]);
    if (q.qualifier !== undefined) filter.add((p) => `qualifier = ${p}`, q.qualifier);
    if (q.kind !== undefined) filter.add((p) => `kind = ${p}`, q.kind);
    if (q.nameContains) filter.add((p) => `strpos(name, ${p}) > 0`, q.nameContains);
    if (q.descriptionContains) filter.add((p) => `strpos(description, ${p}) > 0`, q.descriptionContains);
    const column = q.orderBy === "createdAt" ? "created_at" : "updated_at";
    return this.#page<TriggerRow, TriggerRecord>("triggers", filter, `${column} ${q.order}, name ${q.order}`, q, toTrigger);
  }

  async updateTrigger(functionId: string, id: string, patch: TriggerPatch): Promise<TriggerRecord | null> {
    return inTransaction(this.#pool, async (c) => {
      const fn = toFunction(rules.requireFunction(await lockFunction(c, functionId)));
      const current = await triggerById(c, functionId, id);
      const state = {
        current,
        qualifier: await qualifierFacts(c, functionId, patch.qualifier),
        pathHolder: await apigPathHolder(c, fn.scope, rules.apigPathAfter(patch, current)),
      };
      const next = rules.decideTriggerUpdate(patch, state);
      if (next) await writeTrigger(c, next, fn.scope, TRIGGER_UPSERT);
      return next;
    });
  }

  async deleteTrigger(functionId: string, id: string): Promise<boolean> {
    const result = await this.#pool.query("DELETE FROM triggers WHERE function_id = $1 AND id = $2", [functionId, id]);
    return (result.rowCount ?? 0) > 0;
  }

  async deleteTriggers(functionId: string, qualifier: string | null): Promise<number> {
    const result = qualifier === null
      ? await this.#pool.query("DELETE FROM triggers WHERE function_id = $1", [functionId])
      : await this.#pool.query("DELETE FROM triggers WHERE function_id = $1 AND qualifier = $2", [functionId, qualifier]);
    return result.rowCount ?? 0;
  }

  async findApigTriggers(scope: Scope): Promise<{ fn: FunctionRecord; trigger: TriggerRecord }[]> {
    const { rows } = await this.#pool.query<TriggerRow>(
      "SELECT * FROM triggers WHERE account_id = $1 AND region = $2 AND apig_path IS NOT NULL ORDER BY apig_path",
      [scope.accountId, scope.region],
    );
    if (rows.length === 0) return [];
    const functions = await this.#pool.query<FunctionRow>("SELECT * FROM functions WHERE id = ANY($1::text[])", [[...new Set(rows.map((row) => row.function_id))]]);
    const byId = new Map(functions.rows.map((row) => [row.id, toFunction(row)]));
    return rows.flatMap((row) => {
      const fn = byId.get(row.function_id);
      return fn ? [{ fn, trigger: toTrigger(row) }] : [];
    });
  }

  async listTimers(): Promise<PlannedTimer[]> {
    const { rows } = await this.#pool.query<TimerRow & { fn: FunctionRow }>(
      "SELECT t.*, to_jsonb(f) AS fn FROM triggers t JOIN functions f ON f.id = t.function_id WHERE t.kind = 'timer' AND t.enabled ORDER BY t.created_at, t.id",
    );
    // to_jsonb gives the function's BIGINT columns as JSON numbers, exact below 2^53 like the pool's parser.
    return rows.map((row) => ({ fn: toFunction(row.fn), trigger: toTrigger(row), nextFireAt: row.timer_next_at }));
  }

  async claimTimer(claim: TimerClaim): Promise<boolean> {
    return inTransaction(this.#pool, async (c) => {
      // The row lock: nodes taking the same step wait here, and each then reads the plan the one before it wrote.
      const { rows } = await c.query<TimerRow>("SELECT * FROM triggers WHERE id = $1 FOR UPDATE", [claim.triggerId]);
      const row = rows[0];
      if (!rules.decideTimerClaim(claim, row ? { trigger: toTrigger(row), nextFireAt: row.timer_next_at } : null)) return false;
      await c.query("UPDATE triggers SET timer_next_at = $2 WHERE id = $1", [claim.triggerId, claim.nextFireAt]);
      if (claim.invocation) await insert(c, "async_invocations", asyncColumns(claim.invocation, this.nodeId));
      return true;
    });
  }

  // ---- async invocations -----------------------------------------------------------------

  async insertAsyncInvocation(r: AsyncInvocationRecord): Promise<void> {
    // The accepting node runs it, so it is claimed by this node from the start.
    await insert(this.#pool, "async_invocations", asyncColumns(r, this.nodeId));
  }

  async finishAsyncInvocation(id: string, f: AsyncFinish): Promise<void> {
    await this.#pool.query(
      "UPDATE async_invocations SET status = $2, result = $3, error = $4, log = $5, duration_ms = $6, finished_at = $7 WHERE id = $1",
      [id, f.status, f.result, f.error ? JSON.stringify(f.error) : null, f.log, f.durationMs, f.finishedAt],
    );
  }

  async getAsyncInvocation(scope: Scope, id: string): Promise<AsyncInvocationRecord | null> {
    const { rows } = await this.#pool.query<AsyncRow>("SELECT * FROM async_invocations WHERE id = $1 AND account_id = $2 AND region = $3", [id, scope.accountId, scope.region]);
    return rows[0] ? toAsync(rows[0]) : null;
  }

  async listAsyncInvocations(scope: Scope, functionId: string, limit: number): Promise<AsyncInvocationRecord[]> {
    const { rows } = await this.#pool.query<AsyncRow>(
      "SELECT * FROM async_invocations WHERE function_id = $1 AND account_id = $2 AND region = $3 ORDER BY created_at DESC, id DESC LIMIT $4",
      [functionId, scope.accountId, scope.region, limit],
    );
    return rows.map(toAsync);
  }

  async referencedBlobs(): Promise<Set<string>> {
    const { rows } = await this.#pool.query<{ s: string | null }>(REFERENCED_BLOBS);
    return new Set(rows.map((row) => row.s).filter((s): s is string => s !== null));
  }

  async listUnfinishedAsync(): Promise<AsyncInvocationRecord[]> {
    // Claim unfinished invocations whose node is gone (no lease, or a lapsed one). Claims are
    // serialised by an advisory lock: with SKIP LOCKED alone, a node whose statement started
    // before another's claim committed re-checks the claimed row against the stale join and
    // takes it too (READ COMMITTED re-evaluation), so both would resume it.
    const rows = await inTransaction(this.#pool, async (c) => {
      await lockKey(c, LOCK.asyncClaims, "claims");
      const result = await c.query<AsyncRow>(
        `UPDATE async_invocations SET claimed_by = $1 WHERE id IN (
           SELECT a.id FROM async_invocations a LEFT JOIN nodes n ON n.id = a.claimed_by
           WHERE a.status = 'RUNNING' AND (n.id IS NULL OR n.heartbeat_at < now() - make_interval(secs => $2))
           FOR UPDATE OF a)
         RETURNING *`,
        [this.nodeId, this.#lease.leaseMs / 1000],
      );
      return result.rows;
    });
    return rows.map(toAsync).sort(rules.acceptanceOrder);
  }

  // ---- layers -------------------------------------------------------------------------------

  async publishLayerVersion(plan: LayerPublishPlan): Promise<LayerVersionRecord> {
    const { scope } = plan;
    return inTransaction(this.#pool, async (c) => {
      // One lock for the scope's layers: the per-scope count and the numbering of each layer.
      await lockKey(c, LOCK.layers, scopeKey(scope));
      const { rows } = await c.query<{ id: string; last_version: number }>("SELECT id, last_version FROM layers WHERE account_id = $1 AND region = $2 AND name = $3", [scope.accountId, scope.region, plan.name]);
      const layer = rows[0];
      const record = rules.decideLayerPublish({
        layer: layer ? { id: layer.id, lastVersion: Number(layer.last_version) } : null,
        versionCount: await count(c, "SELECT count(*)::int AS n FROM layer_versions WHERE account_id = $1 AND region = $2 AND name = $3", [scope.accountId, scope.region, plan.name]),
        layerCount: await count(c, "SELECT count(DISTINCT name)::int AS n FROM layer_versions WHERE account_id = $1 AND region = $2", [scope.accountId, scope.region]),
      }, plan);
      await c.query(
        "INSERT INTO layers (account_id, region, name, id, last_version) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, region, name) DO UPDATE SET last_version = excluded.last_version",
        [scope.accountId, scope.region, plan.name, record.layerId, record.version],
      );
      await insert(c, "layer_versions", layerVersionColumns(record));
      return record;
    });
  }

  async getLayerVersion(scope: Scope, name: string, version: number): Promise<LayerVersionRecord | null> {
    const { rows } = await this.#pool.query<LayerVersionRow>("SELECT * FROM layer_versions WHERE account_id = $1 AND region = $2 AND name = $3 AND version = $4", [scope.accountId, scope.region, name, version]);
    return rows[0] ? toLayerVersion(rows[0]) : null;
  }

  async getLayerVersionById(scope: Scope, id: string): Promise<LayerVersionRecord | null> {
    const { rows } = await this.#pool.query<LayerVersionRow>("SELECT * FROM layer_versions WHERE account_id = $1 AND region = $2 AND id = $3", [scope.accountId, scope.region, id]);
    return rows[0] ? toLayerVersion(rows[0]) : null;
  }

  async listLayers(scope: Scope, q: ListLayersQuery): Promise<Page<LayerVersionRecord>> {
    const filter = new Filter([scope.accountId, scope.region], [
      "v.account_id = $1",
      "v.region = $2",
      "v.version = (SELECT max(w.version) FROM layer_versions w WHERE w.account_id = v.account_id AND w.region = v.region AND w.name = v.name)",
    ]);
    if (q.nameContains) filter.add((p) => `strpos(v.name, ${p}) > 0`, q.nameContains);
    if (q.runtime) filter.add((p) => `v.runtimes @> ${p}::jsonb`, JSON.stringify([{ family: q.runtime.family, version: q.runtime.version }]));
    return this.#page<LayerVersionRow, LayerVersionRecord>("layer_versions v", filter, "v.name", q, toLayerVersion);
  }

  async listLayerVersions(scope: Scope, layer: { readonly name: string } | { readonly layerId: string }): Promise<LayerVersionRecord[]> {
    const [column, value] = "name" in layer ? ["name", layer.name] : ["layer_id", layer.layerId];
    const { rows } = await this.#pool.query<LayerVersionRow>(`SELECT * FROM layer_versions WHERE account_id = $1 AND region = $2 AND ${column} = $3 ORDER BY version DESC`, [scope.accountId, scope.region, value]);
    return rows.map(toLayerVersion);
  }

  async deleteLayerVersion(scope: Scope, name: string, version: number, policy: LayerDeletePolicy): Promise<boolean> {
    return inTransaction(this.#pool, async (c) => {
      await lockKey(c, LOCK.layers, scopeKey(scope));
      const { rows } = await c.query<{ id: string }>("SELECT id FROM layer_versions WHERE account_id = $1 AND region = $2 AND name = $3 AND version = $4", [scope.accountId, scope.region, name, version]);
      const row = rows[0];
      const inUse = row !== undefined && (await c.query<{ used: boolean }>(LAYER_IN_USE, [scope.accountId, scope.region, JSON.stringify([{ id: row.id }])])).rows[0]?.used === true;
      if (!rules.decideLayerDelete(name, version, { exists: row !== undefined, inUse }, policy) || row === undefined) return false;
      await c.query("DELETE FROM layer_versions WHERE id = $1", [row.id]);
      return true;
    });
  }

  // ---- invocation records ----------------------------------------------------------------

  async insertInvocationRecords(records: readonly InvocationRecord[]): Promise<void> {
    if (records.length === 0) return;
    // One statement for the batch: one round trip, one transaction.
    const rows = records.map((r) => recordColumns(r, (flag) => flag));
    const names = Object.keys(rows[0] ?? {});
    const args: unknown[] = [];
    const tuples = rows.map((row) => `(${Object.values(row).map((value) => `$${args.push(value)}`).join(", ")})`);
    await this.#pool.query(`INSERT INTO invocation_records (${names.join(", ")}) VALUES ${tuples.join(", ")} ON CONFLICT DO NOTHING`, args);
  }

  async queryInvocationRecords(scope: Scope, q: RecordQuery): Promise<Page<InvocationRecord>> {
    const { where, args } = recordWhere(scope, q, (n) => `$${n}`);
    return this.#page<RecordRow, InvocationRecord>("invocation_records", new Filter(args, [where]), recordOrder(q), q, toRecord);
  }

  async invocationBuckets(scope: Scope, functionId: string, from: number, to: number, bucketMs: number): Promise<InvocationBucket[]> {
    const start = Math.floor(from);
    const size = Math.max(1, Math.floor(bucketMs));
    const { rows } = await this.#pool.query<BucketRow>(
      `SELECT (started_at - $1::bigint) / $2::bigint AS b, count(*) AS n,
              count(*) FILTER (WHERE result_code IN (${ERROR_CODES_SQL})) AS errors, count(*) FILTER (WHERE result_code = 'throttled') AS throttles,
              sum(duration_ms) AS dsum, min(duration_ms) AS dmin, max(duration_ms) AS dmax
         FROM invocation_records
        WHERE account_id = $3 AND region = $4 AND function_id = $5 AND started_at >= $1::bigint AND started_at < $6
        GROUP BY b ORDER BY b`,
      [start, size, scope.accountId, scope.region, functionId, to],
    );
    return rows.map((row) => toBucket(row, start, size));
  }

  async pruneInvocationRecords(olderThan: number, maxBytes: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const result = await this.#pool.query(
        `DELETE FROM invocation_records WHERE ctid IN (SELECT ctid FROM invocation_records WHERE started_at < $1 ORDER BY started_at LIMIT $2)`,
        [olderThan, PRUNE_BATCH],
      );
      const n = result.rowCount ?? 0;
      removed += n;
      if (n < PRUNE_BATCH) break;
    }
    for (;;) {
      const total = await count(this.#pool, "SELECT coalesce(sum(size_bytes), 0)::bigint AS n FROM invocation_records", []);
      if (total <= maxBytes) break;
      const { rows: oldest } = await this.#pool.query<{ account_id: string; region: string; request_id: string; size_bytes: number }>(
        "SELECT account_id, region, request_id, size_bytes FROM invocation_records ORDER BY started_at LIMIT $1",
        [PRUNE_BATCH],
      );
      const n = rowsOverBudget(oldest.map((row) => row.size_bytes), total, maxBytes);
      if (n === 0) break;
      const doomed = oldest.slice(0, n);
      const result = await this.#pool.query(
        "DELETE FROM invocation_records WHERE (account_id, region, request_id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))",
        [doomed.map((row) => row.account_id), doomed.map((row) => row.region), doomed.map((row) => row.request_id)],
      );
      removed += result.rowCount ?? 0;
    }
    return removed;
  }

  // ---- capacity ----------------------------------------------------------------------------

  async putProvisioned(config: ProvisionedConfig, machineInstances: number): Promise<ProvisionedConfig> {
    return inTransaction(this.#pool, async (c) => {
      // One lock for every config: the machine-wide count and the write cannot interleave. The
      // function's row lock then holds its cap still (putConcurrencyCap takes it too).
      await lockKey(c, LOCK.provisioned, "all");
      const fn = rules.requireFunction(await lockFunction(c, config.functionId));
      const others = await provisioned(c, `${PROVISIONED_SELECT} WHERE NOT (p.function_id = $1 AND p.qualifier = $2)`, [config.functionId, config.qualifier]);
      const facts = await qualifierFacts(c, config.functionId, config.qualifier);
      const [cap] = await caps(c, `${CAP_SELECT} WHERE c.function_id = $1`, [config.functionId]);
      const siblings = await sizedProvisioned(c, `${SIZED_PROVISIONED_SELECT} WHERE p.function_id = $1 AND p.qualifier <> $2`, [config.functionId, config.qualifier]);
      const memoryMb = await keptMemory(c, fn, config.qualifier, facts);
      const decided = rules.decideProvisionedPut(config, { qualifier: facts, others, cap: cap?.cap ?? null, siblings, memoryMb }, machineInstances);
      const [existing] = await provisioned(c, `${PROVISIONED_SELECT} WHERE p.function_id = $1 AND p.qualifier = $2`, [config.functionId, config.qualifier]);
      const stored = { ...decided, createdAt: existing?.createdAt ?? decided.createdAt };
      await c.query("DELETE FROM provisioned_configs WHERE function_id = $1 AND qualifier = $2", [config.functionId, config.qualifier]);
      const columns = provisionedColumns(stored);
      await c.query(insertSql("provisioned_configs", columns, (i) => `$${i}`), Object.values(columns));
      return stored;
    });
  }

  async listProvisioned(functionId: string | null): Promise<ProvisionedConfig[]> {
    if (functionId === null) return provisioned(this.#pool, `${PROVISIONED_SELECT} ORDER BY p.function_id, p.qualifier`, []);
    return provisioned(this.#pool, `${PROVISIONED_SELECT} WHERE p.function_id = $1 ORDER BY p.qualifier`, [functionId]);
  }

  async deleteProvisioned(functionId: string, qualifier: string): Promise<boolean> {
    const { rowCount } = await this.#pool.query("DELETE FROM provisioned_configs WHERE function_id = $1 AND qualifier = $2", [functionId, qualifier]);
    return (rowCount ?? 0) > 0;
  }

  async putConcurrencyCap(functionId: string, cap: ConcurrencyCap | null, defaultTotalMb: number): Promise<void> {
    await inTransaction(this.#pool, async (c) => {
      const fn = rules.requireFunction(await lockFunction(c, functionId));
      if (cap === null) {
        await c.query("DELETE FROM concurrency_caps WHERE function_id = $1", [functionId]);
        return;
      }
      await lockKey(c, LOCK.concurrencyTotals, namespaceKey({ accountId: fn.account_id, region: fn.region }, fn.namespace));
      const others = await caps(c, `${CAP_SELECT} WHERE f.account_id = $1 AND f.region = $2 AND f.namespace = $3 AND c.function_id <> $4`, [fn.account_id, fn.region, fn.namespace, functionId]);
      const { rows } = await c.query<{ total_mb: number }>("SELECT total_mb FROM concurrency_totals WHERE account_id = $1 AND region = $2 AND namespace = $3", [fn.account_id, fn.region, fn.namespace]);
      rules.checkReservedPut(cap, { others, totalMb: rows[0] ? Number(rows[0].total_mb) : defaultTotalMb });
      rules.checkCapCoversProvisioned(cap, await sizedProvisioned(c, `${SIZED_PROVISIONED_SELECT} WHERE p.function_id = $1`, [functionId]), fn.name);
      await c.query("INSERT INTO concurrency_caps (function_id, cap) VALUES ($1, $2) ON CONFLICT (function_id) DO UPDATE SET cap = excluded.cap", [functionId, JSON.stringify(cap)]);
    });
  }

  async listConcurrencyCaps(scope: Scope | null): Promise<FunctionConcurrency[]> {
    if (scope === null) return caps(this.#pool, CAP_SELECT, []);
    return caps(this.#pool, `${CAP_SELECT} WHERE f.account_id = $1 AND f.region = $2`, [scope.accountId, scope.region]);
  }

  async putTotalConcurrency(scope: Scope, namespace: string, totalMb: number): Promise<void> {
    await inTransaction(this.#pool, async (c) => {
      await lockKey(c, LOCK.concurrencyTotals, namespaceKey(scope, namespace));
      rules.checkTotalPut(totalMb, await caps(c, `${CAP_SELECT} WHERE f.account_id = $1 AND f.region = $2 AND f.namespace = $3`, [scope.accountId, scope.region, namespace]));
      await c.query(
        "INSERT INTO concurrency_totals (account_id, region, namespace, total_mb) VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, region, namespace) DO UPDATE SET total_mb = excluded.total_mb",
        [scope.accountId, scope.region, namespace, totalMb],
      );
    });
  }

  async listTotalConcurrency(scope: Scope): Promise<{ readonly namespace: string; readonly totalMb: number }[]> {
    const { rows } = await this.#pool.query<{ namespace: string; total_mb: number }>("SELECT namespace, total_mb FROM concurrency_totals WHERE account_id = $1 AND region = $2 ORDER BY namespace", [scope.accountId, scope.region]);
    return rows.map((row) => ({ namespace: row.namespace, totalMb: Number(row.total_mb) }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.changes.close();
    await this.#lease.stop().catch(() => undefined);
    await this.#pool.end();
  }

  // ---- helpers ------------------------------------------------------------------------------

  async #page<Row, T>(table: string, filter: Filter, orderBy: string, q: { offset: number; limit: number }, map: (row: Row) => T): Promise<Page<T>> {
    const clause = filter.where.join(" AND ");
    const n = filter.args.length;
    const [count, page] = await Promise.all([
      this.#pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${clause}`, filter.args),
      this.#pool.query<Row>(`SELECT * FROM ${table} WHERE ${clause} ORDER BY ${orderBy} LIMIT $${n + 1} OFFSET $${n + 2}`, [...filter.args, q.limit, q.offset]),
    ]);
    return { items: page.rows.map(map), total: count.rows[0]?.n ?? 0 };
  }
}

/** WHERE conditions with numbered parameters. */
class Filter {
  readonly args: unknown[];
  readonly where: string[];

  constructor(args: unknown[], where: string[]) {
    this.args = args;
    this.where = where;
  }

  add(condition: (placeholder: string) => string, value: unknown): void {
    this.args.push(value);
    this.where.push(condition(`$${this.args.length}`));
  }
}

async function provisioned(db: PgQueryable, sql: string, args: unknown[]): Promise<ProvisionedConfig[]> {
  const { rows } = await db.query<ProvisionedRow>(sql, args);
  return rows.map(toProvisioned);
}

async function caps(db: PgQueryable, sql: string, args: unknown[]): Promise<FunctionConcurrency[]> {
  const { rows } = await db.query<CapRow>(sql, args);
  return rows.map(toCap);
}

async function sizedProvisioned(db: PgQueryable, sql: string, args: unknown[]): Promise<rules.SizedProvisioned[]> {
  const { rows } = await db.query<SizedProvisionedRow>(sql, args);
  return rows.map(toSizedProvisioned);
}

/** The memory of each instance a config of `qualifier` keeps: its version's, its alias's main version's, or the head's. */
async function keptMemory(db: PgQueryable, fn: FunctionRow, qualifier: string, facts: rules.QualifierFacts): Promise<number> {
  const name = facts.isVersion ? qualifier : facts.isAlias ? (await aliasNamed(db, fn.id, qualifier))?.version : undefined;
  if (name === undefined) return memoryOf(fn.config);
  const { rows } = await db.query<{ config: unknown }>("SELECT config FROM versions WHERE function_id = $1 AND name = $2", [fn.id, name]);
  return memoryOf(rows[0]?.config ?? fn.config);
}

async function lockFunction(c: PgClient, id: string): Promise<FunctionRow | undefined> {
  const { rows } = await c.query<FunctionRow>("SELECT * FROM functions WHERE id = $1 FOR UPDATE", [id]);
  return rows[0];
}

async function aliasNamed(db: PgQueryable, functionId: string, name: string): Promise<AliasRecord | null> {
  const { rows } = await db.query<AliasRow>("SELECT * FROM aliases WHERE function_id = $1 AND name = $2", [functionId, name]);
  return rows[0] ? toAlias(rows[0]) : null;
}

async function aliases(db: PgQueryable, functionId: string): Promise<AliasRecord[]> {
  const { rows } = await db.query<AliasRow>("SELECT * FROM aliases WHERE function_id = $1 ORDER BY created_at, name", [functionId]);
  return rows.map(toAlias);
}

async function triggerById(db: PgQueryable, functionId: string, id: string): Promise<TriggerRecord | null> {
  const { rows } = await db.query<TriggerRow>("SELECT * FROM triggers WHERE function_id = $1 AND id = $2", [functionId, id]);
  return rows[0] ? toTrigger(rows[0]) : null;
}

async function triggersOf(db: PgQueryable, functionId: string): Promise<TriggerRecord[]> {
  const { rows } = await db.query<TriggerRow>("SELECT * FROM triggers WHERE function_id = $1 ORDER BY created_at, name", [functionId]);
  return rows.map(toTrigger);
}

async function triggersBoundTo(db: PgQueryable, functionId: string, qualifier: string): Promise<TriggerRecord[]> {
  const { rows } = await db.query<TriggerRow>("SELECT * FROM triggers WHERE function_id = $1 AND qualifier = $2 ORDER BY created_at, name", [functionId, qualifier]);
  return rows.map(toTrigger);
}

async function qualifierFacts(db: PgQueryable, functionId: string, qualifier: string | undefined): Promise<rules.QualifierFacts> {
  if (qualifier === undefined || !rules.qualifierNeedsLookup(qualifier)) return { isVersion: false, isAlias: false };
  const { rows } = await db.query<{ v: boolean; a: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM versions WHERE function_id = $1 AND name = $2) AS v, EXISTS (SELECT 1 FROM aliases WHERE function_id = $1 AND name = $2) AS a",
    [functionId, qualifier],
  );
  return { isVersion: rows[0]?.v === true, isAlias: rows[0]?.a === true };
}

/**
 * The trigger of the scope serving an APIG path. Triggers of other functions hold other rows, so
 * the scope's advisory lock serialises the check with their writes; the unique index on
 * (scope, path) would refuse a write that got past it anyway.
 */
async function apigPathHolder(c: PgClient, scope: Scope, path: string | null): Promise<TriggerRecord | null> {
  if (path === null) return null;
  await lockKey(c, LOCK.apigPaths, scopeKey(scope));
  const { rows } = await c.query<TriggerRow>("SELECT * FROM triggers WHERE account_id = $1 AND region = $2 AND apig_path = $3", [scope.accountId, scope.region, path]);
  return rows[0] ? toTrigger(rows[0]) : null;
}

/** Writes a trigger's row; when a unique key, the last word, refuses it, the error the rules give. */
async function writeTrigger(c: PgClient, trigger: TriggerRecord, scope: Scope, tail = ""): Promise<void> {
  try {
    await insert(c, "triggers", triggerColumns(trigger, scope), tail);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const path = rules.apigPath(trigger.settings);
    const constraint = (error as { constraint?: unknown }).constraint;
    throw constraint === "triggers_apig_path" && path !== null ? rules.triggerPathTaken(path) : rules.triggerAlreadyExists(trigger.name);
  }
}

async function existingVersions(db: PgQueryable, functionId: string, names: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>("SELECT name FROM versions WHERE function_id = $1 AND name = ANY($2::text[])", [functionId, [...names]]);
  return new Set(rows.map((row) => row.name));
}

async function insert(db: PgQueryable, table: string, columns: Columns, tail = ""): Promise<void> {
  await db.query(`${insertSql(table, columns, (n) => `$${n}`)} ${tail}`, Object.values(columns));
}

async function count(db: PgQueryable, sql: string, args: unknown[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql, args);
  return rows[0]?.n ?? 0;
}

/** Code packages in use: function heads and versions, layer versions, and layers bound to functions (kept after their layer version is deleted). */
const REFERENCED_BLOBS = `
  SELECT code->>'sha256' AS s FROM functions WHERE code IS NOT NULL
  UNION SELECT code->>'sha256' FROM versions
  UNION SELECT code->>'sha256' FROM layer_versions
  UNION SELECT l->'code'->>'sha256' FROM functions, jsonb_array_elements(COALESCE(functions.config->'layers', '[]'::jsonb)) l
  UNION SELECT l->'code'->>'sha256' FROM versions, jsonb_array_elements(COALESCE(versions.config->'layers', '[]'::jsonb)) l`;

/** Whether a function head or version of the scope binds the layer version ($3: `[{"id": …}]`). */
const LAYER_IN_USE = `
  SELECT EXISTS (SELECT 1 FROM functions f WHERE f.account_id = $1 AND f.region = $2 AND f.config->'layers' @> $3::jsonb)
      OR EXISTS (SELECT 1 FROM versions v JOIN functions f ON f.id = v.function_id
                  WHERE f.account_id = $1 AND f.region = $2 AND v.config->'layers' @> $3::jsonb) AS used`;

// JSON keeps the parts apart whatever they contain (PostgreSQL text cannot hold a NUL separator).
function scopeKey(scope: Scope): string {
  return JSON.stringify([scope.accountId, scope.region]);
}

function namespaceKey(scope: Scope, namespace: string): string {
  return JSON.stringify([scope.accountId, scope.region, namespace]);
}
