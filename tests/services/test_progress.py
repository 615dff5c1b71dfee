"""/progress as a service: counts by status per resolution and body, officials, silence."""

import pytest

from bot.errors import PermissionDenied
from bot.reporting import Letter
from tests.conftest import ADMIN_ID
from tests.services.conftest import AMUR, COORD, KAMCHATKA_COORD, MEMBER, OFFICIAL


async def test_overview_counts_by_status_and_keeps_no_data_apart(services, amur_official):
    document_id, government = amur_official
    before = await services.progress.overview(COORD, AMUR)
    [resolution] = before.resolutions
    assert resolution.document_id == document_id
    assert resolution.counts.total == 61
    assert resolution.counts.by_state["no_data"] == 61
    assert resolution.counts.by_state["not_started"] == 0
    assert resolution.counts.by_state["overdue"] == 3  # deadlines in 2016, nothing reported

    items = await services.progress.items(COORD, document_id, "all", government, limit=50)
    first, second = items.items[0].id, items.items[1].id
    await services.reporting.report_status(OFFICIAL, first, "in_progress")
    await services.reporting.comment(OFFICIAL, second, "Готовим план")
    after = (await services.progress.overview(COORD, AMUR)).resolutions[0]
    assert after.counts.by_state["in_progress"] == 1
    assert after.counts.by_state["not_started"] == 1  # a report saying it has not started
    assert after.counts.by_state["no_data"] == 59

    body = next(b for b in after.bodies if b.addressee_id == government)
    assert body.officials == 1 and body.reported_recently and not body.silent
    assert body.counts.by_state["in_progress"] == 1
    others = [b for b in after.bodies if b.addressee_id != government]
    assert others and all(b.officials == 0 for b in others)
    assert {b.addressee_id for b in after.without_official} == {b.addressee_id for b in others}
    assert [b.addressee_id for b in after.reported] == [government]


async def test_a_body_with_an_official_but_no_report_for_30_days_is_silent(
    services, clock, amur_official
):
    _, government = amur_official
    body = lambda overview: next(  # noqa: E731
        b for b in overview.resolutions[0].bodies if b.addressee_id == government
    )
    assert body(await services.progress.overview(COORD, AMUR)).silent
    items = await services.progress.items(COORD, amur_official[0], "all", government)
    await services.reporting.report_status(OFFICIAL, items.items[0].id, "in_progress")
    assert not body(await services.progress.overview(COORD, AMUR)).silent
    clock.move(days=31)
    assert body(await services.progress.overview(COORD, AMUR)).silent


async def test_lists_behind_the_lines(services, amur_official):
    document_id, government = amur_official
    overdue = await services.progress.items(COORD, document_id, "overdue")
    assert overdue.total == 3 and all(i.deadline < "2026-03-02" for i in overdue.items)
    mine = await services.progress.items(COORD, document_id, "all", government, limit=50)
    assert mine.addressee == "Правительство области" and mine.officials == ["Ольга"]
    assert mine.total == len(mine.items) > 0


async def test_who_may_see_progress(services, amur_official):
    document_id, _ = amur_official
    with pytest.raises(PermissionDenied):
        await services.progress.overview(MEMBER, AMUR)
    with pytest.raises(PermissionDenied):
        await services.progress.regions(OFFICIAL)
    with pytest.raises(PermissionDenied):
        await services.progress.overview(KAMCHATKA_COORD, AMUR)
    with pytest.raises(PermissionDenied):
        await services.progress.items(KAMCHATKA_COORD, document_id, "all")
    assert await services.progress.regions(COORD) == [AMUR]
    assert await services.progress.regions(KAMCHATKA_COORD) == ["Камчатский край"]
    regions = await services.progress.regions(ADMIN_ID)
    assert AMUR in regions and "Севастополь" in regions
    assert (await services.progress.overview(ADMIN_ID, "Севастополь")).resolutions


async def test_a_recurring_term_whose_day_passed_is_not_overdue(services, clock, amur_official):
    """«ежегодно до 15 декабря»: after the day it is next year's day, as the reminders count
    it (issue 11) — not 🔴 in /progress, not «просрочено» in /tasks, and the card says when."""
    document_id, government = amur_official
    rec = (await services.progress.items(COORD, document_id, "all", government)).items[0]
    await services.db.execute(
        "UPDATE recommendations SET deadline = '2026-12-15', deadline_precision = 'day',"
        " deadline_kind = 'recurring', deadline_period = 'year',"
        " deadline_note = 'ежегодно до 15 декабря' WHERE id = ?",
        (rec.id,),
    )
    before = (await services.progress.overview(COORD, AMUR)).resolutions[0].counts
    clock.at = clock.at.replace(year=2027, month=1, day=10)
    after = (await services.progress.overview(COORD, AMUR)).resolutions[0].counts
    assert after.by_state["overdue"] == before.by_state["overdue"]
    overdue = await services.progress.items(COORD, document_id, "overdue", government, limit=99)
    assert rec.id not in [i.id for i in overdue.items]

    tasks = await services.tasks.tasks(OFFICIAL, AMUR)
    assert rec.id not in [r.id for r in tasks.groups["overdue"]]

    card = await services.reporting.card(OFFICIAL, rec.id)
    assert card.recommendation.deadline == "2027-12-15"  # the next occurrence is shown


async def test_a_letter_is_the_bodys_report_through_the_coordinator(services, amur_official):
    """A body that answered by letter reported (the coordinator entered it), but has no
    official for that: it is not silent, not counted as having an official, and its last
    report is known to be a letter."""
    document_id, _ = amur_official
    overview = await services.progress.overview(COORD, AMUR)
    ministry = next(b for b in overview.resolutions[0].bodies if b.officials == 0)
    items = await services.progress.items(COORD, document_id, "all", ministry.addressee_id)
    letter = Letter("01-12/345", services.clock.now().date())
    await services.reporting.report_status(
        COORD, items.items[0].id, "in_progress", "Приступили", letter=letter
    )
    [resolution] = (await services.progress.overview(COORD, AMUR)).resolutions
    body = next(b for b in resolution.bodies if b.addressee_id == ministry.addressee_id)
    assert body.reported_recently and body.last_letter_date == letter.date.isoformat()
    assert body.officials == 0 and not body.silent
    assert body.addressee_id in {b.addressee_id for b in resolution.reported}


async def test_an_open_web_form_link_is_an_official(services, clock, amur_official):
    document_id, _ = amur_official
    overview = await services.progress.overview(COORD, AMUR)
    ministry = next(b for b in overview.resolutions[0].bodies if b.officials == 0)
    link = await services.weblinks.create(COORD, ministry.addressee_id)
    [resolution] = (await services.progress.overview(COORD, AMUR)).resolutions
    body = next(b for b in resolution.bodies if b.addressee_id == ministry.addressee_id)
    assert body.officials == 1 and body.silent  # an official, who has not reported yet
    listing = await services.progress.items(COORD, document_id, "all", ministry.addressee_id)
    assert listing.officials == [] and listing.web_links == 1  # no Telegram name

    # A revoked link speaks for nobody.
    await services.weblinks.revoke(COORD, link.link.id)
    [resolution] = (await services.progress.overview(COORD, AMUR)).resolutions
    body = next(b for b in resolution.bodies if b.addressee_id == ministry.addressee_id)
    assert body.officials == 0


async def test_a_coordinators_own_status_is_not_the_bodys_report(services, amur_official):
    """Set on the card by the coordinator, without a letter: the item has a status, but the
    body has not reported (it is neither «отчитались» nor dated as its report)."""
    document_id, _ = amur_official
    overview = await services.progress.overview(COORD, AMUR)
    ministry = next(b for b in overview.resolutions[0].bodies if b.officials == 0)
    items = await services.progress.items(COORD, document_id, "all", ministry.addressee_id)
    await services.reporting.report_status(COORD, items.items[0].id, "in_progress", "Проверено")
    [resolution] = (await services.progress.overview(COORD, AMUR)).resolutions
    body = next(b for b in resolution.bodies if b.addressee_id == ministry.addressee_id)
    assert body.counts.by_state["in_progress"] == 1
    assert not body.reported_recently and body.last_report is None
    assert body.addressee_id not in {b.addressee_id for b in resolution.reported}
