"""Terms beyond a dated deadline: no year, quarters in words, recurring and relative terms."""

import datetime as dt

import pytest

from bot.ingest.deadlines import find_deadline, find_term, next_occurrence

ADOPTED = dt.date(2024, 10, 25)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("До 1 декабря утвердить план мероприятий", dt.date(2024, 12, 1)),
        ("До 15 марта подготовить рекомендации", dt.date(2025, 3, 15)),
        ("К 5 декабря, Международному дню добровольца, провести", dt.date(2024, 12, 5)),
        ("министерству края в срок до 1 сентября представить", dt.date(2025, 9, 1)),
        ("до 25 октября провести", dt.date(2024, 10, 25)),
    ],
)
def test_a_day_without_a_year_is_the_next_such_day(text, date):
    found = find_deadline(text, ADOPTED)
    assert found is not None and (found.date, found.precision, found.kind) == (date, "day", "once")


def test_a_day_without_a_year_needs_the_documents_date():
    assert find_deadline("До 1 декабря утвердить план", None) is None


def test_the_old_signature_still_reads_dated_deadlines():
    found = find_deadline("до 1 марта 2025 г. утвердить")
    assert (found.date, found.precision, found.phrase) == (
        dt.date(2025, 3, 1),
        "day",
        "до 1 марта 2025 г.",
    )


def test_quarter_in_words():
    found = find_term("до конца второго квартала 2025 года рассмотреть", ADOPTED)
    assert (found.date, found.precision) == (dt.date(2025, 6, 30), "month")


@pytest.mark.parametrize(
    "text",
    [
        "предусмотреть в областном бюджете на 2025 год средства",
        "при подготовке проекта бюджета на 2025 год предусмотреть средства",
    ],
)
def test_a_budget_year_is_not_a_term(text):
    assert find_term(text, ADOPTED) is None


@pytest.mark.parametrize(
    ("text", "date", "period", "note"),
    [
        (
            "ежегодно до 1 марта публиковать доклад",
            dt.date(2025, 3, 1),
            "year",
            "ежегодно до 1 марта",
        ),
        ("ежеквартально информировать палату", dt.date(2024, 12, 31), "quarter", "ежеквартально"),
        ("Ежегодно проводить форум", dt.date(2024, 12, 31), "year", "ежегодно"),
        ("ежемесячно публиковать сведения", dt.date(2024, 10, 31), "month", "ежемесячно"),
    ],
)
def test_recurring_terms_are_not_without_a_term(text, date, period, note):
    found = find_term(text, ADOPTED)
    assert found is not None
    assert (found.kind, found.date, found.period, found.note) == ("recurring", date, period, note)


def test_relative_term_is_counted_from_the_document_and_explained():
    found = find_term(
        "в течение месяца со дня опубликования настоящих рекомендаций провести консультации",
        ADOPTED,
    )
    assert found is not None and found.kind == "relative"
    assert found.date == dt.date(2024, 11, 25)
    assert found.note.startswith("в течение месяца со дня опубликования")


def test_a_dated_term_before_a_recurring_word_wins():
    found = find_term("до 1 марта 2025 г. утвердить план и ежегодно его обновлять", ADOPTED)
    assert (found.kind, found.date) == ("once", dt.date(2025, 3, 1))


@pytest.mark.parametrize(
    ("stored", "period", "today", "current"),
    [
        (dt.date(2025, 3, 1), "year", dt.date(2025, 2, 1), dt.date(2025, 3, 1)),
        (dt.date(2025, 3, 1), "year", dt.date(2025, 3, 2), dt.date(2026, 3, 1)),
        (dt.date(2025, 3, 1), "year", dt.date(2027, 1, 5), dt.date(2027, 3, 1)),
        (dt.date(2024, 12, 31), "quarter", dt.date(2025, 2, 10), dt.date(2025, 3, 31)),
        (dt.date(2024, 10, 31), "month", dt.date(2025, 2, 10), dt.date(2025, 2, 28)),
        (dt.date(2025, 3, 1), None, dt.date(2026, 1, 1), dt.date(2025, 3, 1)),
    ],
)
def test_next_occurrence_of_a_recurring_term(stored, period, today, current):
    assert next_occurrence(stored, period, today) == current


def test_the_recurring_terms_warning_agrees_with_the_number_of_items():
    from bot.ingest.parser import parse_resolution

    text = "\n".join(
        [
            "Решение Общественной палаты Амурской области",
            "от 14.03.2025 № 4",
            "РЕШИЛА:",
            "1. Рекомендовать министерству образования Амурской области ежегодно до 1 марта "
            "публиковать доклад.",
            "2. Рекомендовать министерству культуры Амурской области ежеквартально "
            "информировать палату.",
        ]
    )
    warning = next(w for w in parse_resolution(text, "r.txt").warnings if "Повторяющиеся" in w)
    assert "— пункты 1, 2:" in warning
