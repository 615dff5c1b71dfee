"""Deadlines as coordinators type them, read against a fixed today."""

import datetime as dt

import pytest

from bot.deadline_input import read_adoption_date, read_deadline

TODAY = dt.date(2026, 11, 30)  # a Monday


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("до 31 марта 2027", dt.date(2027, 3, 31)),
        ("31.03.2027", dt.date(2027, 3, 31)),
        ("31.03", dt.date(2027, 3, 31)),  # already past this year: the next one
        ("15.12", dt.date(2026, 12, 15)),
        ("31 марта", dt.date(2027, 3, 31)),
        ("через две недели", dt.date(2026, 12, 14)),
        ("Через неделю", dt.date(2026, 12, 7)),
        ("через 10 дней", dt.date(2026, 12, 10)),
        ("через месяц", dt.date(2026, 12, 30)),
        ("конец квартала", dt.date(2026, 12, 31)),
        ("до конца следующего квартала", dt.date(2027, 3, 31)),
        ("к концу года", dt.date(2026, 12, 31)),
        ("до конца марта 2027 года", dt.date(2027, 3, 31)),
        ("IV квартал 2027 года", dt.date(2027, 12, 31)),
        ("не позднее 1 февраля 2027 г.", dt.date(2027, 2, 1)),
    ],
)
def test_phrases_people_write(typed, day):
    result = read_deadline(typed, TODAY)
    assert result is not None and result.day == day and not result.past


@pytest.mark.parametrize("typed", ["нет", "Без срока", "-"])
def test_removing_the_deadline(typed):
    assert read_deadline(typed, TODAY).day is None


@pytest.mark.parametrize("typed", ["", "абв", "31.02.2026", "31.02", "2026-2027 гг. и 2028 г."])
def test_what_is_not_a_date(typed):
    assert read_deadline(typed, TODAY) is None


def test_a_past_date_is_read_and_flagged():
    result = read_deadline("01.02.2026", TODAY)
    assert result.day == dt.date(2026, 2, 1) and result.past


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("15 марта", dt.date(2026, 3, 15)),  # a day without a year: the last one, not the next
        ("15.03", dt.date(2026, 3, 15)),
        ("30.11", dt.date(2026, 11, 30)),  # today
        ("1 декабря", dt.date(2025, 12, 1)),
        ("14 марта 2024 года", dt.date(2024, 3, 14)),
        ("13.03.2024", dt.date(2024, 3, 13)),
    ],
)
def test_an_adoption_date_without_a_year_is_in_the_past(typed, day):
    result = read_adoption_date(typed, TODAY)
    assert result is not None and result.day == day


def test_an_adoption_date_is_not_a_term():
    assert read_adoption_date("через две недели", TODAY) is None
    assert read_adoption_date("нет", TODAY).day is None
