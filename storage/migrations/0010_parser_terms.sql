-- Issue 10/11: what the reworked parser understands beyond a date.
-- The document's recipients ("Направить настоящие рекомендации в X, Y"), as a JSON list.
ALTER TABLE documents ADD COLUMN recipients TEXT NOT NULL DEFAULT '[]';
-- A term that recurs ("ежегодно до 1 марта": deadline is the next occurrence) or is counted
-- from an event ("в течение месяца со дня опубликования"); the note explains it on the card.
ALTER TABLE recommendations ADD COLUMN deadline_kind TEXT NOT NULL DEFAULT 'once'
    CHECK (deadline_kind IN ('once', 'recurring', 'relative'));
ALTER TABLE recommendations ADD COLUMN deadline_note TEXT;
-- recurring: 'year' | 'quarter' | 'month'
ALTER TABLE recommendations ADD COLUMN deadline_period TEXT;
