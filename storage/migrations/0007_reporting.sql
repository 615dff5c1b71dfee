-- Officials are bound to addressees by invites; every change to a recommendation is an
-- append-only history row (who, role, when, what, evidence).
CREATE TABLE invites (
    id           INTEGER PRIMARY KEY,
    token        TEXT    NOT NULL UNIQUE,
    addressee_id INTEGER NOT NULL REFERENCES addressees (id),
    created_by   INTEGER NOT NULL,
    max_uses     INTEGER NOT NULL DEFAULT 1 CHECK (max_uses >= 1),
    uses         INTEGER NOT NULL DEFAULT 0,
    expires_at   TEXT    NOT NULL,
    revoked_at   TEXT,
    created_at   TEXT    NOT NULL
);
CREATE INDEX invites_addressee ON invites (addressee_id);

CREATE TABLE officials (
    user_id      INTEGER NOT NULL REFERENCES users (id),
    addressee_id INTEGER NOT NULL REFERENCES addressees (id),
    invite_id    INTEGER REFERENCES invites (id),
    created_at   TEXT    NOT NULL,
    revoked_at   TEXT,
    PRIMARY KEY (user_id, addressee_id)
) WITHOUT ROWID;
CREATE INDEX officials_addressee ON officials (addressee_id) WHERE revoked_at IS NULL;

CREATE TABLE history (
    id                INTEGER PRIMARY KEY,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id),
    actor_id          INTEGER,
    actor_role        TEXT    NOT NULL,
    event             TEXT    NOT NULL
                      CHECK (event IN ('status', 'comment', 'deadline', 'assessment')),
    old_status        TEXT,
    new_status        TEXT,
    comment           TEXT,
    evidence_kind     TEXT CHECK (evidence_kind IN ('document', 'photo', 'link')),
    evidence          TEXT,
    evidence_name     TEXT,
    old_deadline      TEXT,
    new_deadline      TEXT,
    verdict           TEXT CHECK (verdict IN ('agree', 'disagree')),
    created_at        TEXT    NOT NULL
);
CREATE INDEX history_recommendation ON history (recommendation_id, id);
CREATE INDEX history_created ON history (created_at);

CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;
CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;

-- How a follower hears of changes: at once ('immediate') or in the digest ('digest').
ALTER TABLE users ADD COLUMN follow_notify TEXT NOT NULL DEFAULT 'immediate'
    CHECK (follow_notify IN ('immediate', 'digest'));

-- Which recommendations a message the bot sent is about, so that a reply to a card, a nudge
-- or a digest is recorded against the right recommendation.
CREATE TABLE message_refs (
    chat_id           INTEGER NOT NULL,
    message_id        INTEGER NOT NULL,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id),
    PRIMARY KEY (chat_id, message_id, recommendation_id)
) WITHOUT ROWID;
