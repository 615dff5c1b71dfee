-- A recommendation's revision number in the deadline feeds (.ics SEQUENCE, RFC 5545 §3.8.7.4):
-- it grows with every change a calendar app must not miss — the deadline (the event's date),
-- the number or text (its title), and a status that cancels or closes it (its STATUS).  A
-- trigger, so that every path that updates an item (reports, deadlines, corrections,
-- re-imports) counts, and a value set again unchanged does not.
ALTER TABLE recommendations ADD COLUMN calendar_sequence INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER recommendations_calendar_sequence
AFTER UPDATE OF deadline, number, text, status ON recommendations
FOR EACH ROW
WHEN OLD.deadline IS NOT NEW.deadline
    OR OLD.number IS NOT NEW.number
    OR OLD.text IS NOT NEW.text
    OR (OLD.status IN ('done', 'wont_do') OR NEW.status IN ('done', 'wont_do'))
       AND OLD.status IS NOT NEW.status
BEGIN
    UPDATE recommendations SET calendar_sequence = calendar_sequence + 1 WHERE id = NEW.id;
END;
