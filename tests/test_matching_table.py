"""Which organization sees which items of the shipped resolutions (/my), as a table.

Items are named by document (the three-digit prefix of the file) and number.  The seeded
database is built once per module and copied for each test.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.container import build_services
from bot.paths import CONTENT_DIR
from bot.search import Profile, SearchService
from bot.settings import Settings
from storage import Database, apply_migrations
from tests.harness import BOT_TOKEN


def search_of(services) -> SearchService:
    """The container's search service, or one hooked into the importer here."""
    search = getattr(services, "search", None)
    if search is None:
        search = SearchService(services.db)
        services.importer.after_import.append(search.reindex_document)
    return search


async def _build_template(path: Path) -> None:
    from datetime import UTC, datetime

    settings = Settings(
        _env_file=None,
        bot_token=BOT_TOKEN,
        database_path=str(path),
        admin_ids=[900],
        import_seeds_on_empty=False,
    )
    db = await Database.connect(path)
    try:
        await apply_migrations(db)
        services = build_services(settings, db, FrozenClock(datetime(2026, 3, 2, tzinfo=UTC)))
        search_of(services)
        await services.importer.import_directory(CONTENT_DIR / "resolutions")
    finally:
        await db.close()


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "seeded.sqlite3"
    asyncio.run(_build_template(path))
    return path


@pytest.fixture
async def seeded(seeded_template, tmp_path) -> AsyncIterator[SearchService]:
    path = tmp_path / "copy.sqlite3"
    shutil.copy(seeded_template, path)
    db = await Database.connect(path)
    yield SearchService(db)
    await db.close()


def label(match) -> str:
    return f"{match.source[:3]} {match.number}"


AMUR = "Амурская область"
KAMCHATKA = "Камчатский край"
SEVASTOPOL = "Севастополь"

# (profile, items it must see, items it must not see)
TABLE = [
    pytest.param(
        Profile(AMUR, "ngo", None),
        ["002 7.1", "002 7.8", "002 7.13", "002 7.16"],
        ["002 7.9", "002 6.1", "002 1.1", "003 9.1", "004 2.1"],
        id="amur-ngo",
    ),
    pytest.param(
        Profile(KAMCHATKA, "local_government", "Администрация Вилючинского городского округа"),
        ["003 2.1", "003 1", "003 4", "003 7.3"],
        ["003 3.1", "003 9.2", "003 5.а", "002 4.1"],
        id="kamchatka-local-government",
    ),
    pytest.param(
        Profile(AMUR, "public_chamber", "Общественная палата Амурской области"),
        ["002 6.1", "002 6.2", "002 6.3", "002 6.4", "002 6.5", "002 6.6", "002 8"],
        ["001 1.1", "002 7.1", "002 1.1"],
        id="amur-public-chamber",
    ),
    pytest.param(
        Profile(SEVASTOPOL, "resource_center", "АНО «Ресурсный центр поддержки СО НКО»"),
        ["004 1.1", "004 1.2", "004 2.1", "004 2.2", "004 4", "004 5"],
        ["004 3.1", "004 3.4", "003 3.1", "001 1.1"],
        id="sevastopol-resource-centre-named",
    ),
    pytest.param(
        Profile(KAMCHATKA, "resource_center", "Камчатский краевой центр поддержки СО НКО"),
        ["003 3.1", "003 3.2", "003 5.г"],
        ["003 5.а", "004 1.1", "003 9.1"],
        id="kamchatka-resource-centre-named-in-text",
    ),
    pytest.param(
        Profile("Ленинградская область", "resource_center", None),
        ["001 1.1", "001 1.3"],
        ["001 1.2", "001 2.1", "004 1.1"],
        id="leningrad-resource-centre-joint",
    ),
    pytest.param(
        Profile("Москва", "business", "Госкорпорация «Росатом»"),
        ["001 1.3", "001 4.1", "000 1", "000 5"],
        ["001 2.1", "002 7.9", "001 1.1"],
        id="named-outside-its-region",
    ),
    pytest.param(
        Profile(AMUR, "regional_government", "Правительство Амурской области"),
        ["002 1.1", "002 1.15", "002 6.6"],
        ["002 2.1", "003 4", "002 7.1"],
        id="amur-government-named-without-region",
    ),
    pytest.param(
        Profile(SEVASTOPOL, "ngo", "Союз дизайнеров России"),
        ["004 4", "004 2.1", "004 5"],
        ["004 1.1", "003 9.1", "002 7.1"],
        id="sevastopol-ngo-named",
    ),
]


@pytest.mark.parametrize(("profile", "sees", "does_not_see"), TABLE)
async def test_who_sees_what(seeded, profile, sees, does_not_see):
    matches, total = await seeded.my(profile, limit=500)
    labels = [label(m) for m in matches]
    assert total == len(matches)
    assert len(set(labels)) == len(labels)
    for item in sees:
        assert item in labels, f"{item} missing for {profile}: {labels}"
    for item in does_not_see:
        assert item not in labels, f"{item} should not concern {profile}"


async def test_order_named_then_kind_then_joint_then_participants(seeded):
    profile = Profile(SEVASTOPOL, "resource_center", "АНО «Ресурсный центр поддержки СО НКО»")
    matches, _ = await seeded.my(profile, limit=50)
    labels = [label(m) for m in matches]
    assert labels[:2] == ["004 1.1", "004 1.2"]
    assert labels[-2:] == ["004 4", "004 5"]
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert matches[0].reasons[0].startswith("адресовано вашей организации: АНО «Ресурсный центр")
    assert matches[-1].reasons == ["адресовано всем участникам форума в Севастополе"]

    kamchatka, _ = await seeded.my(Profile(KAMCHATKA, "local_government"), limit=50)
    assert label(kamchatka[0]) == "003 2.1"
    assert kamchatka[0].reasons == ["адресовано органам местного самоуправления Камчатского края"]
    joint = {label(m): m for m in kamchatka}["003 4"]
    assert joint.reasons == ["совместно с Агентством по внутренней политике Камчатского края"]
    assert joint.addressee.startswith("Органы местного самоуправления")


async def test_named_reason_and_fields(seeded):
    matches, _ = await seeded.my(
        Profile(AMUR, "public_chamber", "Общественной палате Амурской области"), limit=3
    )
    first = matches[0]
    assert first.reasons[0] == "адресовано вашей организации: Общественная палата Амурской области"
    # The kind says nothing more about the same addressee: it is not repeated.
    assert "адресовано общественным палатам Амурской области" not in first.reasons
    assert first.addressee == "Общественная палата Амурской области"
    assert first.source.startswith("002_") and first.status == "not_started"
    assert first.document_id > 0 and first.recommendation_id > 0 and first.text


async def test_paging(seeded):
    profile = Profile(AMUR, "ngo")
    everything, total = await seeded.my(profile, limit=100)
    page, page_total = await seeded.my(profile, limit=5, offset=5)
    assert page_total == total == len(everything)
    assert [m.recommendation_id for m in page] == [m.recommendation_id for m in everything[5:10]]
    assert (await seeded.my(profile, limit=5, offset=total))[0] == []


@pytest.mark.parametrize(
    "profile",
    [
        Profile(AMUR, "public_chamber", "Общественная палата Амурской области"),
        Profile(KAMCHATKA, "local_government", "Администрация Вилючинского городского округа"),
        Profile(KAMCHATKA, "resource_center", "Камчатский краевой центр поддержки СО НКО"),
    ],
)
async def test_pages_of_every_size_make_the_whole_list(seeded, profile):
    """Pages are cut in SQL (named items first, then each relation of the region): any
    page size walks the same list, reasons included, across every boundary (issue 15)."""
    everything, total = await seeded.my(profile, limit=500)
    assert total == len(everything) > 3
    whole = [(m.recommendation_id, m.reasons, m.addressee) for m in everything]
    for size in (1, 2, 3, 7):
        walked = []
        for offset in range(0, total, size):
            page, page_total = await seeded.my(profile, limit=size, offset=offset)
            assert page_total == total
            walked += [(m.recommendation_id, m.reasons, m.addressee) for m in page]
        assert walked == whole, size


async def test_profile_of_user_record_shape(seeded):
    class User:
        region = KAMCHATKA
        org_kind = "local_government"
        org_name = None

    matches, _ = await seeded.my(User(), limit=10)
    assert "003 2.1" in [label(m) for m in matches]


async def test_unknown_region_sees_only_named(seeded):
    matches, total = await seeded.my(Profile(None, "ngo", "Госкорпорация «Росатом»"), limit=10)
    assert sorted(label(m) for m in matches) == ["001 1.3", "001 4.1"]
    assert total == 2


# ---- questions -------------------------------------------------------------------------


async def test_question_resource_centres(seeded):
    result = await seeded.ask("что рекомендовано ресурсным центрам?")
    assert result.kind == "resource_center" and result.region is None and result.topic == []
    labels = [label(m) for m in result.matches]
    assert labels[:2] == ["004 1.1", "004 1.2"]
    assert {"003 3.1", "003 3.2"} <= set(labels)
    assert result.matches[0].reasons == ["адресовано ресурсным центрам Севастополя"]
    # Joint items (001: "совместно с ресурсными центрами НКО") come after the addressed ones.
    everything = await seeded.ask("что рекомендовано ресурсным центрам?", limit=50)
    all_labels = [label(m) for m in everything.matches]
    assert all_labels.index("001 1.1") > all_labels.index("003 3.2")


async def test_question_youth_policy_in_amur(seeded):
    result = await seeded.ask("какие рекомендации по молодёжной политике в Амурской области")
    assert result.region == AMUR and result.kind is None
    assert result.topic == ["молодёжный", "политика"]
    labels = [label(m) for m in result.matches]
    assert set(labels[:3]) == {"002 7.13", "002 4.10", "002 3.5"}
    assert all(lbl.startswith("002") for lbl in labels)
    assert result.matches[0].reasons[0] == "совпали слова: молодёжной политике"


async def test_question_support_of_ngos_in_sevastopol(seeded):
    result = await seeded.ask("поддержка СО НКО в Севастополе")
    assert result.region == SEVASTOPOL and result.kind == "ngo"
    labels = [label(m) for m in result.matches]
    assert set(labels[:2]) == {"004 1.1", "004 1.2"}
    assert all(lbl.startswith("004") for lbl in labels)
    assert result.matches[0].reasons[0] == "совпали слова: поддержка СО НКО"
    # Items addressed to NGOs are lifted above a bare mention of "поддержка".
    assert labels.index("004 2.1") < labels.index("004 3.4")
    assert "адресовано некоммерческим организациям" in result.matches[2].reasons


async def test_question_public_chamber(seeded):
    result = await seeded.ask("что должна сделать общественная палата", limit=50)
    assert result.kind == "public_chamber" and result.topic == []
    labels = [label(m) for m in result.matches]
    assert {"002 6.1", "002 6.6", "002 8", "001 1.1", "001 3.2"} <= set(labels)
    assert all(m.reasons[0].startswith("адресовано общественным палатам") for m in result.matches)
    assert "002 7.1" not in labels


async def test_question_abbreviation_and_region(seeded):
    result = await seeded.ask("что рекомендовано ОМСУ в Камчатском крае")
    assert result.kind == "local_government" and result.region == KAMCHATKA
    labels = [label(m) for m in result.matches]
    assert labels[0] == "003 2.1"
    assert "002 4.1" not in labels


async def test_question_region_argument_and_override(seeded):
    result = await seeded.ask("что рекомендовано ресурсным центрам", region=KAMCHATKA)
    assert {label(m) for m in result.matches} == {"003 3.1", "003 3.2"}
    moved = await seeded.ask("ресурсным центрам в Севастополе", region=KAMCHATKA)
    assert moved.region == SEVASTOPOL


async def test_question_without_matches_has_suggestions(seeded):
    result = await seeded.ask("озеленение дворов в Чукотском автономном округе")
    assert result.matches == [] and result.total == 0
    assert result.region == "Чукотский автономный округ"
    assert any("регион" in s for s in result.suggestions)
    assert any(s.startswith("Спросите, что рекомендовано:") for s in result.suggestions)

    empty = await seeded.ask("что?")
    assert empty.matches == [] and empty.suggestions


async def test_question_with_org_boost(seeded):
    plain = await seeded.ask("социальные проекты бизнес", region="Ленинградская область")
    boosted = await seeded.ask(
        "социальные проекты бизнес", region="Ленинградская область", org="Росатом"
    )
    assert plain.total == boosted.total
    first = boosted.matches[0]
    assert label(first) in {"001 1.3", "001 4.1"}
    assert "названа ваша организация" in first.reasons


async def test_a_broad_question_counts_what_has_every_word_once(seeded, monkeypatch):
    """Issue 15: a question matching too much to rank is answered from what has every word;
    that is counted once, up to ``COUNTED`` (the total shown, exact below it)."""
    import bot.search
    from storage.search import SearchReader

    monkeypatch.setattr(bot.search, "BROAD", 3)
    calls: list[tuple[str, int | None]] = []
    count = SearchReader.count

    def spy(self: SearchReader, query: str, cap: int | None = None) -> int:
        calls.append((query, cap))
        return count(self, query, cap)

    monkeypatch.setattr(SearchReader, "count", spy)
    result = await seeded.ask("поддержка некоммерческих организаций", limit=50)
    every = [(query, cap) for query, cap in calls if " AND " in query]
    assert len(every) == 1 and every[0][1] == bot.search.COUNTED, calls
    monkeypatch.undo()
    assert result.total == await seeded.repo.count(every[0][0]) > 3
    assert not result.total_over  # the seeds are far below the bound
    assert len(result.matches) == min(50, result.total)


async def test_question_words_never_match_the_tags(seeded):
    """Tags (region and kind tokens, ASCII) are not text: a question made of their tokens
    finds nothing.  A question in Russian cannot meet them, so it is searched without a
    column filter (cheaper at a million rows, the same rows and bm25; issue 15)."""
    from bot.matching import kind_tag, parse_question, region_tag

    tags = f"{kind_tag('ngo')} {region_tag(AMUR)}"
    assert (await seeded.ask(tags)).total == 0
    assert (await seeded.ask(kind_tag("public_chamber")[:4])).total == 0  # a prefix of one
    russian = parse_question("поддержка СО НКО").topic
    assert not (seeded._topic_query(russian, None, None) or "").startswith("{")
    with_region = seeded._topic_query(russian, AMUR, "ngo") or ""
    assert f'tags : "{region_tag(AMUR)}"' in with_region and f'"{kind_tag("ngo")}"' in with_region
