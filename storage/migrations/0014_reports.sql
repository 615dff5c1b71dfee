-- Reports that leave the chat (issue 14 §2): a status a coordinator enters on the basis of an
-- official letter («по письму № … от …»), or from a spreadsheet sent back from /report.
ALTER TABLE history ADD COLUMN basis TEXT CHECK (basis IN ('letter', 'spreadsheet'));
ALTER TABLE history ADD COLUMN letter_number TEXT;
ALTER TABLE history ADD COLUMN letter_date TEXT;  -- ISO date of the letter

-- History stays append-only; the one change allowed is forgetting who wrote a row (0012),
-- now with the basis columns among those that must stay as they were.
DROP TRIGGER history_is_append_only_update;
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
    AND new.basis IS old.basis AND new.letter_number IS old.letter_number
    AND new.letter_date IS old.letter_date
)
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;
