-- Customer and staff notifications over Twilio (nexpura_desktop/messaging).
-- Companion tables: none of these come from Nexpura; the sends themselves are logged in
-- Nexpura's own whatsapp_sends / sms_sends as well.

-- One row per notification event, keyed by its idempotent identity
-- (category + subject + the value that triggered it).  A row is never deleted, so a
-- re-import, a restart or a retry can never make the same event send twice.
CREATE TABLE messaging_events (
  id TEXT PRIMARY KEY NOT NULL,
  category TEXT NOT NULL,          -- job_ready | task_assigned | task_status | task_urgent
  subject_table TEXT NOT NULL,     -- repairs | bespoke_jobs | tasks
  subject_id TEXT NOT NULL,
  recipient_kind TEXT NOT NULL,    -- customer | staff
  recipient_id TEXT,
  state TEXT NOT NULL,             -- baseline | disabled | pending | waiting | sending | sent | failed | skipped
  tried TEXT NOT NULL DEFAULT '[]',-- channels already attempted (JSON list)
  detail TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX ix_messaging_events_subject ON messaging_events(subject_table, subject_id);
CREATE INDEX ix_messaging_events_state ON messaging_events(state);

-- One row per message handed (or about to be handed) to Twilio.  The row is written and
-- committed *before* the Twilio call ("claimed"); a claimed row without a SID after a
-- crash is reconciled against Twilio's message list instead of being sent again.
CREATE TABLE messaging_messages (
  id TEXT PRIMARY KEY NOT NULL,    -- also the id of the whatsapp_sends / sms_sends row
  event_id TEXT NOT NULL REFERENCES messaging_events(id),
  attempt INTEGER NOT NULL,
  category TEXT NOT NULL,
  channel TEXT NOT NULL,           -- whatsapp | sms
  to_number TEXT NOT NULL,         -- E.164, without the whatsapp: prefix
  from_address TEXT,
  customer_id TEXT,
  body TEXT,
  content_sid TEXT,
  twilio_sid TEXT UNIQUE,
  status TEXT NOT NULL,            -- claimed | Twilio's status (queued … delivered/read/failed/undelivered)
  error_code INTEGER,
  reason TEXT,
  fallback_done INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE(event_id, attempt)
);
CREATE INDEX ix_messaging_messages_status ON messaging_messages(status);
CREATE INDEX ix_messaging_messages_created ON messaging_messages(created_at);

-- Opt-outs per recipient and channel (STOP replies, 21610 refusals); removed on START.
CREATE TABLE messaging_opt_outs (
  phone TEXT NOT NULL,
  channel TEXT NOT NULL,
  source TEXT NOT NULL,            -- stop_reply | twilio_21610 | manual
  opted_out_at TEXT NOT NULL,
  PRIMARY KEY (phone, channel)
);

-- The last inbound WhatsApp message per number (the 24-hour customer-service window).
CREATE TABLE messaging_inbound (
  phone TEXT NOT NULL,
  channel TEXT NOT NULL,
  last_at TEXT NOT NULL,
  PRIMARY KEY (phone, channel)
);
CREATE TABLE messaging_inbound_seen (
  sid TEXT PRIMARY KEY NOT NULL
);

-- Templates per category and channel; enabled only after the current text was previewed.
CREATE TABLE messaging_templates (
  category TEXT NOT NULL,
  channel TEXT NOT NULL,
  body TEXT NOT NULL,
  content_sid TEXT,
  content_variables TEXT NOT NULL DEFAULT '{}',
  previewed_digest TEXT,
  enabled INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (category, channel)
);

-- Shop-level messaging settings (quiet hours, default channel order, country).
CREATE TABLE messaging_settings (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
