-- Resolutions and their recommendations.
-- A document is identified across versions by doc_key (normalised title + date adopted);
-- content_hash tells whether a re-import brings anything new.
CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    doc_key      TEXT    NOT NULL UNIQUE,
    source       TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    adopted_on   TEXT,
    place        TEXT,
    region       TEXT,
    warnings     TEXT    NOT NULL DEFAULT '[]',
    version      INTEGER NOT NULL DEFAULT 1,
    imported_by  INTEGER,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX documents_region ON documents (region);

CREATE TABLE addressees (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    canonical   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    region      TEXT,
    UNIQUE (document_id, canonical)
);
CREATE INDEX addressees_kind_region ON addressees (kind, region);

CREATE TABLE recommendations (
    id                 INTEGER PRIMARY KEY,
    document_id        INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    number             TEXT    NOT NULL,
    text               TEXT    NOT NULL,
    deadline           TEXT,
    deadline_precision TEXT CHECK (deadline_precision IN ('day', 'month', 'year')),
    deadline_phrase    TEXT,
    -- 'document' when parsed from the text, 'coordinator' once a coordinator set it by hand
    deadline_source    TEXT    NOT NULL DEFAULT 'document',
    mentions           TEXT    NOT NULL DEFAULT '[]',
    status             TEXT    NOT NULL DEFAULT 'not_started',
    status_changed_at  TEXT,
    -- 1 when a corrected version of the document no longer has this item (history is kept)
    removed            INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
);
CREATE INDEX recommendations_document ON recommendations (document_id, position);
CREATE INDEX recommendations_deadline ON recommendations (deadline) WHERE removed = 0;

CREATE TABLE recommendation_addressees (
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    addressee_id      INTEGER NOT NULL REFERENCES addressees (id) ON DELETE CASCADE,
    PRIMARY KEY (recommendation_id, addressee_id)
) WITHOUT ROWID;
CREATE INDEX recommendation_addressees_addressee ON recommendation_addressees (addressee_id);

-- A document sent in chat waits here as parsed JSON until its coordinator publishes it.
-- AUTOINCREMENT: a deleted draft's id is never reused, so an old Publish button stays dead.
CREATE TABLE document_drafts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uploader_id  INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    parsed       TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);

-- Coordinators are appointed per region by admins.
CREATE TABLE coordinators (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    region      TEXT    NOT NULL,
    appointed_by INTEGER,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (user_id, region)
) WITHOUT ROWID;
