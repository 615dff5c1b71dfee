-- Every message the bot sends on its own initiative (announcements, digests, nudges, notices)
-- goes through this outbox.  dedup_key is the delivery ledger: one row per
-- (recipient, kind, period), so a digest or nudge is queued once even after a crash.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    dedup_key    TEXT    NOT NULL UNIQUE,
    recipient_id INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    ref_id       INTEGER,
    payload      TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    sent_at      TEXT,
    message_id   INTEGER,
    error        TEXT
);
CREATE INDEX outbox_due ON outbox (not_before, id) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_ref ON outbox (kind, ref_id, status);
CREATE INDEX outbox_recipient ON outbox (recipient_id, kind);
