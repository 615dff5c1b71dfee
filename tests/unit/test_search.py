"""Pure parts of search: names in cases, joint partners, organization names, questions, CLI."""

from __future__ import annotations

import argparse
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching import (
    addressee_kinds,
    fts_terms,
    inflect_name,
    is_instrumental,
    is_participants,
    joint_partners,
    normalise,
    org_name,
    parse_question,
    reason_joint,
    reason_kind,
    reason_participants,
    region_genitive,
    valid_region,
)
from bot.search import Profile


@pytest.mark.parametrize(
    ("region", "genitive"),
    [
        ("Камчатский край", "Камчатского края"),
        ("Амурская область", "Амурской области"),
        ("Севастополь", "Севастополя"),
        ("Республика Саха (Якутия)", "Республики Саха (Якутия)"),
        ("Ханты-Мансийский автономный округ — Югра", "Ханты-Мансийского автономного округа — Югра"),
        ("Санкт-Петербург", "Санкт-Петербурга"),
    ],
)
def test_region_genitive(region, genitive):
    assert region_genitive(region) == genitive


def test_reasons_read_as_russian():
    assert (
        reason_kind("local_government", "Камчатский край")
        == "адресовано органам местного самоуправления Камчатского края"
    )
    assert reason_kind("resource_center", None) == "адресовано ресурсным центрам"
    assert (
        reason_participants("Амурская область")
        == "адресовано всем участникам форума в Амурской области"
    )
    assert (
        reason_joint("Агентство по внутренней политике Камчатского края")
        == "совместно с Агентством по внутренней политике Камчатского края"
    )
    assert (
        reason_joint("Органы местного самоуправления области")
        == "совместно с органами местного самоуправления области"
    )
    assert (
        reason_joint("Социально ориентированные некоммерческие организации")
        == "совместно с Социально ориентированными некоммерческими организациями"
    )
    assert inflect_name("Общественная палата Амурской области", "datv") == (
        "Общественной палате Амурской области"
    )


def test_joint_partners_are_bodies_in_the_instrumental():
    text = (
        "Совместно с профильными комитетами Администрации Ленинградской области, "
        "Ленинградской областной торгово-промышленной палатой, ресурсными центрами НКО "
        "организовать встречу"
    )
    found = joint_partners(text)
    assert "ресурсными центрами НКО" in found
    assert any(p.startswith("профильными комитетами") for p in found)
    # "с приглашением представителей …" is not a partner.
    assert joint_partners(
        "совместно с ресурсными центрами НКО и с приглашением представителей местных администраций"
    ) == ["ресурсными центрами НКО"]
    assert joint_partners("проработать совместно с НКО вопросы создания центров") == ["НКО"]
    assert joint_partners("Организовать семинары для НКО") == []


def test_addressee_shapes():
    assert is_instrumental("органами местного самоуправления муниципальных образований")
    assert not is_instrumental("органам местного самоуправления")
    assert not is_instrumental("АНО «Ресурсный центр»")
    assert is_participants("Участники конференции")
    assert not is_participants("Общественная палата Амурской области")
    assert addressee_kinds(
        "Руководители социально ориентированных некоммерческих организаций, ресурсных центров",
        "ngo",
    ) == ("ngo", "resource_center")
    # A commission "по … взаимодействию с органами …" names topics, not more bodies.
    assert addressee_kinds(
        "Комиссия по взаимодействию с органами местного самоуправления Общественной палаты",
        "public_chamber",
    ) == ("public_chamber",)


def test_organization_names_compare_by_lemmas():
    dative = org_name("Общественной палате Амурской области")
    nominative = org_name("«Общественная палата Амурской области»")
    assert dative == nominative and dative.specific
    assert org_name("АНО «Ресурсный центр поддержки СО НКО»").lemmas[:2] == ("ресурсный", "центр")
    assert not org_name("Ресурсный центр").specific  # a kind, not one body
    assert org_name("Госкорпорация «Росатом»").lemmas == ("росатом",)
    assert org_name("  ") is None and org_name(None) is None


def test_abbreviations_expand_for_the_index():
    assert normalise("СО НКО и ОМСУ") == (
        "социально ориентировать некоммерческий организация и орган местный самоуправление"
    )
    assert "ё" not in normalise("Молодёжной политике")


@pytest.mark.parametrize(
    ("question", "region", "kind", "topic"),
    [
        ("что рекомендовано ресурсным центрам?", None, "resource_center", []),
        (
            "какие рекомендации по молодёжной политике в Амурской области",
            "Амурская область",
            None,
            ["молодежный", "политика"],
        ),
        (
            "поддержка СО НКО в Севастополе",
            "Севастополь",
            "ngo",
            ["поддержка", "социально", "ориентировать"],
        ),
        ("что должна сделать общественная палата", None, "public_chamber", []),
        ("что рекомендовано ОМСУ", None, "local_government", []),
        ("задачи для омсу в Камчатском крае", "Камчатский край", "local_government", ["задача"]),
    ],
)
def test_parse_question(question, region, kind, topic):
    q = parse_question(question)
    assert q.region == region
    assert q.kind == kind
    assert [w.lemma for w in q.topic] == topic


def test_query_terms_keep_an_abbreviation_as_a_phrase():
    q = parse_question("поддержка СО НКО")
    terms = fts_terms(q.topic + q.kind_words)
    assert terms == ['"поддержка"', '"социально ориентировать некоммерческий организация"']


def test_valid_region_accepts_prefixes():
    assert valid_region("Амурская область") == "Амурская область"
    assert valid_region("камч") == "Камчатский край"
    assert valid_region("в Благовещенске") == "Амурская область"
    assert valid_region("нигде") is None
    assert valid_region(None) is None


def test_profile_from_shapes():
    assert Profile.of({"region": "Севастополь", "org_kind": "ngo", "org_name": "X"}) == Profile(
        "Севастополь", "ngo", "X"
    )


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet='абвгдеёжзийклмнопрстуфхцчшщъыьэюя АБВГДЕЁНКОСМУ«»"?,.-—()*:', max_size=80))
def test_questions_never_break_fts_syntax(text):
    q = parse_question(text)
    for term in fts_terms(q.topic + q.kind_words):
        assert term.startswith('"') and term.count('"') == 2


# ---- CLI -------------------------------------------------------------------------------


@pytest.fixture
def cli_settings(settings):
    return settings.model_copy(update={"import_seeds_on_empty": True})


def build_cli():
    from bot.search_cli import add_search_commands

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    commands: dict = {}
    add_search_commands(sub, commands)
    return parser, commands


async def test_cli_my_and_ask_json(cli_settings, capsys):
    parser, commands = build_cli()
    args = parser.parse_args(
        ["my", "--region", "Камчатский край", "--kind", "local_government", "--json"]
    )
    assert await commands["my"](args, cli_settings) == 0
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert data["query"]["region"] == "Камчатский край"
    first = data["results"][0]
    assert set(first) == {"recommendation_id", "source", "number", "addressee", "score", "reasons"}
    assert first["source"].startswith("003_") and first["number"] == "2.1"

    args = parser.parse_args(["ask", "что рекомендовано ресурсным центрам?", "--json"])
    assert await commands["ask"](args, cli_settings) == 0
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert data["results"][0]["reasons"] == ["адресовано ресурсным центрам Севастополя"]


async def test_cli_readable_and_bad_kind(cli_settings, capsys):
    parser, commands = build_cli()
    args = parser.parse_args(["ask", "озеленение на Чукотке"])
    assert await commands["ask"](args, cli_settings) == 0
    out = capsys.readouterr().out
    assert "Найдено: 0 рекомендаций" in out and "Что можно попробовать" in out
    args = parser.parse_args(["my", "--region", "Амурская область", "--kind", "nonsense"])
    assert await commands["my"](args, cli_settings) == 2
    assert "неизвестный вид" in capsys.readouterr().err


def test_question_word_lemmas_are_cached_once_per_word():
    """Issue 15: a question's words are lemmatised once per distinct word (a bounded LRU);
    the cached answer is the same as the first, abbreviations included."""
    from bot.matching import _word_forms, question_words

    _word_forms.cache_clear()
    first = question_words("поддержка НКО и поддержка ТОС")
    info = _word_forms.cache_info()
    assert info.misses == 4 and info.hits == 1  # "поддержка" twice, "НКО", "и", "ТОС"
    again = question_words("поддержка НКО и поддержка ТОС")
    assert again == first
    assert [w.abbr for w in first].count("НКО") == 2  # "некоммерческие организации"
    assert _word_forms.cache_info().maxsize is not None


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "-",
        "поддержка нко",
        "социально-ориентированный  организация",
        " ведущий пробел",
        "хвост-",
        "-начало",
        "табуляция\tи\nперевод\u00a0строки\u2003",
        "кто-то - где-то -- там",
    ],
)
def test_row_tokens_split_like_the_index_pattern(text):
    """Issue 15: a question's candidates are split into lemmas with str methods; the set
    is the one the regular expression gave."""
    import re

    from bot.search import _tokens

    assert _tokens(text) == set(re.split(r"[\s-]+", text))
