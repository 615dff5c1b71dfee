-- Forum announcements that coordinators broadcast to a region.  The message itself is kept as
-- Telegram gave it (text or caption + entities, a photo's or document's file_id), so the
-- author's formatting survives.  Delivery is one outbox row per recipient
-- (dedup_key announce:{id}:{user_id}); the figures come from those rows.
CREATE TABLE announcements (
    -- AUTOINCREMENT: an id is never reused, so an old button never acts on a newer one.
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    author_id           INTEGER NOT NULL,
    region              TEXT    NOT NULL,
    content             TEXT    NOT NULL,                -- JSON: text, entities, photo | document
    audience            TEXT    NOT NULL DEFAULT '{}',   -- JSON: kinds [...], document_id
    status              TEXT    NOT NULL DEFAULT 'draft'
                        CHECK (status IN ('draft', 'queued', 'done', 'cancelled')),
    send_at             TEXT,                            -- UTC; the outbox rows' not_before
    recipients          INTEGER NOT NULL DEFAULT 0,
    progress_chat_id    INTEGER,
    progress_message_id INTEGER,
    progress_text       TEXT,                            -- last shown: unchanged is not edited
    created_at          TEXT    NOT NULL,
    queued_at           TEXT,
    cancelled_at        TEXT,
    finished_at         TEXT
);
CREATE INDEX announcements_region ON announcements (region, id);
CREATE INDEX announcements_open ON announcements (send_at)
    WHERE finished_at IS NULL AND status IN ('queued', 'cancelled');
