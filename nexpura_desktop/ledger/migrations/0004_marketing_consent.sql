-- Marketing consent with its provenance, and what the Mailchimp audience is known to hold.
-- `marketing_consent_source` says who last set the consent (`mailchimp` when an unsubscribe,
-- bounce, compliance state or permanent deletion was pulled back from the audience), with the
-- time it changed and a plain reason, so the shop sees why someone no longer gets marketing.
ALTER TABLE customers ADD COLUMN marketing_consent_source TEXT;
ALTER TABLE customers ADD COLUMN marketing_consent_changed_at TIMESTAMPTZ;
ALTER TABLE customers ADD COLUMN marketing_consent_reason TEXT;

-- The audience sync finds every customer record sharing an address (case-insensitive).
CREATE INDEX ix_customers_email_lower ON customers(lower(trim(email)));

-- One row per (audience, address): the member's last known status and who caused it
-- (`us` = our push, `mailchimp` = the contact or Mailchimp). `blocked` marks an address that
-- must never be subscribed again (unsubscribed themselves, cleaned, compliance, forgotten).
CREATE TABLE mailchimp_members (
  list_id TEXT NOT NULL,
  subscriber_hash TEXT NOT NULL,
  email TEXT NOT NULL,
  customer_id TEXT,
  status TEXT NOT NULL,
  set_by TEXT NOT NULL CHECK (set_by IN ('us', 'mailchimp')),
  blocked TEXT,
  pushed_digest TEXT,
  pushed_tags TEXT,
  remote_changed_at TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (list_id, subscriber_hash)
);
CREATE INDEX ix_mailchimp_members_customer ON mailchimp_members(customer_id);
