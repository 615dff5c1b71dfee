-- A coordinator corrects what the parser understood: operations keyed by stable identity
-- (an item by its normalised text, then its number; an addressee by its current name),
-- re-applied to every new parse of the same document, so re-import keeps the fixes.

-- A draft's own corrections (JSON list of operations), applied on top of the published
-- document's ones when the draft is a new version.
ALTER TABLE document_drafts ADD COLUMN corrections TEXT NOT NULL DEFAULT '[]';

-- The parse as the parser produced it (before corrections) and its key, so a re-upload of
-- the same file finds its document even when the title, date or region were corrected.
CREATE TABLE document_parses (
    document_id INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    parsed_key  TEXT    NOT NULL,
    parsed      TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX document_parses_key ON document_parses (parsed_key);

-- Append-only: who corrected what and when (also the list re-applied on re-import).
CREATE TABLE document_corrections (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    actor_id    INTEGER,
    actor_role  TEXT    NOT NULL,
    op          TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX document_corrections_document ON document_corrections (document_id, id);
