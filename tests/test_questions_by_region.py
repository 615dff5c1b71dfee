"""Issue 11, point 1: questions know the asker's region, named regions and status questions.

The shipped resolutions are imported once per module (see ``test_matching_table``).
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.matching import parse_question
from tests.test_matching_table import AMUR, label, seeded, seeded_template  # noqa: F401

LENINGRAD = "Ленинградская область"
TODAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("question", "region"),
    [
        ("что рекомендовано органам власти Тверской области?", "Тверская область"),
        ("что рекомендовано в Амурской области", AMUR),
        ("что рекомендовано по Амурской", AMUR),
        ("по амурской области что есть", AMUR),
        ("что рекомендовано Камчатскому краю", "Камчатский край"),
        ("рекомендации Ямало-Ненецкому округу", "Ямало-Ненецкий автономный округ"),
    ],
)
def test_a_named_region_is_recognised_in_any_case_form(question, region):
    q = parse_question(question)
    assert q.region == region
    assert not any(w.lemma in {"тверской", "амурский", "область"} for w in q.topic)


@pytest.mark.parametrize(
    ("question", "status"),
    [
        ("что просрочено?", "overdue"),
        ("что без срока?", "no_deadline"),
        ("что выполнено?", "done"),
        ("какие сроки у правительства области?", "with_deadline"),
        ("что выполнено частично?", "partially_done"),
        ("что в работе?", "in_progress"),
    ],
)
def test_status_and_deadline_questions_are_understood(question, status):
    q = parse_question(question)
    assert q.status == status and q.topic == []


def test_deadline_words_next_to_a_topic_stay_a_topic():
    q = parse_question("сроки проведения конкурсов")
    assert q.status is None
    assert [w.lemma for w in q.topic][:1] == ["срок"]


async def test_the_askers_region_ranks_first(seeded):  # noqa: F811
    result = await seeded.ask("комитет по социальной защите", home_region=LENINGRAD, limit=50)
    assert result.home_region == LENINGRAD and result.matches
    regions = [m.region for m in result.matches]
    assert regions[0] == LENINGRAD
    # «комитет» is a kind: items addressed to it or naming it come first (test_question_words),
    # and within them and within the rest every item of the home region comes before any
    # item of another region.
    on_kind = [
        any(r.startswith("адресовано") for r in m.reasons)
        or any("комитет" in r for r in m.reasons if r.startswith("совпали слова"))
        for m in result.matches
    ]
    assert False in on_kind and not any(on_kind[on_kind.index(False) :])
    for tier in (True, False):
        seen_other = False
        for region, kind in zip(regions, on_kind, strict=True):
            if kind != tier:
                continue
            if region != LENINGRAD:
                seen_other = True
            assert not (seen_other and region == LENINGRAD)
    assert result.home_total == regions.count(LENINGRAD)


async def test_home_region_without_matches_still_answers_from_elsewhere(seeded):  # noqa: F811
    result = await seeded.ask("что рекомендовано ресурсным центрам?", home_region=AMUR)
    assert result.home_region == AMUR and result.home_total == 0
    assert result.total > 0 and all(m.region != AMUR for m in result.matches)


async def test_a_region_without_documents_says_so(seeded):  # noqa: F811
    result = await seeded.ask(
        "что рекомендовано органам власти Тверской области?", home_region=AMUR
    )
    assert result.region == "Тверская область"
    assert result.matches == [] and result.total == 0
    assert result.region_empty
    assert result.suggestions  # the nearest useful action


async def test_what_is_overdue(seeded):  # noqa: F811
    result = await seeded.ask("что просрочено?", home_region=AMUR, today=TODAY, limit=50)
    assert result.status == "overdue" and result.total > 0
    assert all(m.deadline and m.deadline < TODAY.isoformat() for m in result.matches)
    assert result.matches[0].region == AMUR
    assert {label(m) for m in result.matches if m.region == AMUR} == {
        "002 1.11",
        "002 3.3",
        "002 4.5",
    }


async def test_what_has_no_deadline(seeded):  # noqa: F811
    result = await seeded.ask("что без срока?", home_region=AMUR, limit=50)
    assert result.status == "no_deadline" and result.total > 0
    assert all(m.deadline is None for m in result.matches)
    assert result.matches[0].region == AMUR


async def test_what_is_done(seeded):  # noqa: F811
    result = await seeded.ask("что выполнено?", home_region=AMUR)
    assert result.status == "done" and result.total == 0
    await seeded.db.execute(
        "UPDATE recommendations SET status = 'done' WHERE id = (SELECT min(id) FROM"
        " recommendations WHERE document_id = (SELECT id FROM documents WHERE region = ?))",
        (AMUR,),
    )
    result = await seeded.ask("что выполнено?", home_region=AMUR)
    assert result.total == 1 and result.matches[0].status == "done"


async def test_deadlines_of_a_body_that_has_none_say_exactly_that(seeded):  # noqa: F811
    await seeded.db.execute("UPDATE recommendations SET deadline = NULL")
    result = await seeded.ask("какие сроки у правительства области?", home_region=AMUR)
    assert result.status == "with_deadline" and result.kind == "regional_government"
    assert result.total == 0 and result.matches == []
    assert result.unfiltered > 0  # there are recommendations, just no deadlines


@pytest.mark.parametrize(
    "question",
    [
        "что рекомендовано минкультуры амурской области",
        "минкультуры Амурской области",
    ],
)
async def test_a_ministry_abbreviation_with_a_region_is_that_regions_ministry(
    seeded,  # noqa: F811
    question,
):
    q = parse_question(question)
    assert q.region == AMUR and q.kind == "ministry_or_agency"
    assert "культура" in [w.lemma for w in q.topic]
    result = await seeded.ask(question, home_region=AMUR, limit=50)
    assert result.total > 0
    assert all(m.region == AMUR for m in result.matches)
    # the same answer as the full name gives
    full = await seeded.ask(
        "что рекомендовано министерству культуры амурской области", home_region=AMUR, limit=50
    )
    assert {label(m) for m in result.matches} == {label(m) for m in full.matches}


def test_a_ministry_abbreviation_without_a_region_stays_federal():
    assert parse_question("что рекомендовано минкультуры?").kind == "federal_body"


def test_deadlines_of_a_named_ministry_stay_a_deadline_question():
    q = parse_question("какие сроки у министерства культуры?")
    assert q.status == "with_deadline" and q.kind == "ministry_or_agency"
    assert [w.lemma for w in q.topic] == ["культура"]
    # a topic before the body is still a topic: "сроки проведения конкурсов у министерства"
    assert parse_question("сроки проведения конкурсов министерством").status is None
    assert parse_question("сроки минкультуры амурской области").status == "with_deadline"
