"""Kinds for names the seeds never had (issue 10, point 6)."""

import pytest

from bot.vocabulary import classify_addressee


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Минэкономразвития России", "federal_body"),
        ("Минюст России", "federal_body"),
        ("Минтруд России", "federal_body"),
        ("Росмолодёжь", "federal_body"),
        ("ФАДН России", "federal_body"),
        ("Управление Роспотребнадзора по Тульской области", "federal_body"),
        ("Органы исполнительной власти субъектов Российской Федерации", "regional_government"),
        ("Комитет по аграрной политике Законодательного Собрания Тверской области", "legislature"),
        ("Комитет здравоохранения Курской области", "ministry_or_agency"),
        ("Администрация Кашинского городского округа", "local_government"),
        ("Администрация Кондопожского муниципального района", "local_government"),
        ("Администрация Смоленской области", "regional_government"),
        (
            "Глава муниципального образования «Селижаровский муниципальный округ»",
            "local_government",
        ),
        ("Исполнительный комитет Зеленодольского муниципального района", "local_government"),
        ("Молодёжный парламент Красноярского края", "public_council"),
        ("Управляющие организации", "business"),
        ("Комитет архитектуры и градостроительства города Курска", "local_government"),
        ("Департамент внутренней политики города Севастополя", "ministry_or_agency"),
    ],
)
def test_kind(name, kind):
    assert classify_addressee(name) == kind
