"""«№ 01-12/345 от 05.11.2026» as coordinators type it."""

import datetime as dt

import pytest

from bot.letters import LetterError, read_letter

TODAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("text", "number", "date"),
    [
        ("№ 01-12/345 от 05.11.2025", "01-12/345", dt.date(2025, 11, 5)),
        ("01-12/345 от 5 ноября 2025 г.", "01-12/345", dt.date(2025, 11, 5)),
        ("письмо №17 от 02.03.2026", "17", dt.date(2026, 3, 2)),
        ("N 5-ОГ от 1.02.2026", "5-ОГ", dt.date(2026, 2, 1)),
        ("  № ИСХ-2026/14  от  27.02.2026. ", "ИСХ-2026/14", dt.date(2026, 2, 27)),
    ],
)
def test_number_and_date(text, number, date):
    letter = read_letter(text, TODAY)
    assert (letter.number, letter.date) == (number, date)


@pytest.mark.parametrize("text", ["", "от 05.11.2025", "№ 12", "№ 12 от вчера", "№ 12 от 2025"])
def test_unreadable(text):
    with pytest.raises(LetterError) as raised:
        read_letter(text, TODAY)
    assert raised.value.key == "reports.letter.bad_letter"


def test_a_letter_from_the_future_is_a_slip():
    with pytest.raises(LetterError) as raised:
        read_letter("№ 12 от 03.03.2026", TODAY)
    assert raised.value.key == "reports.letter.future_date"
    assert raised.value.params == {"date": "03.03.2026"}
