-- Sync engine bookkeeping.
-- `owner` names the process running a run ("pid:<n>:<instance>"), so a run left open by a
-- crash is told apart from one still going in another process (the GUI and a headless
-- `run-due` may share a ledger); `issues` is how many record problems the run reported.
ALTER TABLE sync_runs ADD COLUMN owner TEXT;
ALTER TABLE sync_runs ADD COLUMN issues INTEGER NOT NULL DEFAULT 0;

-- The scheduler asks "last successful run of this job" on every tick.
CREATE INDEX ix_sync_runs_job ON sync_runs(service, job, started_at);
