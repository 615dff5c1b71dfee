-- Digest and nudge preferences, and when each user's next digest is due (UTC), so the
-- planner finds due users with one indexed query instead of scanning everyone.
ALTER TABLE users ADD COLUMN digest_frequency TEXT NOT NULL DEFAULT 'weekly'
    CHECK (digest_frequency IN ('weekly', 'daily', 'off'));
ALTER TABLE users ADD COLUMN digest_weekday INTEGER NOT NULL DEFAULT 0
    CHECK (digest_weekday BETWEEN 0 AND 6);
ALTER TABLE users ADD COLUMN digest_hour INTEGER NOT NULL DEFAULT 10
    CHECK (digest_hour BETWEEN 0 AND 23);
ALTER TABLE users ADD COLUMN next_digest_at TEXT;
ALTER TABLE users ADD COLUMN last_digest_at TEXT;
ALTER TABLE users ADD COLUMN nudges_paused_until TEXT;
CREATE INDEX users_next_digest ON users (next_digest_at)
    WHERE is_active = 1 AND digest_frequency != 'off';

-- "Напомнить через неделю" on one nudge.
CREATE TABLE snoozes (
    user_id           INTEGER NOT NULL REFERENCES users (id),
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id),
    until             TEXT    NOT NULL,
    PRIMARY KEY (user_id, recommendation_id)
) WITHOUT ROWID;

CREATE INDEX history_recent ON history (created_at, recommendation_id);
CREATE INDEX recommendations_created ON recommendations (created_at) WHERE removed = 0;
