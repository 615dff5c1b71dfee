-- The organization a user speaks for, the regions they subscribe to, what they follow.
ALTER TABLE users ADD COLUMN org_kind TEXT;
ALTER TABLE users ADD COLUMN org_name TEXT;
ALTER TABLE users ADD COLUMN onboarded_at TEXT;

CREATE TABLE subscriptions (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    region     TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (user_id, region)
) WITHOUT ROWID;
CREATE INDEX subscriptions_region ON subscriptions (region);

CREATE TABLE follows (
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    created_at        TEXT    NOT NULL,
    PRIMARY KEY (user_id, recommendation_id)
) WITHOUT ROWID;
CREATE INDEX follows_recommendation ON follows (recommendation_id);
