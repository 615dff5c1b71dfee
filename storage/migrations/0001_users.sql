-- People who talk to the bot. id is the Telegram user id.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    first_name    TEXT    NOT NULL DEFAULT '',
    last_name     TEXT,
    username      TEXT,
    language_code TEXT,
    role          TEXT    NOT NULL DEFAULT 'member'
                  CHECK (role IN ('member', 'official', 'coordinator', 'admin')),
    region        TEXT,
    is_active     INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE INDEX users_region ON users (region) WHERE is_active = 1;
