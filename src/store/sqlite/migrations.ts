/**
 * Versioned schema migrations. Each entry runs once, in order, inside a transaction; the
 * applied version is kept in `PRAGMA user_version`. Never edit a released migration: add one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: namespaces, functions, versions
  `
  CREATE TABLE namespaces (
    account_id  TEXT NOT NULL,
    region      TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, region, name)
  ) WITHOUT ROWID;

  CREATE TABLE functions (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL,
    region              TEXT NOT NULL,
    namespace           TEXT NOT NULL,
    name                TEXT NOT NULL,
    status              TEXT NOT NULL,
    status_reason       TEXT NOT NULL,
    config              TEXT NOT NULL,
    code                TEXT,
    revision            INTEGER NOT NULL,
    last_version_number INTEGER NOT NULL,
    last_version_seq    INTEGER NOT NULL,
    version_count       INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (account_id, region, namespace, name)
  );
  CREATE INDEX functions_by_status ON functions (status) WHERE status NOT IN ('Active', 'CreateFailed', 'UpdateFailed', 'PublishFailed', 'DeleteFailed');

  CREATE TABLE versions (
    function_id     TEXT NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL,
    config          TEXT NOT NULL,
    code            TEXT NOT NULL,
    source_revision INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (function_id, seq),
    UNIQUE (function_id, name)
  ) WITHOUT ROWID;
  `,
  // 2: aliases
  `
  CREATE TABLE aliases (
    function_id TEXT NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    version     TEXT NOT NULL,
    description TEXT NOT NULL,
    routing     TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (function_id, name)
  ) WITHOUT ROWID;
  `,
  // 3: asynchronous invocations, recorded before the caller is answered
  `
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
    context       TEXT NOT NULL,
    status        TEXT NOT NULL,
    result        TEXT NOT NULL,
    error         TEXT,
    log           TEXT NOT NULL,
    duration_ms   REAL NOT NULL,
    created_at    INTEGER NOT NULL,
    finished_at   INTEGER
  );
  CREATE INDEX async_unfinished ON async_invocations (created_at) WHERE status = 'RUNNING';
  CREATE INDEX async_by_function ON async_invocations (function_id, created_at);
  `,
  // 4: namespaces made implicitly (default, FunctionGraph packages) do not count against the quota
  `
  ALTER TABLE namespaces ADD COLUMN implicit INTEGER NOT NULL DEFAULT 0;
  UPDATE namespaces SET implicit = 1 WHERE name = 'default';
  `,
  // 5: which store instance runs an async invocation, so a restart resumes each one once
  `
  ALTER TABLE async_invocations ADD COLUMN claimed_by TEXT;
  `,
  // 6: triggers; an APIG path is served by one trigger per scope
  `
  CREATE TABLE triggers (
    id          TEXT PRIMARY KEY,
    function_id TEXT NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    account_id  TEXT NOT NULL,
    region      TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    qualifier   TEXT NOT NULL,
    enabled     INTEGER NOT NULL,
    description TEXT NOT NULL,
    settings    TEXT NOT NULL,
    extras      TEXT NOT NULL,
    apig_path   TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (function_id, name)
  );
  CREATE UNIQUE INDEX triggers_apig_path ON triggers (account_id, region, apig_path) WHERE apig_path IS NOT NULL;
  `,
  // 7: a timer trigger's next planned fire time (null: not planned since it was created or changed)
  `
  ALTER TABLE triggers ADD COLUMN timer_next_at INTEGER;
  CREATE INDEX triggers_timers ON triggers (kind) WHERE kind = 'timer';
  `,
  // 8: invocation records (core/invocation-records.ts); record_bytes keeps their total size for retention
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
    started_at        INTEGER NOT NULL,
    duration_ms       REAL NOT NULL,
    billed_ms         REAL NOT NULL,
    memory_used_bytes INTEGER NOT NULL,
    memory_mb         INTEGER NOT NULL,
    result_code       TEXT NOT NULL,
    error_message     TEXT NOT NULL,
    log               TEXT NOT NULL,
    log_truncated     INTEGER NOT NULL,
    result            TEXT NOT NULL,
    result_truncated  INTEGER NOT NULL,
    size_bytes        INTEGER NOT NULL,
    PRIMARY KEY (account_id, region, request_id)
  );
  CREATE INDEX records_by_scope_time ON invocation_records (account_id, region, started_at);
  CREATE INDEX records_by_function_time ON invocation_records (function_id, started_at);
  CREATE INDEX records_by_time ON invocation_records (started_at);
  CREATE TABLE record_bytes (id INTEGER PRIMARY KEY CHECK (id = 1), total INTEGER NOT NULL);
  INSERT INTO record_bytes (id, total) VALUES (1, 0);
  CREATE TRIGGER record_bytes_insert AFTER INSERT ON invocation_records BEGIN
    UPDATE record_bytes SET total = total + NEW.size_bytes WHERE id = 1;
  END;
  CREATE TRIGGER record_bytes_delete AFTER DELETE ON invocation_records BEGIN
    UPDATE record_bytes SET total = total - OLD.size_bytes WHERE id = 1;
  END;
  `,
  // 9: hot reload: the host directory a function's head runs instead of a stored package
  `
  ALTER TABLE functions ADD COLUMN hot_reload_dir TEXT;
  `,
  // 10: capacity (core/capacity.ts): provisioned configs go with their version or alias; caps per function; totals per namespace
  `
  CREATE TABLE provisioned_configs (
    function_id  TEXT NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    qualifier    TEXT NOT NULL,
    version_name TEXT,
    alias_name   TEXT,
    settings     TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (function_id, qualifier),
    FOREIGN KEY (function_id, version_name) REFERENCES versions (function_id, name) ON DELETE CASCADE,
    FOREIGN KEY (function_id, alias_name) REFERENCES aliases (function_id, name) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE TABLE concurrency_caps (
    function_id TEXT PRIMARY KEY REFERENCES functions (id) ON DELETE CASCADE,
    cap         TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE concurrency_totals (
    account_id TEXT NOT NULL,
    region     TEXT NOT NULL,
    namespace  TEXT NOT NULL,
    total_mb   INTEGER NOT NULL,
    PRIMARY KEY (account_id, region, namespace)
  ) WITHOUT ROWID;
  `,
  // 11: layers (SCF) / dependencies (FunctionGraph): a row per layer keeps its id and last number
  // (numbers are never reused); a row per published version. Functions bind them in their config.
  `
  CREATE TABLE layers (
    account_id   TEXT NOT NULL,
    region       TEXT NOT NULL,
    name         TEXT NOT NULL,
    id           TEXT NOT NULL UNIQUE,
    last_version INTEGER NOT NULL,
    PRIMARY KEY (account_id, region, name)
  );
  CREATE TABLE layer_versions (
    id           TEXT PRIMARY KEY,
    layer_id     TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    region       TEXT NOT NULL,
    name         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    description  TEXT NOT NULL,
    license      TEXT NOT NULL,
    runtimes     TEXT NOT NULL,
    architecture TEXT NOT NULL,
    code         TEXT NOT NULL,
    md5          TEXT NOT NULL,
    status       TEXT NOT NULL,
    extras       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (account_id, region, name, version)
  );
  CREATE INDEX layer_versions_by_layer ON layer_versions (layer_id, version);
  `,
  // 12: record_bytes grows by a batch's inserted sizes in the batch's transaction (records-worker.js), not by a trigger run per row
  `
  DROP TRIGGER record_bytes_insert;
  `,
];
