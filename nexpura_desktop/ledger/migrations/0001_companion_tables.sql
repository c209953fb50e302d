-- Companion tables: sync state and bookkeeping that Nexpura's own schema has no place for.
-- (Nexpura has its own `integrations` and `settings` tables, exported with the shop's data;
-- ours are `connections` and `app_settings` so the two never mix.)

-- Every tenant table in the ledger: typed (schema from the reference) or generic (created
-- by an import from the keys it saw). Exports and the change feed work from this list.
CREATE TABLE tenant_tables (
  name TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('typed', 'generic')),
  key_column TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f+00:00','now'))
);

-- Append-only change feed filled by triggers on every tenant table.
CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
  changed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f+00:00','now'))
);
CREATE INDEX ix_changes_tbl_seq ON changes(tbl, seq);

-- One row per service: status and non-secret configuration. Secrets live in the keyring;
-- `secrets` lists which keyring items exist (names only, never values).
CREATE TABLE connections (
  service TEXT PRIMARY KEY NOT NULL
    CHECK (service IN ('shopify', 'woocommerce', 'mailchimp', 'xero', 'google_calendar', 'twilio')),
  status TEXT NOT NULL DEFAULT 'disconnected' CHECK (status IN ('connected', 'disconnected', 'error')),
  account TEXT,
  config TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  secrets TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(secrets)),
  last_error TEXT,
  last_sync_at TEXT,
  connected_at TEXT,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f+00:00','now'))
);
INSERT INTO connections(service) VALUES
  ('shopify'), ('woocommerce'), ('mailchimp'), ('xero'), ('google_calendar'), ('twilio');

-- Local row <-> remote object.
CREATE TABLE sync_links (
  id INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  entity TEXT NOT NULL,
  local_table TEXT NOT NULL,
  local_id TEXT NOT NULL,
  remote_id TEXT NOT NULL,
  remote_version TEXT,
  remote_hash TEXT,
  local_version INTEGER,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f+00:00','now')),
  UNIQUE (service, entity, local_table, local_id),
  UNIQUE (service, entity, remote_id)
);

-- Value watermarks per (service, stream). Never an offset or a wall-clock time.
CREATE TABLE sync_cursors (
  service TEXT NOT NULL,
  stream TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f+00:00','now')),
  PRIMARY KEY (service, stream)
);

CREATE TABLE sync_runs (
  id INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  job TEXT NOT NULL,
  trigger TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  outcome TEXT CHECK (outcome IS NULL OR outcome IN ('success', 'partial', 'failed', 'cancelled', 'skipped')),
  created INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  requests INTEGER NOT NULL DEFAULT 0,
  message TEXT
);
CREATE INDEX ix_sync_runs_service ON sync_runs(service, started_at);

CREATE TABLE sync_issues (
  id INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  job TEXT NOT NULL,
  local_table TEXT,
  local_id TEXT,
  remote_id TEXT,
  kind TEXT NOT NULL DEFAULT 'record' CHECK (kind IN ('record', 'conflict', 'drift', 'configuration')),
  reason TEXT NOT NULL,
  detail TEXT,
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'retry', 'skipped', 'resolved')),
  attempts INTEGER NOT NULL DEFAULT 1,
  first_seen_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f+00:00','now')),
  last_attempt_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f+00:00','now')),
  run_id INTEGER REFERENCES sync_runs(id) ON DELETE SET NULL
);
CREATE INDEX ix_sync_issues_open ON sync_issues(service, state);

-- Outbound operations recorded with the change that caused them; deleted once confirmed.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  operation TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  local_table TEXT,
  local_id TEXT,
  payload TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f+00:00','now')),
  next_attempt_at TEXT
);

CREATE TABLE app_settings (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL CHECK (json_valid(value)),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f+00:00','now'))
);

-- Nexpura data-export files imported, and which tenant rows each import brought in
-- (so a re-import deletes what vanished from the cloud but never what the app created).
CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  file_name TEXT NOT NULL,
  tenant_id TEXT,
  exported_at TEXT,
  exported_by TEXT,
  format_version TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  rows_inserted INTEGER NOT NULL DEFAULT 0,
  rows_updated INTEGER NOT NULL DEFAULT 0,
  rows_unchanged INTEGER NOT NULL DEFAULT 0,
  rows_deleted INTEGER NOT NULL DEFAULT 0,
  summary TEXT CHECK (summary IS NULL OR json_valid(summary))
);

CREATE TABLE imported_rows (
  tbl TEXT NOT NULL,
  row_id TEXT NOT NULL,
  import_id INTEGER NOT NULL,
  PRIMARY KEY (tbl, row_id)
) WITHOUT ROWID;
CREATE INDEX ix_imported_rows_import ON imported_rows(tbl, import_id);

-- Files the export listed in `_storage_manifest` (bucket and path; signed URLs are
-- short-lived bearer links and are not kept).
CREATE TABLE storage_files (
  bucket TEXT NOT NULL,
  path TEXT NOT NULL,
  import_id INTEGER NOT NULL,
  PRIMARY KEY (bucket, path)
) WITHOUT ROWID;
