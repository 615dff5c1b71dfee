-- Search over recommendations.
-- search_docs holds the lemmatised text of each live recommendation (filled by bot/search.py,
-- not by SQL: lemmas need pymorphy); search_fts indexes it as an external-content FTS5 table.
CREATE TABLE search_docs (
    recommendation_id INTEGER PRIMARY KEY REFERENCES recommendations (id) ON DELETE CASCADE,
    document_id       INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    region            TEXT    NOT NULL DEFAULT '',
    body              TEXT    NOT NULL,  -- lemmas of the text, abbreviations expanded
    addressees        TEXT    NOT NULL,  -- lemmas of the addressees' names and kind labels
    title             TEXT    NOT NULL,  -- lemmas of the document title
    tags              TEXT    NOT NULL   -- region and kind tokens, to filter inside FTS
);
CREATE INDEX search_docs_document ON search_docs (document_id);
CREATE INDEX search_docs_region ON search_docs (region, document_id);

CREATE VIRTUAL TABLE search_fts USING fts5 (
    body, addressees, title, tags,
    content = 'search_docs',
    content_rowid = 'recommendation_id',
    tokenize = 'unicode61 remove_diacritics 0'
);

-- A full rebuild pauses the triggers and lets FTS5 'rebuild' read the table once.
CREATE TABLE search_state (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    paused INTEGER NOT NULL DEFAULT 0
);
INSERT INTO search_state (id, paused) VALUES (1, 0);

CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs
WHEN (SELECT paused FROM search_state WHERE id = 1) = 0
BEGIN
    INSERT INTO search_fts (rowid, body, addressees, title, tags)
    VALUES (new.recommendation_id, new.body, new.addressees, new.title, new.tags);
END;

CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs
WHEN (SELECT paused FROM search_state WHERE id = 1) = 0
BEGIN
    INSERT INTO search_fts (search_fts, rowid, body, addressees, title, tags)
    VALUES ('delete', old.recommendation_id, old.body, old.addressees, old.title, old.tags);
END;

CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs
WHEN (SELECT paused FROM search_state WHERE id = 1) = 0
BEGIN
    INSERT INTO search_fts (search_fts, rowid, body, addressees, title, tags)
    VALUES ('delete', old.recommendation_id, old.body, old.addressees, old.title, old.tags);
    INSERT INTO search_fts (rowid, body, addressees, title, tags)
    VALUES (new.recommendation_id, new.body, new.addressees, new.title, new.tags);
END;

-- Who a recommendation concerns, by (document region, kind): /my reads one index range.
-- relation: 0 addressed to a body of the kind, 1 the kind is a joint partner
-- ("совместно с …"), 2 for all participants (kind = 'participants').
CREATE TABLE search_facets (
    region            TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    relation          INTEGER NOT NULL,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    document_id       INTEGER NOT NULL,
    addressee_id      INTEGER,           -- the addressee of that kind, when there is one
    partner           TEXT,              -- joint: the partner as named, when not an addressee
    note              TEXT,              -- joint: "совместно с <main addressee>"
    -- deadline soonest, then newest document, then position: lets a whole-country list
    -- page in SQL ("что рекомендовано НКО?" has tens of thousands of rows)
    sort_key          TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (region, kind, relation, recommendation_id)
) WITHOUT ROWID;
CREATE INDEX search_facets_kind ON search_facets (kind, relation, sort_key);
CREATE INDEX search_facets_recommendation ON search_facets (recommendation_id);
CREATE INDEX search_facets_document ON search_facets (document_id);
