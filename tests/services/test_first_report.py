"""The first report of an item: its history line names the new status alone (the item read
«нет данных» before it, not «не начато»)."""

from zoneinfo import ZoneInfo

from bot.views import describe_entry
from tests.services.conftest import COORD, OFFICIAL


async def test_the_first_report_is_not_said_to_change_a_not_started_one(services, report_world):
    """Before the first report the item read «нет данных», not «не начато»: its history line
    names the new status alone; later reports say what it was."""
    rec_id = report_world["second"]  # commented on, no status yet
    texts, zone = services.texts, ZoneInfo("Asia/Yakutsk")
    government = report_world["government"]
    rec = await services.progress.items(COORD, report_world["document"], "all", government, 100)
    fresh = next(i.id for i in rec.items if i.id not in rec.reported)
    first = await services.reporting.report_status(OFFICIAL, fresh, "in_progress")
    assert texts("history.status_first", new=texts("status.in_progress")) in describe_entry(
        texts, first, zone
    )
    # A comment is a report: what it was is then known.
    second = await services.reporting.report_status(OFFICIAL, rec_id, "in_progress")
    old = texts("history.status", new=texts("status.in_progress"), old=texts("status.not_started"))
    assert old in describe_entry(texts, second, zone)
    later = await services.reporting.report_status(OFFICIAL, fresh, "done")
    old = texts("history.status", new=texts("status.done"), old=texts("status.in_progress"))
    assert old in describe_entry(texts, later, zone)
