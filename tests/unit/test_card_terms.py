"""The card tells an item without addressee, a recurring or relative term, and where the
document was sent (issue 10 points 2, 3, 7; issue 11 point 12)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.texts import Texts
from bot.views import Card, render_card
from storage.documents import AddresseeRow, DocumentRow, RecommendationRow
from tests.texts import expect, matches

TEXTS = Texts.load()


def document(recipients: list[str]) -> DocumentRow:
    return DocumentRow(
        id=1, doc_key="k", source="s.txt", content_hash="h", title="Решение Общественной палаты",
        adopted_on="2024-11-30", place=None, region="Иркутская область", warnings=[], version=1,
        created_at="2024-11-30T00:00:00+00:00", updated_at="2024-11-30T00:00:00+00:00",
        recipients=recipients,
    )  # fmt: skip


def recommendation(**deadline) -> RecommendationRow:
    fields = dict(deadline=None, deadline_precision=None, deadline_phrase=None)
    fields.update(deadline)
    return RecommendationRow(
        id=7, document_id=1, position=0, number="2", text="Публиковать доклад <о среде>",
        deadline_source="document", mentions=[], status="not_started", status_changed_at=None,
        removed=False, **fields,
    )  # fmt: skip


def card(rec: RecommendationRow, addressees: list[AddresseeRow], recipients=()) -> str:
    card = Card(rec, document(list(recipients)), addressees, [], zone=ZoneInfo("Asia/Irkutsk"))
    return render_card(TEXTS, card)


def test_an_item_without_addressee_says_so():
    text = card(recommendation(), [])
    assert matches("card.head", addressees=expect("card.no_addressee")).within(text)
    assert "участник" not in text


def test_recurring_term_is_explained_with_its_next_occurrence():
    rec = recommendation(
        deadline="2025-03-01", deadline_precision="day", deadline_phrase="ежегодно до 1 марта",
        deadline_kind="recurring", deadline_note="ежегодно до 1 марта", deadline_period="year",
    )  # fmt: skip
    text = card(rec, [])
    term = expect("card.deadline_recurring", note="ежегодно до 1 марта", date="до 1 марта 2025 г.")
    assert matches("card.head", deadline=term).within(text)


def test_relative_term_says_from_what_it_is_counted():
    rec = recommendation(
        deadline="2024-12-30", deadline_precision="day",
        deadline_phrase="в течение месяца со дня опубликования", deadline_kind="relative",
        deadline_note="в течение месяца со дня опубликования (отсчитано от даты документа)",
    )  # fmt: skip
    text = card(rec, [])
    note = "в течение месяца со дня опубликования (отсчитано от даты документа)"
    term = matches("card.deadline_relative", note=note)
    assert matches("card.head", deadline=term).within(text)
    assert "30 декабря 2024 г." in text


def test_recipients_line_is_escaped():
    text = card(recommendation(), [], ["Правительство Омской области", "Дума <А&Б>"])
    names = "Правительство Омской области, Дума <А&Б>"
    assert expect("card.recipients", names=names) in text
    assert "Дума &lt;А&amp;Б&gt;" in text
    assert "&lt;о среде&gt;" in text
