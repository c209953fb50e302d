-- Notification "episodes" (nexpura_desktop/messaging/events.py).
-- A job's ready stage and an urgent flag notify when they turn ON.  A job that leaves
-- ready and later returns to it is a new event; seeing the same state again (a re-import,
-- a restart, a retry) is not.  One row per subject and flag: how many times the flag has
-- turned on (the episode number, part of the event's identity) and whether it is on now.
CREATE TABLE messaging_flags (
  subject_table TEXT NOT NULL,     -- repairs | bespoke_jobs | tasks
  subject_id TEXT NOT NULL,
  flag TEXT NOT NULL,              -- ready | urgent
  episode INTEGER NOT NULL,        -- 1 for the first time the flag turned on
  active INTEGER NOT NULL,         -- 1 while the flag is on
  changed_at TEXT NOT NULL,
  PRIMARY KEY (subject_table, subject_id, flag)
);
