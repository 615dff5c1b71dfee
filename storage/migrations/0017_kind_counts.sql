-- How many items each kind has in every region, kept as the facets change (issue 15):
-- "что рекомендовано НКО?" shows a whole-country total, and counting it cost a pass over
-- every facet row of the kind (tens of milliseconds at a million recommendations).
-- relation 0: items addressed to the kind (facet rows); relation 1: items where the kind is
-- a joint partner and not also addressed to it in the same region (what the answer lists).
CREATE TABLE search_kind_counts (
    kind     TEXT    NOT NULL,
    relation INTEGER NOT NULL,
    items    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, relation)
) WITHOUT ROWID;

-- One row added or removed moves its own count; an addressed row also hides (or, removed,
-- shows again) a joint row of the same item and kind.  A rebuild pauses these and counts
-- everything again when it resumes them (search_state.paused back to 0).
CREATE TRIGGER search_kind_counts_ai AFTER INSERT ON search_facets
WHEN new.relation < 2 AND (SELECT paused FROM search_state WHERE id = 1) = 0
BEGIN
    INSERT OR IGNORE INTO search_kind_counts (kind, relation) VALUES (new.kind, new.relation);
    UPDATE search_kind_counts SET items = items + 1
    WHERE kind = new.kind AND relation = new.relation
    AND (new.relation = 0 OR NOT EXISTS (SELECT 1 FROM search_facets g
        WHERE g.region = new.region AND g.kind = new.kind AND g.relation = 0
        AND g.recommendation_id = new.recommendation_id));
    UPDATE search_kind_counts SET items = items - 1
    WHERE new.relation = 0 AND kind = new.kind AND relation = 1
    AND EXISTS (SELECT 1 FROM search_facets g
        WHERE g.region = new.region AND g.kind = new.kind AND g.relation = 1
        AND g.recommendation_id = new.recommendation_id);
END;

CREATE TRIGGER search_kind_counts_ad AFTER DELETE ON search_facets
WHEN old.relation < 2 AND (SELECT paused FROM search_state WHERE id = 1) = 0
BEGIN
    UPDATE search_kind_counts SET items = items - 1
    WHERE kind = old.kind AND relation = old.relation
    AND (old.relation = 0 OR NOT EXISTS (SELECT 1 FROM search_facets g
        WHERE g.region = old.region AND g.kind = old.kind AND g.relation = 0
        AND g.recommendation_id = old.recommendation_id));
    UPDATE search_kind_counts SET items = items + 1
    WHERE old.relation = 0 AND kind = old.kind AND relation = 1
    AND EXISTS (SELECT 1 FROM search_facets g
        WHERE g.region = old.region AND g.kind = old.kind AND g.relation = 1
        AND g.recommendation_id = old.recommendation_id);
END;

CREATE TRIGGER search_kind_counts_resume AFTER UPDATE OF paused ON search_state
WHEN old.paused = 1 AND new.paused = 0
BEGIN
    DELETE FROM search_kind_counts;
    INSERT INTO search_kind_counts (kind, relation, items)
    SELECT f.kind, f.relation, count(*) FROM search_facets f
    WHERE f.relation < 2 AND (f.relation = 0 OR NOT EXISTS (SELECT 1 FROM search_facets g
        WHERE g.region = f.region AND g.kind = f.kind AND g.relation = 0
        AND g.recommendation_id = f.recommendation_id))
    GROUP BY f.kind, f.relation;
END;

-- Count what the index holds now, as after a rebuild.
UPDATE search_state SET paused = 1 WHERE id = 1;
UPDATE search_state SET paused = 0 WHERE id = 1;

-- /my sorts the items naming an organization (a thousand at a million recommendations) by
-- deadline, document and position, and a question reads its candidates' keys: from this
-- narrow index (queries name it with INDEXED BY) instead of the wide rows with their text,
-- which a page cache cannot hold at that size.
CREATE INDEX recommendations_keys
    ON recommendations (id, removed, deadline, document_id, position, status);
