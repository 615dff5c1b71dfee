"""A coordinator corrects what the parser understood: in the draft, after publishing, and the
corrections survive a restart and a re-import."""

import datetime as dt

import pytest

from bot.container import build_services
from bot.correction_service import Ref
from bot.errors import InvalidInput, PermissionDenied, Stale
from bot.importer import document_json
from bot.ingest.parser import parse_resolution
from bot.users import TelegramIdentity
from tests.conftest import ADMIN_ID
from tests.services.test_importer import CORRECTED, ORIGINAL

COORD, OTHER_COORD, MEMBER, OFFICIAL = 501, 502, 503, 504
GOV, CHAMBER = 0, 1  # addressee positions in ORIGINAL


@pytest.fixture
async def people(services):
    for user_id in (COORD, OTHER_COORD, MEMBER, OFFICIAL):
        await services.users.touch(TelegramIdentity(user_id, f"U{user_id}"))
    await services.access.appoint_coordinator(ADMIN_ID, COORD, "Амурская область")
    await services.access.appoint_coordinator(ADMIN_ID, OTHER_COORD, "Камчатский край")


async def stage(services, text=ORIGINAL, user=COORD) -> Ref:
    preview = await services.importer.stage_upload(user, text.encode(), "r.txt")
    return Ref("draft", preview.draft_id)


def names(view):
    return [a.canonical for a in view.parsed.addressees]


def items_of(view, name):
    index = names(view).index(name)
    return [r.number for r in view.parsed.recommendations if index in r.addressee_indices]


async def test_each_draft_correction_redraws_and_nothing_is_published(services, people):
    fix = services.corrections
    ref = await stage(services)
    view = await fix.rename_addressee(COORD, ref, GOV, "Правительство Амурской обл.", 0)
    assert names(view)[GOV] == "Правительство Амурской обл" and view.version == 1
    view = await fix.set_kind(COORD, ref, CHAMBER, "public_council", 1)
    assert view.parsed.addressees[CHAMBER].kind == "public_council"
    view = await fix.move_item(COORD, ref, 2, CHAMBER, 2)  # 1.3 to the chamber
    assert items_of(view, "Общественная палата Амурской области") == ["1.3", "2.1"]
    view = await fix.move_item(COORD, ref, 0, None, 3)  # 1.1 to «без адресата»
    assert view.unaddressed == [0]
    view = await fix.set_deadline(COORD, ref, 3, dt.date(2025, 3, 1), 4)
    assert view.parsed.recommendations[3].deadline.date == dt.date(2025, 3, 1)
    view = await fix.set_deadline(COORD, ref, 1, None, 5)
    assert view.parsed.recommendations[1].deadline is None
    view = await fix.drop_item(COORD, ref, 0, 6)
    assert [r.number for r in view.parsed.recommendations] == ["1.2", "1.3", "2.1"]
    view = await fix.merge(COORD, ref, CHAMBER, GOV, 7)
    assert names(view) == ["Правительство Амурской обл"]
    assert items_of(view, "Правительство Амурской обл") == ["1.2", "1.3", "2.1"]
    view = await fix.set_title(COORD, ref, "Резолюция круглого стола", 8)
    view = await fix.set_date(COORD, ref, dt.date(2024, 3, 13), 9)
    assert (view.parsed.title, view.parsed.date) == (
        "Резолюция круглого стола",
        dt.date(2024, 3, 13),
    )
    assert await services.documents.count() == 0  # nobody else sees anything yet

    result = await services.importer.publish_draft(COORD, ref.id)
    document = await services.documents.get(result.document_id)
    assert document.title == "Резолюция круглого стола" and document.adopted_on == "2024-03-13"
    addressees = await services.documents.addressees(result.document_id)
    assert [(a.canonical, a.kind) for a in addressees] == [
        ("Правительство Амурской обл", "regional_government")
    ]
    rows = await services.documents.recommendations(result.document_id)
    assert [(r.number, r.deadline) for r in rows] == [
        ("1.2", None),
        ("1.3", None),
        ("2.1", "2025-03-01"),
    ]
    assert len(await services.documents.corrections(result.document_id)) == 10


async def test_bad_corrections_are_refused_and_change_nothing(services, people):
    fix = services.corrections
    ref = await stage(services)
    with pytest.raises(InvalidInput) as error:
        await fix.rename_addressee(COORD, ref, GOV, "Общественная палата Амурской области", 0)
    assert error.value.key == "corrections.name_taken"
    with pytest.raises(InvalidInput):
        await fix.rename_addressee(COORD, ref, GOV, "   ", 0)
    with pytest.raises(InvalidInput):
        await fix.merge(COORD, ref, GOV, GOV, 0)
    with pytest.raises(InvalidInput):
        await fix.set_kind(COORD, ref, GOV, "aliens", 0)
    with pytest.raises(InvalidInput):
        await fix.set_region(COORD, ref, "Нарния", 0)
    with pytest.raises(Stale) as error:
        await fix.drop_item(COORD, ref, 40, 0)
    assert error.value.key == "corrections.stale"
    await fix.drop_item(COORD, ref, 0, 0)
    with pytest.raises(Stale) as error:  # pressed on the view before that change
        await fix.drop_item(COORD, ref, 0, 0)
    assert error.value.key == "corrections.stale"
    assert (await fix.view(COORD, ref)).version == 1


async def test_draft_corrections_survive_a_restart(services, people, settings, db, clock):
    ref = await stage(services)
    await services.corrections.set_kind(COORD, ref, GOV, "legislature")
    again = build_services(settings, db, clock)  # a new process on the same database
    view = await again.corrections.view(COORD, ref)
    assert view.parsed.addressees[GOV].kind == "legislature"


@pytest.mark.parametrize("actor", [OTHER_COORD, MEMBER, OFFICIAL])
async def test_only_the_regions_coordinators_and_admins_correct(services, people, actor):
    result = await services.importer.import_document(parse_resolution(ORIGINAL, "r.txt"))
    government = (await services.documents.addressees(result.document_id))[GOV]
    invite = await services.invites.create(ADMIN_ID, government.id)
    await services.invites.accept(OFFICIAL, invite.token)
    ref = Ref("doc", result.document_id)
    with pytest.raises(PermissionDenied):
        await services.corrections.set_kind(actor, ref, GOV, "other")
    with pytest.raises(PermissionDenied):
        await services.corrections.view(actor, ref)
    assert await services.documents.corrections(result.document_id) == []
    await services.corrections.set_kind(ADMIN_ID, ref, GOV, "other")
    await services.corrections.set_kind(COORD, ref, GOV, "legislature")


async def test_a_draft_is_its_uploaders_and_a_region_is_not_handed_away(services, people):
    ref = await stage(services)
    with pytest.raises(PermissionDenied):
        await services.corrections.view(OTHER_COORD, ref)
    with pytest.raises(PermissionDenied):
        await services.corrections.set_region(COORD, ref, "Камчатский край")
    with pytest.raises(PermissionDenied):  # not even an admin edits another's draft
        await services.corrections.view(ADMIN_ID, ref)
    await services.access.appoint_coordinator(ADMIN_ID, COORD, "Камчатский край")
    view = await services.corrections.set_region(COORD, ref, "Камчатский край")
    assert view.parsed.region == "Камчатский край"
    assert {a.region for a in view.parsed.addressees} == {"Камчатский край"}


async def test_another_regions_coordinator_is_told_before_any_preview(services, people):
    with pytest.raises(PermissionDenied) as denied:
        await stage(services, user=OTHER_COORD)
    assert denied.value.key == "documents.other_region"
    assert denied.value.params["region"] == "Амурская область"
    assert await services.db.fetchval("SELECT count(*) FROM document_drafts") == 0


async def test_published_corrections_keep_ids_bindings_and_history(services, people):
    result = await services.importer.import_document(parse_resolution(ORIGINAL, "r.txt"))
    doc = result.document_id
    government = (await services.documents.addressees(doc))[GOV]
    invite = await services.invites.create(COORD, government.id)
    await services.invites.accept(OFFICIAL, invite.token)
    rec_ids = {r.number: r.id for r in await services.documents.recommendations(doc)}
    ref = Ref("doc", doc)
    fix = services.corrections

    view = await fix.rename_addressee(COORD, ref, GOV, "Правительство области", 0)
    assert names(view)[GOV] == "Правительство области"
    renamed = await services.documents.get_addressee(government.id)
    assert renamed.canonical == "Правительство области"  # the same row: officials stay
    assert await services.reporting.reporting.officials_of(government.id) == [OFFICIAL]

    await fix.set_deadline(COORD, ref, 2, dt.date(2026, 9, 1), 1)
    rec = await services.documents.get_recommendation(rec_ids["1.3"])
    assert rec.deadline == "2026-09-01"
    assert [e.event for e in await services.reporting.history(rec.id)] == ["deadline"]

    await fix.move_item(COORD, ref, 3, GOV, 2)
    links = await services.documents.addressee_ids_by_recommendation(doc)
    assert links[rec_ids["2.1"]] == [government.id]
    await fix.merge(COORD, ref, CHAMBER, GOV, 3)
    await fix.drop_item(COORD, ref, 0, 4)
    assert (await services.documents.get_recommendation(rec_ids["1.1"])).removed
    log = await services.documents.correction_log(doc)
    assert [e["op"]["op"] for e in log] == ["rename", "deadline", "move", "merge", "drop"]
    assert {e["actor_id"] for e in log} == {COORD} and {e["actor_role"] for e in log} == {
        "coordinator"
    }
    # The same file again: nothing to publish, the corrections hold.
    again = await services.importer.import_document(parse_resolution(ORIGINAL, "r.txt"))
    assert again.outcome == "unchanged" and again.document_id == doc
    shape = document_json(again.parsed, again)  # what `python -m bot import --json` prints
    assert [a["name"] for a in shape["addressees"]] == ["Правительству Амурской области"]
    assert [a["canonical"] for a in shape["addressees"]] == ["Правительство области"]
    assert [r["number"] for r in shape["recommendations"]] == ["1.2", "1.3", "2.1"]


async def test_corrections_survive_reimport_of_a_new_version(services, people):
    ref = await stage(services)
    fix = services.corrections
    await fix.rename_addressee(COORD, ref, GOV, "Правительство области")
    await fix.set_kind(COORD, ref, CHAMBER, "public_council")
    await fix.set_deadline(COORD, ref, 0, dt.date(2024, 9, 1))
    await fix.set_title(COORD, ref, "Рекомендации круглого стола")
    first = await services.importer.publish_draft(COORD, ref.id)

    # The same file uploaded again is found despite the corrected title, and is unchanged.
    preview = await services.importer.stage_upload(COORD, ORIGINAL.encode(), "r.txt")
    assert preview.existing_document_id == first.document_id and preview.unchanged
    assert preview.parsed.addressees[GOV].canonical == "Правительство области"

    # A corrected version: the preview says what it changes, the fixes are kept.
    preview = await services.importer.stage_upload(COORD, CORRECTED.encode(), "r2.txt")
    assert preview.existing_document_id == first.document_id and not preview.unchanged
    assert (preview.changes.added, preview.changes.changed, preview.changes.removed) == (
        ["2.2"],
        ["1.2"],
        ["1.3"],
    )
    result = await services.importer.publish_draft(COORD, preview.draft_id)
    assert result.document_id == first.document_id and result.outcome == "updated"
    document = await services.documents.get(first.document_id)
    assert document.title == "Рекомендации круглого стола"
    addressees = await services.documents.addressees(first.document_id)
    assert {(a.canonical, a.kind) for a in addressees} >= {
        ("Правительство области", "regional_government"),
        ("Общественная палата Амурской области", "public_council"),
    }
    first_item = (await services.documents.recommendations(first.document_id))[0]
    assert first_item.deadline == "2024-09-01"


async def test_a_correction_whose_item_is_gone_is_reported(services, people):
    ref = await stage(services)
    await services.corrections.drop_item(COORD, ref, 2)  # 1.3, gone from CORRECTED anyway
    await services.corrections.set_kind(COORD, ref, GOV, "legislature")
    await services.importer.publish_draft(COORD, ref.id)
    preview = await services.importer.stage_upload(
        COORD, CORRECTED.replace("мониторинг", "анализ").encode(), "r3.txt"
    )
    assert preview.inherited == 2
    assert [op["op"] for op in preview.failed] == ["drop"]
    assert preview.parsed.addressees[GOV].kind == "legislature"


UNADDRESSED = """РЕКОМЕНДАЦИИ
общественных слушаний «Доступная среда в Амурской области»
г. Благовещенск, 14 марта 2026 года

1. Рекомендовать Правительству Амурской области разработать программу.
2. Продолжить мониторинг доступности объектов.
"""


async def test_a_warning_goes_once_the_coordinator_fixed_what_it_is_about(services, people):
    fix = services.corrections
    ref = await stage(services, UNADDRESSED)
    view = await fix.view(COORD, ref)
    assert view.unaddressed == [1]
    assert any("без адресата" in w for w in view.parsed.warnings)
    view = await fix.move_item(COORD, ref, 1, 0, view.version)
    assert view.unaddressed == []
    assert not any("без адресата" in w for w in view.parsed.warnings)
    # Moved back, the warning is back: it follows the items, not the history of clicks.
    view = await fix.move_item(COORD, ref, 1, None, view.version)
    assert any("без адресата" in w for w in view.parsed.warnings)


async def test_an_addressee_left_without_items_leaves_the_preview(services, people):
    """Dropping or moving away an addressee's only item does not leave «— 0 рекомендаций»,
    nor an empty body to invite after publishing (the parser drops such addressees too)."""
    fix = services.corrections
    ref = await stage(services)
    view = await fix.view(COORD, ref)
    only = items_of(view, "Общественная палата Амурской области")
    assert only == ["2.1"]
    index = [r.number for r in view.parsed.recommendations].index("2.1")
    view = await fix.drop_item(COORD, ref, index, view.version)
    assert "Общественная палата Амурской области" not in names(view)
    result = await services.importer.publish_draft(COORD, ref.id)
    addressees = await services.documents.addressees(result.document_id)
    assert "Общественная палата Амурской области" not in [a.canonical for a in addressees]
