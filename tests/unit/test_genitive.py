"""«представитель …»: an organization's name in the genitive, for anonymised history."""

import pytest

from bot.morph import to_genitive


@pytest.mark.parametrize(
    ("name", "genitive"),
    [
        ("Правительство области", "Правительства области"),
        ("Законодательное Собрание Амурской области", "Законодательного Собрания Амурской области"),
        ("Общественная палата Российской Федерации", "Общественной палаты Российской Федерации"),
        ("органы местного самоуправления", "органов местного самоуправления"),
        ("ресурсные центры", "ресурсных центров"),
        ("Уполномоченный по правам человека", "Уполномоченного по правам человека"),
        ("ОМСУ", "ОМСУ"),
    ],
)
def test_names_in_the_genitive(name, genitive):
    assert to_genitive(name) == genitive


def test_not_a_noun_group():
    assert to_genitive("2024") is None
