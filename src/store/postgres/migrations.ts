import type { PgPool, PgQueryable } from "./driver.js";

/**
 * Versioned schema migrations, applied in order, each in its own transaction, and recorded in
 * `schema_migrations`. Never edit a released migration: add one. Names use the "C" collation
 * so that ordering by name is byte order, as in SQLite. Times are epoch milliseconds.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: namespaces, functions, versions, aliases, asynchronous invocations (SQLite 1-4)
  `
  CREATE TABLE namespaces (
    account_id  TEXT NOT NULL,
    region      TEXT NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    description TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    implicit    BOOLEAN NOT NULL,
    PRIMARY KEY (account_id, region, name)
  );

  CREATE TABLE functions (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL,
    region              TEXT NOT NULL,
    namespace           TEXT COLLATE "C" NOT NULL,
    name                TEXT COLLATE "C" NOT NULL,
    status              TEXT NOT NULL,
    status_reason       TEXT NOT NULL,
    config              JSONB NOT NULL,
    code                JSONB,
    revision            INTEGER NOT NULL,
    last_version_number BIGINT NOT NULL,
    last_version_seq    BIGINT NOT NULL,
    version_count       INTEGER NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    UNIQUE (account_id, region, namespace, name)
  );
  CREATE INDEX functions_transient ON functions (status)
    WHERE status NOT IN ('Active', 'CreateFailed', 'UpdateFailed', 'PublishFailed', 'DeleteFailed');

  CREATE TABLE versions (
    function_id     TEXT NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    name            TEXT COLLATE "C" NOT NULL,
    description     TEXT NOT NULL,
    config          JSONB NOT NULL,
    code            JSONB NOT NULL,
    source_revision INTEGER NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (function_id, seq),
    UNIQUE (function_id, name)
  );

  CREATE TABLE aliases (
    function_id TEXT NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    name        TEXT COLLATE "C" NOT NULL,
    version     TEXT NOT NULL,
    description TEXT NOT NULL,
    routing     JSONB NOT NULL,
    revision    INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (function_id, name)
  );

  CREATE TABLE async_invocations (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL,
    region        TEXT NOT NULL,
    function_id   TEXT NOT NULL,
    namespace     TEXT NOT NULL,
    function_name TEXT NOT NULL,
    qualifier     TEXT NOT NULL,
    version_name  TEXT NOT NULL,
    event         TEXT NOT NULL,
    convention    TEXT NOT NULL,
    context       JSONB NOT NULL,
    status        TEXT NOT NULL,
    result        TEXT NOT NULL,
    error         JSONB,
    log           TEXT NOT NULL,
    duration_ms   DOUBLE PRECISION NOT NULL,
    created_at    BIGINT NOT NULL,
    finished_at   BIGINT,
    -- The node that runs it; another node may take it over only when that node's lease lapsed.
    claimed_by    TEXT
  );
  CREATE INDEX async_unfinished ON async_invocations (created_at) WHERE status = 'RUNNING';
  CREATE INDEX async_by_function ON async_invocations (function_id, created_at);

  -- Live Quiver nodes: each renews its lease while it runs.
  CREATE TABLE nodes (
    id           TEXT PRIMARY KEY,
    started_at   TIMESTAMPTZ NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL
  );
  `,
  // 2: triggers; an APIG path is served by one trigger per scope (SQLite 6)
  `
  CREATE TABLE triggers (
    id          TEXT PRIMARY KEY,
    function_id TEXT NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    account_id  TEXT NOT NULL,
    region      TEXT NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    kind        TEXT NOT NULL,
    qualifier   TEXT NOT NULL,
    enabled     BOOLEAN NOT NULL,
    description TEXT NOT NULL,
    settings    JSONB NOT NULL,
    extras      JSONB NOT NULL,
    apig_path   TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT triggers_name UNIQUE (function_id, name)
  );
  CREATE UNIQUE INDEX triggers_apig_path ON triggers (account_id, region, apig_path) WHERE apig_path IS NOT NULL;
  `,
  // 3: a timer trigger's next planned fire time (null: not planned since it was created or changed) (SQLite 7)
  `
  ALTER TABLE triggers ADD COLUMN timer_next_at BIGINT;
  CREATE INDEX triggers_timers ON triggers (kind) WHERE kind = 'timer';
  `,
  // 4: invocation records (core/invocation-records.ts) (SQLite 8)
  `
  CREATE TABLE invocation_records (
    account_id        TEXT NOT NULL,
    region            TEXT NOT NULL,
    request_id        TEXT NOT NULL,
    function_id       TEXT NOT NULL,
    namespace         TEXT NOT NULL,
    function_name     TEXT NOT NULL,
    qualifier         TEXT NOT NULL,
    version_name      TEXT NOT NULL,
    alias             TEXT,
    source            TEXT NOT NULL,
    started_at        BIGINT NOT NULL,
    duration_ms       DOUBLE PRECISION NOT NULL,
    billed_ms         DOUBLE PRECISION NOT NULL,
    memory_used_bytes BIGINT NOT NULL,
    memory_mb         INTEGER NOT NULL,
    result_code       TEXT NOT NULL,
    error_message     TEXT NOT NULL,
    log               TEXT NOT NULL,
    log_truncated     BOOLEAN NOT NULL,
    result            TEXT NOT NULL,
    result_truncated  BOOLEAN NOT NULL,
    size_bytes        BIGINT NOT NULL,
    PRIMARY KEY (account_id, region, request_id)
  );
  CREATE INDEX records_by_scope_time ON invocation_records (account_id, region, started_at);
  CREATE INDEX records_by_function_time ON invocation_records (function_id, started_at);
  CREATE INDEX records_by_time ON invocation_records (started_at);
  `,
  // 5: hot reload: the host directory a function's head runs instead of a stored package (SQLite 9)
  `
  ALTER TABLE functions ADD COLUMN hot_reload_dir TEXT;
  `,
  // 6: every change to a function, its versions or its aliases is announced on commit
  // (LISTEN quiver_changes, payload the function id): nodes drop what they cached of it.
  `
  CREATE FUNCTION quiver_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_TABLE_NAME = 'functions' THEN
      PERFORM pg_notify('quiver_changes', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    ELSE
      PERFORM pg_notify('quiver_changes', CASE WHEN TG_OP = 'DELETE' THEN OLD.function_id ELSE NEW.function_id END);
    END IF;
    RETURN NULL;
  END
  $$;
  CREATE TRIGGER functions_announce AFTER INSERT OR UPDATE OR DELETE ON functions FOR EACH ROW EXECUTE FUNCTION quiver_announce_change();
  CREATE TRIGGER versions_announce AFTER INSERT OR UPDATE OR DELETE ON versions FOR EACH ROW EXECUTE FUNCTION quiver_announce_change();
  CREATE TRIGGER aliases_announce AFTER INSERT OR UPDATE OR DELETE ON aliases FOR EACH ROW EXECUTE FUNCTION quiver_announce_change();
  `,
  // 7: code blobs in the database (src/blobs/pg-blob-store.ts, --blob-store postgres):
  // content-addressed, in chunks of at most 1 MiB, written with their blob row in one transaction.
  `
  CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    chunks     INTEGER NOT NULL,
    touched_at BIGINT NOT NULL
  );
  CREATE TABLE blob_chunks (
    sha256 TEXT NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    data   BYTEA NOT NULL,
    PRIMARY KEY (sha256, seq)
  );
  `,
  // 8: capacity (core/capacity.ts) (SQLite 10)
  `
  CREATE TABLE provisioned_configs (
    function_id  TEXT NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    qualifier    TEXT COLLATE "C" NOT NULL,
    version_name TEXT COLLATE "C",
    alias_name   TEXT COLLATE "C",
    settings     JSONB NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (function_id, qualifier),
    FOREIGN KEY (function_id, version_name) REFERENCES versions (function_id, name) ON DELETE CASCADE,
    FOREIGN KEY (function_id, alias_name) REFERENCES aliases (function_id, name) ON DELETE CASCADE
  );
  CREATE TABLE concurrency_caps (
    function_id TEXT PRIMARY KEY REFERENCES functions (id) ON DELETE CASCADE,
    cap         JSONB NOT NULL
  );
  CREATE TABLE concurrency_totals (
    account_id TEXT NOT NULL,
    region     TEXT NOT NULL,
    namespace  TEXT COLLATE "C" NOT NULL,
    total_mb   BIGINT NOT NULL,
    PRIMARY KEY (account_id, region, namespace)
  );
  `,
  // 9: change announcements go to the schema's own channel, "quiver_changes:<schema>" (the
  // schema's md5 when longer than 48 characters, so the channel fits PostgreSQL's 63), so
  // clusters in different schemas of one database do not wait for each other's acknowledgements.
  `
  CREATE OR REPLACE FUNCTION quiver_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    channel TEXT := 'quiver_changes:' || CASE WHEN length(TG_TABLE_SCHEMA) <= 48 THEN TG_TABLE_SCHEMA ELSE md5(TG_TABLE_SCHEMA) END;
  BEGIN
    IF TG_TABLE_NAME = 'functions' THEN
      PERFORM pg_notify(channel, CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    ELSE
      PERFORM pg_notify(channel, CASE WHEN TG_OP = 'DELETE' THEN OLD.function_id ELSE NEW.function_id END);
    END IF;
    RETURN NULL;
  END
  $$;
  `,
  // 10: layers (SCF) / dependencies (FunctionGraph): a row per layer keeps its id and last number
  // (numbers are never reused); a row per published version. Functions bind them in their config. (SQLite 11)
  `
  CREATE TABLE layers (
    account_id   TEXT NOT NULL,
    region       TEXT NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    id           TEXT NOT NULL UNIQUE,
    last_version BIGINT NOT NULL,
    PRIMARY KEY (account_id, region, name)
  );
  CREATE TABLE layer_versions (
    id           TEXT PRIMARY KEY,
    layer_id     TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    region       TEXT NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    version      BIGINT NOT NULL,
    description  TEXT NOT NULL,
    license      TEXT NOT NULL,
    runtimes     JSONB NOT NULL,
    architecture TEXT NOT NULL,
    code         JSONB NOT NULL,
    md5          TEXT NOT NULL,
    status       TEXT NOT NULL,
    extras       JSONB NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (account_id, region, name, version)
  );
  CREATE INDEX layer_versions_by_layer ON layer_versions (layer_id, version);
  `,
  // 11: changes to a function's triggers are announced too (nodes cache triggers for HTTP
  // requests, core/read-cache.ts); a timer's planned fire time alone is not (it is no part of
  // a trigger's record, and changes at every fire).
  `
  CREATE TRIGGER triggers_announce
    AFTER INSERT OR DELETE OR UPDATE OF function_id, name, kind, qualifier, enabled, description, settings, extras, apig_path, updated_at ON triggers
    FOR EACH ROW EXECUTE FUNCTION quiver_announce_change();
  `,
];

/** Arbitrary constant: the advisory lock that serialises migrations across nodes. */
const MIGRATION_LOCK = 0x51564552; // "QVER"

/**
 * Brings the schema up to date. Several nodes starting at once take the same advisory lock
 * on one connection, so exactly one applies each migration and the others then see it done.
 */
export async function migrate(pool: PgPool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
      const done = await appliedVersion(client);
      for (let version = done + 1; version <= MIGRATIONS.length; version += 1) await apply(client, version);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
    client.release();
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
}

async function appliedVersion(db: PgQueryable): Promise<number> {
  const { rows } = await db.query<{ v: number | null }>("SELECT max(version) AS v FROM schema_migrations");
  return rows[0]?.v ?? 0;
}

async function apply(db: PgQueryable, version: number): Promise<void> {
  const sql = MIGRATIONS[version - 1];
  if (sql === undefined) return;
  await db.query("BEGIN");
  try {
    await db.query(sql);
    await db.query("INSERT INTO schema_migrations (version) VALUES ($1)", [version]);
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK");
    throw error;
  }
}
