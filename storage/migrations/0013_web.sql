-- Personal links to the officials' web form (issue 14 §3): an addressee's official who does not
-- use Telegram reports through a browser.  Same rules as invites (per addressee, expiring,
-- revocable); only the SHA-256 of the token is kept, so a copy of the database opens nothing.
-- In the history a link acts as the actor -id (Telegram user ids are positive).
CREATE TABLE web_links (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT    NOT NULL UNIQUE,
    addressee_id INTEGER NOT NULL REFERENCES addressees (id),
    created_by   INTEGER NOT NULL,
    expires_at   TEXT    NOT NULL,
    revoked_at   TEXT,
    created_at   TEXT    NOT NULL,
    last_used_at TEXT
);
CREATE INDEX web_links_addressee ON web_links (addressee_id);

