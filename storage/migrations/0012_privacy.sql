-- Personal data (152-ФЗ): consent to processing, and history that outlives an account.

-- One row per person who answered the consent question.  No foreign key to users: a refusal
-- is kept on its own, without a profile or a name.  /forget deletes the row.
CREATE TABLE consents (
    user_id    INTEGER PRIMARY KEY,
    decision   TEXT    NOT NULL CHECK (decision IN ('given', 'refused')),
    version    TEXT    NOT NULL,  -- the version of the policy text that was shown
    decided_at TEXT    NOT NULL
);

-- The organization an official reported for (the addressee's name), so the report stays the
-- organization's when the person is forgotten; actor_alias groups one forgotten person's rows
-- (the id of their first row, not their user id) so their assessments still count once.
ALTER TABLE history ADD COLUMN actor_org TEXT;
ALTER TABLE history ADD COLUMN actor_alias INTEGER;

DROP TRIGGER history_is_append_only_update;

UPDATE history SET actor_org = (
    SELECT a.canonical FROM officials o
    JOIN recommendation_addressees ra ON ra.addressee_id = o.addressee_id
    JOIN addressees a ON a.id = o.addressee_id
    WHERE o.user_id = history.actor_id AND ra.recommendation_id = history.recommendation_id
    ORDER BY a.position LIMIT 1
) WHERE actor_role = 'official' AND actor_id IS NOT NULL;

-- History stays append-only; the one change allowed is forgetting who wrote a row.
CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
WHEN NOT (
    old.actor_id IS NOT NULL AND new.actor_id IS NULL AND new.actor_alias IS NOT NULL
    AND old.actor_alias IS NULL
    AND (new.actor_org IS old.actor_org OR old.actor_org IS NULL)
    AND new.id IS old.id AND new.recommendation_id IS old.recommendation_id
    AND new.actor_role IS old.actor_role AND new.event IS old.event
    AND new.old_status IS old.old_status AND new.new_status IS old.new_status
    AND new.comment IS old.comment AND new.evidence_kind IS old.evidence_kind
    AND new.evidence IS old.evidence AND new.evidence_name IS old.evidence_name
    AND new.old_deadline IS old.old_deadline AND new.new_deadline IS old.new_deadline
    AND new.verdict IS old.verdict AND new.created_at IS old.created_at
)
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;

CREATE INDEX history_actor ON history (actor_id) WHERE actor_id IS NOT NULL;

-- Retention: finished outbox rows whose payload is still kept, abandoned dialogs and drafts.
CREATE INDEX outbox_retained ON outbox (created_at)
    WHERE status NOT IN ('pending', 'sending') AND payload != '{}';
CREATE INDEX fsm_state_updated ON fsm_state (updated_at);
CREATE INDEX announcements_drafts ON announcements (created_at) WHERE status = 'draft';
CREATE INDEX document_drafts_created ON document_drafts (created_at);
CREATE INDEX document_drafts_uploader ON document_drafts (uploader_id);
