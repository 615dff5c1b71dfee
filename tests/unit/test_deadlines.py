import datetime as dt

import pytest

from bot.ingest.deadlines import find_deadline, is_recurring

D = dt.date


@pytest.mark.parametrize(
    ("text", "adopted", "date", "precision", "phrase"),
    [
        ("представить до 1 марта 2025 г. отчёт", None, D(2025, 3, 1), "day", "до 1 марта 2025 г."),
        ("представить до 01.03.2025", None, D(2025, 3, 1), "day", "до 01.03.2025"),
        ("до конца марта 2025 года", None, D(2025, 3, 31), "month", "до конца марта 2025 года"),
        ("провести в марте 2025 г.", None, D(2025, 3, 31), "month", "в марте 2025 г."),
        ("провести в феврале 2024 года", None, D(2024, 2, 29), "month", "в феврале 2024 года"),
        (
            "реализовать в 2016 году обучение",
            D(2015, 12, 23),
            D(2016, 12, 31),
            "year",
            "в 2016 году",
        ),
        ("в 2022-2023 гг. предусмотреть", None, D(2023, 12, 31), "year", "в 2022-2023 гг."),
        (
            "в 2022-2023 г.г. предусмотреть",
            D(2022, 3, 25),
            D(2023, 12, 31),
            "year",
            "в 2022-2023 г.г.",
        ),
        (
            "на первый Съезд ТОС, который состоится в г. Москва 17-18 февраля 2016 года",
            D(2015, 12, 23),
            D(2016, 2, 18),
            "day",
            "17-18 февраля 2016 года",
        ),
        ("в I квартале 2025 г.", None, D(2025, 3, 31), "month", "в I квартале 2025 г."),
        ("на 2018 г. и на перспективу", D(2017, 9, 29), D(2018, 12, 31), "year", "на 2018 г."),
    ],
)
def test_deadlines_found(text, adopted, date, precision, phrase):
    deadline = find_deadline(text, adopted)
    assert deadline is not None
    assert (deadline.date, deadline.precision, deadline.phrase) == (date, precision, phrase)


@pytest.mark.parametrize(
    ("text", "adopted"),
    [
        ("проводить ежегодно", None),
        ("постоянно информировать", None),
        (
            "программы «Повышение эффективности … на 2014-2020 годы» до уровня 2012 года",
            D(2015, 12, 23),
        ),
        ("программы «Повышение эффективности … на 2014-2020 годы»", None),
        ("в соответствие требованиям Федерального закона от 28.12.2013 № 442-ФЗ", None),
        ("Государственной программы Севастополя на 2017-2024 годы", None),
        ("рекомендаций круглого стола, состоявшегося 07.07.2022 г.", D(2024, 4, 9)),
        ("Russian Pro Bono Summit 2017", None),
        ("начиная с 2016 года", None),
        ("до 31 февраля 2025 г.", None),
    ],
)
def test_not_deadlines(text, adopted):
    assert find_deadline(text, adopted) is None


def test_recurring():
    assert is_recurring("Проводить ежегодно")
    assert not is_recurring("Провести в 2025 году")
